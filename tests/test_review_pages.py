"""The reviewer's pages: the queue, the buttons, returning with a reason and what changed since."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation
from django.utils.html import escape

from audit.models import AuditEvent
from dossiers import services as dossier_services
from dossiers.models import DocumentKind, Dossier, State
from tests.conftest import make_dossier, pdf_upload
from tests.factories import audit_mark, dossier_in, events_after, login
from workflow import services
from workflow.timeline import FIELD_LABELS

REASON = "Thiếu minh chứng xếp loại năm 2026; bổ sung biên bản họp."


def vi(text) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


class _ClassText(HTMLParser):
    """The text inside every element whose class attribute has the given class."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class = css_class
        self.depth = 0  # open elements inside the current match, 0 when outside
        self.found: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append([])

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1].append(data)


def text_in_class(response, css_class: str) -> list[str]:
    parser = _ClassText(css_class)
    parser.feed(response.content.decode())
    return [" ".join("".join(parts).split()) for parts in parser.found]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def version_of(dossier) -> int:
    return Dossier.objects.values_list("version", flat=True).get(pk=dossier.pk)


def act(client, dossier, action, reason="", follow=False):
    return client.post(
        f"/dossiers/{dossier.pk}/act/{action}/",
        {"version": version_of(dossier), "reason": reason},
        follow=follow,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def as_reviewer(reviewer):
    return login(reviewer)


@pytest.fixture
def as_head_a(head_a):
    return login(head_a)


# The queue


def test_the_submitted_list_shows_submitted_dossiers_oldest_first(
    media, as_reviewer, period, unit_a, unit_b
):
    now = timezone.now()
    newest = dossier_in(State.SUBMITTED, period, unit_a)
    oldest = dossier_in(State.SUBMITTED, period, unit_b)
    middle = dossier_in(State.SUBMITTED, period, unit_a)
    draft = make_dossier(period, unit_a)
    for dossier, days_ago in ((newest, 1), (oldest, 9), (middle, 4), (draft, 20)):
        Dossier.objects.filter(pk=dossier.pk).update(
            updated_at=now - datetime.timedelta(days=days_ago)
        )

    response = as_reviewer.get("/dossiers/", {"state": "submitted"})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [oldest, middle, newest]
    content = response.content.decode()
    positions = [content.index(f'href="/dossiers/{d.pk}/"') for d in (oldest, middle, newest)]
    assert positions == sorted(positions)
    assert f'href="/dossiers/{draft.pk}/"' not in content


def test_the_unfiltered_list_shows_the_latest_change_first(media, as_reviewer, period, unit_a):
    now = timezone.now()
    older = dossier_in(State.SUBMITTED, period, unit_a)
    newer = make_dossier(period, unit_a)
    Dossier.objects.filter(pk=older.pk).update(updated_at=now - datetime.timedelta(days=3))
    Dossier.objects.filter(pk=newer.pk).update(updated_at=now - datetime.timedelta(days=1))

    response = as_reviewer.get("/dossiers/")

    assert list(response.context["page"].object_list) == [newer, older]


def test_an_unknown_state_filter_shows_every_state(media, as_reviewer, period, unit_a):
    submitted = dossier_in(State.SUBMITTED, period, unit_a)
    draft = make_dossier(period, unit_a)

    response = as_reviewer.get("/dossiers/", {"state": "nonsense"})

    assert response.status_code == 200
    assert set(response.context["page"].object_list) == {submitted, draft}


def test_a_unit_head_s_list_holds_only_the_own_unit_s_dossiers(
    media, as_head_a, period, unit_a, unit_b
):
    own = dossier_in(State.SUBMITTED, period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_b)

    response = as_head_a.get("/dossiers/", {"state": "submitted"})

    assert list(response.context["page"].object_list) == [own]


# The buttons


def test_a_submitted_dossier_offers_the_reviewer_approve_return_and_decline(
    media, as_reviewer, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    response = as_reviewer.get(f"/dossiers/{dossier.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert [a.action for a in response.context["actions"]] == [
        "approve",
        "return_for_revision",
        "decline",
        "suspend",
    ]
    for action in ("approve", "return_for_revision", "decline"):
        assert f'action="/dossiers/{dossier.pk}/act/{action}/"' in content
    for label in ("Approve for the council", "Return for revision", "Decline"):
        assert escape(vi(label)) in content
    assert f"/dossiers/{dossier.pk}/edit/" not in content


def test_a_unit_head_is_not_offered_the_reviewer_s_buttons(media, as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    for action in ("approve", "return_for_revision", "decline"):
        assert f"/act/{action}/" not in content
    assert [a.action for a in response.context["actions"]] == ["withdraw"]


def test_a_unit_head_who_posts_approve_anyway_is_refused(media, as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    response = act(as_head_a, dossier, "approve", follow=True)

    assert response.status_code == 200
    assert messages_of(response)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.SUBMITTED, 2)  # created 1, submitted 2
    assert not events_after(mark).exists()


def test_the_reviewer_approves_a_submitted_dossier(media, as_reviewer, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    act(as_reviewer, dossier, "approve")

    dossier.refresh_from_db()
    assert dossier.state == State.REVIEWED
    assert events_after(mark).get().action == "dossier.approved"


# Returning for revision


def test_returning_without_a_reason_shows_an_error_and_changes_nothing(
    media, as_reviewer, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    response = act(as_reviewer, dossier, "return_for_revision", reason="   ", follow=True)

    assert response.status_code == 200
    shown = " ".join(messages_of(response))
    assert vi("A reason is required for this action.") in shown
    assert escape(vi("A reason is required for this action.")) in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (State.SUBMITTED, 2)  # created 1, submitted 2
    assert not events_after(mark).exists()


def test_declining_without_a_reason_changes_nothing(media, as_reviewer, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    act(as_reviewer, dossier, "decline")

    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert not events_after(mark).exists()


def test_returning_with_a_reason_moves_the_dossier_to_returned(media, as_reviewer, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    response = act(as_reviewer, dossier, "return_for_revision", reason=REASON)

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.RETURNED
    event = events_after(mark).get()
    assert (event.action, event.reason) == ("dossier.returned", REASON)


def test_the_unit_head_sees_the_reason_of_the_return_prominently(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    act(as_reviewer, dossier, "return_for_revision", reason=REASON)

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    returned = text_in_class(response, "returned")
    assert len(returned) == 1
    assert REASON in returned[0]
    assert vi("Returned for revision") in returned[0]


def test_the_reason_of_a_return_is_shown_as_text_not_markup(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    act(as_reviewer, dossier, "return_for_revision", reason='<script>alert("x")</script>')

    response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    content = response.content.decode()
    assert '<script>alert("x")</script>' not in content
    assert '<script>alert("x")</script>' in text_in_class(response, "returned")[0]


def test_only_the_latest_return_is_shown(media, as_reviewer, as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    act(as_reviewer, dossier, "return_for_revision", reason="Lần một: thiếu biên bản.")
    act(as_head_a, dossier, "resubmit")
    act(as_reviewer, dossier, "return_for_revision", reason="Lần hai: sai họ tên.")

    returned = text_in_class(as_head_a.get(f"/dossiers/{dossier.pk}/"), "returned")

    assert len(returned) == 1
    assert "Lần hai: sai họ tên." in returned[0]
    assert "Lần một" not in returned[0]


def test_a_draft_shows_no_returned_section(media, as_head_a, period, unit_a):
    dossier = make_dossier(period, unit_a)

    assert text_in_class(as_head_a.get(f"/dossiers/{dossier.pk}/"), "returned") == []


# Revising and resubmitting


NEW_SUMMARY = "Bổ sung: đạt giải Nhì hội giảng cấp tỉnh năm 2026."


def return_revise_and_resubmit(as_reviewer, as_head_a, dossier):
    """The reviewer returns it; the head edits the summary, adds a document and resubmits."""
    act(as_reviewer, dossier, "return_for_revision", reason=REASON)
    edited = as_head_a.post(
        f"/dossiers/{dossier.pk}/edit/",
        {
            "version": version_of(dossier),
            "nominee": f"p:{dossier.nominee_person_id}",
            "award_type": dossier.award_type_id,
            "achievement_summary": NEW_SUMMARY,
        },
    )
    assert edited.status_code == 302
    added = as_head_a.post(
        f"/dossiers/{dossier.pk}/documents/",
        {
            "kind": DocumentKind.objects.get(code="initiative_evidence").pk,
            "version": version_of(dossier),
            "file": pdf_upload("Quyết định công nhận sáng kiến.pdf"),
        },
    )
    assert added.status_code == 302
    resubmitted = act(as_head_a, dossier, "resubmit")
    assert resubmitted.status_code == 302
    dossier.refresh_from_db()
    return dossier


def test_a_revised_dossier_can_be_resubmitted(media, as_reviewer, as_head_a, period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    dossier = return_revise_and_resubmit(as_reviewer, as_head_a, dossier)

    assert dossier.state == State.SUBMITTED
    assert dossier.achievement_summary == NEW_SUMMARY
    assert dossier.documents.filter(original_name="Quyết định công nhận sáng kiến.pdf").exists()
    assert list(events_after(mark).values_list("action", flat=True)) == [
        "dossier.returned",
        "dossier.edited",
        "dossier.document_added",
        "dossier.resubmitted",
    ]


def test_the_resubmitted_event_records_the_changes_since_the_return(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    old_summary = dossier.achievement_summary

    return_revise_and_resubmit(as_reviewer, as_head_a, dossier)

    changes = AuditEvent.objects.get(action="dossier.resubmitted").payload["changes_since_return"]
    assert [c["action"] for c in changes] == ["dossier.edited", "dossier.document_added"]
    assert changes[0]["changes"] == {"achievement_summary": [old_summary, NEW_SUMMARY]}
    assert changes[1]["document"]["name"] == "Quyết định công nhận sáng kiến.pdf"
    assert changes[1]["document"]["kind"] == "initiative_evidence"


def test_the_reviewer_sees_the_document_added_since_the_return(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    return_revise_and_resubmit(as_reviewer, as_head_a, dossier)

    response = as_reviewer.get(f"/dossiers/{dossier.pk}/")

    changed = text_in_class(response, "changes")
    assert len(changed) == 1
    assert vi("Changed since it was returned") in changed[0]
    assert vi("Document added") in changed[0]
    assert "Quyết định công nhận sáng kiến.pdf" in changed[0]


def test_the_reviewer_sees_the_field_changed_since_the_return_by_its_name(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    return_revise_and_resubmit(as_reviewer, as_head_a, dossier)

    response = as_reviewer.get(f"/dossiers/{dossier.pk}/")

    changed = text_in_class(response, "changes")[0]
    assert vi("Dossier edited") in changed
    # The field as the user knows it ("tóm tắt thành tích"), not the column name.
    assert vi(FIELD_LABELS["achievement_summary"]) in changed
    assert "achievement_summary" not in changed


def test_a_dossier_resubmitted_unchanged_shows_no_changes_section(
    media, as_reviewer, as_head_a, period, unit_a
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    act(as_reviewer, dossier, "return_for_revision", reason=REASON)
    act(as_head_a, dossier, "resubmit")

    response = as_reviewer.get(f"/dossiers/{dossier.pk}/")

    assert text_in_class(response, "changes") == []
    event = AuditEvent.objects.get(action="dossier.resubmitted")
    assert event.payload["changes_since_return"] == []


# Query counts stay constant as history, documents and dossiers grow


# Measured with a short history; the same bound must hold for a history ten times as long.
# + document kind names in the history, delegations received, the award's rules (two for
# this award) and the unit's share rated excellent (cap, ratings, last year's unit titles),
# + the rules in force and the nominee's registration, + the institution's caps on the award.
DETAIL_QUERY_BOUND = 20
LIST_QUERY_BOUND = 9  # + delegations received, inbox badge


def dossier_with_history(period, unit, head, reviewer, rounds: int) -> Dossier:
    """A resubmitted dossier whose revision added `rounds` edits and `rounds` documents."""
    dossier = dossier_in(State.SUBMITTED, period, unit)
    services.transition(
        dossier_id=dossier.pk,
        action="return_for_revision",
        person=reviewer,
        expected_version=version_of(dossier),
        reason=REASON,
    )
    kind = DocumentKind.objects.get(code="initiative_evidence")
    for n in range(rounds):
        dossier_services.update_dossier(
            dossier_id=dossier.pk,
            person=head,
            expected_version=version_of(dossier),
            achievement_summary=f"Bản sửa số {n}",
        )
        dossier_services.add_document(
            dossier_id=dossier.pk,
            person=head,
            expected_version=version_of(dossier),
            kind=kind,
            upload=pdf_upload(f"minh-chung-{n}.pdf"),
        )
    services.transition(
        dossier_id=dossier.pk,
        action="resubmit",
        person=head,
        expected_version=version_of(dossier),
    )
    return dossier


@pytest.mark.parametrize("rounds", [1, 10])
def test_the_detail_page_s_query_count_does_not_grow_with_its_history(
    media, as_reviewer, reviewer, head_a, period, unit_a, rounds, django_assert_max_num_queries
):
    dossier = dossier_with_history(period, unit_a, head_a, reviewer, rounds)
    # Before the return: created, its 3 required documents added, submitted. Then returned,
    # `rounds` edits and documents, resubmitted.
    events = 5 + 2 * rounds + 2
    assert AuditEvent.objects.filter(object_id=str(dossier.pk)).count() == events

    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        response = as_reviewer.get(f"/dossiers/{dossier.pk}/")

    assert response.status_code == 200
    assert len(response.context["events"]) == events
    assert f"minh-chung-{rounds - 1}.pdf" in response.content.decode()


@pytest.mark.parametrize("rounds", [1, 10])
def test_the_unit_head_s_detail_page_s_query_count_does_not_grow_with_its_history(
    media, as_head_a, reviewer, head_a, period, unit_a, rounds, django_assert_max_num_queries
):
    dossier = dossier_with_history(period, unit_a, head_a, reviewer, rounds)
    services.transition(
        dossier_id=dossier.pk,
        action="return_for_revision",
        person=reviewer,
        expected_version=version_of(dossier),
        reason=REASON,
    )

    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        response = as_head_a.get(f"/dossiers/{dossier.pk}/")

    assert response.status_code == 200
    assert response.context["may_edit"]


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_page_s_query_count_does_not_grow_with_the_dossiers(
    media, as_reviewer, period, unit_a, count, django_assert_max_num_queries
):
    for _n in range(count):
        dossier_in(State.SUBMITTED, period, unit_a)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_reviewer.get("/dossiers/", {"state": "submitted"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count
