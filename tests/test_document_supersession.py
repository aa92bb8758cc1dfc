"""Documents others have seen are superseded, not deleted: the file stays, the story shows both.

In draft nobody else has seen a document: removing it deletes its row and its file.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditing.selectors import dossier_story
from dossiers import services
from dossiers.models import Document, DocumentKind, State
from tests.factories import audit_mark, dossier_in, events_after, login, upload
from workflow.errors import DossierNotFound, GuardFailed
from workflow.services import transition


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def report_of(dossier) -> Document:
    return dossier.documents.get(kind__code="achievement_report")


def remove(document, person, dossier):
    dossier.refresh_from_db()
    services.remove_document(
        document_id=document.pk, person=person, expected_version=dossier.version
    )


@pytest.fixture
def returned(media, period, unit_a, head_a):
    return dossier_in(State.RETURNED, period, unit_a)


def test_removing_a_document_of_a_returned_dossier_keeps_the_file_the_reviewer_saw(
    returned, head_a, media, django_capture_on_commit_callbacks
):
    document = report_of(returned)
    path = document.file.path

    with django_capture_on_commit_callbacks(execute=True):
        remove(document, head_a, returned)

    document.refresh_from_db()
    assert document.superseded_at is not None
    assert document.superseded_by == head_a
    with open(path, "rb") as kept:
        assert kept.read().startswith(b"%PDF")


def test_superseding_a_document_is_audited_with_the_document_it_was(returned, head_a):
    document = report_of(returned)
    mark = audit_mark()

    remove(document, head_a, returned)

    event = events_after(mark).get()
    assert event.action == "dossier.document_superseded"
    assert event.payload["document"]["sha256"] == document.sha256
    assert event.from_state == event.to_state == State.RETURNED


def test_removing_a_document_of_a_draft_deletes_its_row_and_its_file(
    media, period, unit_a, head_a, django_capture_on_commit_callbacks
):
    dossier = dossier_in(State.DRAFT, period, unit_a)
    document = report_of(dossier)
    path, mark = document.file.path, audit_mark()

    with django_capture_on_commit_callbacks(execute=True):
        remove(document, head_a, dossier)

    assert not Document.objects.filter(pk=document.pk).exists()
    assert path not in map(str, files_under(media))
    assert events_after(mark).get().action == "dossier.document_removed"


def test_a_superseded_document_no_longer_counts_as_a_required_document(returned, head_a):
    remove(report_of(returned), head_a, returned)
    returned.refresh_from_db()

    with pytest.raises(GuardFailed) as refused:
        transition(
            dossier_id=returned.pk, action="resubmit", person=head_a,
            expected_version=returned.version,
        )  # fmt: skip

    (reason,) = refused.value.reasons
    assert [kind.code for kind in reason.values["kinds"]] == ["achievement_report"]


def test_a_document_of_the_same_kind_added_afterwards_replaces_the_superseded_one(returned, head_a):
    old = report_of(returned)
    remove(old, head_a, returned)
    returned.refresh_from_db()

    new = services.add_document(
        dossier_id=returned.pk, person=head_a, expected_version=returned.version,
        kind=DocumentKind.objects.get(code="achievement_report"), upload=upload("moi.pdf"),
    )  # fmt: skip

    old.refresh_from_db()
    assert old.replaced_by == new
    assert [d.pk for d in returned.current_documents() if d.kind_id == new.kind_id] == [new.pk]


def test_a_superseded_document_cannot_be_removed_again(returned, head_a):
    document = report_of(returned)
    remove(document, head_a, returned)

    with pytest.raises(DossierNotFound):
        remove(document, head_a, returned)


def test_the_dossier_page_lists_the_superseded_document_apart_and_it_stays_downloadable(
    returned, head_a
):
    document = report_of(returned)
    remove(document, head_a, returned)
    client = login(head_a)

    page = client.get(reverse("dossier_detail", args=[returned.pk]))
    download = client.get(reverse("document_download", args=[returned.pk, document.pk]))
    download.close()

    current, superseded = page.content.decode().split('<table class="superseded">')
    link = reverse("document_download", args=[returned.pk, document.pk])
    assert link not in current and link in superseded
    assert reverse("document_remove", args=[returned.pk, document.pk]) not in current
    assert download.status_code == 200


def test_the_dossier_page_takes_no_more_queries_with_more_superseded_documents(
    returned, head_a, django_assert_num_queries
):
    client = login(head_a)
    url = reverse("dossier_detail", args=[returned.pk])
    first, *others = returned.documents.order_by("pk")
    remove(first, head_a, returned)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for document in others:
        remove(document, head_a, returned)

    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_the_auditors_story_shows_the_document_added_and_then_superseded(returned, head_a):
    document = report_of(returned)
    remove(document, head_a, returned)

    story = dossier_story(returned.institution, returned.pk)

    rows = [(h.sha256, h.event.action, h.is_current) for h in story.history_documents]
    assert (document.sha256, "dossier.document_added", False) in rows
    assert (document.sha256, "dossier.document_superseded", False) in rows
    assert document.pk not in [d.pk for d in story.documents]
