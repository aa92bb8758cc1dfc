"""The auditor reads every page and changes nothing: every write answers 403, the admin too."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEvent
from council.models import AgendaItem
from decisions.services import prepare_decision
from dossiers.models import Delegation, Dossier, Institution, Role, State
from tests.factories import Cast, dossier_in, login
from workflow import process
from workflow.transitions import buttons

# Each write the product offers, by URL name, with the object its URL names ("pk" kind).
WRITES = [
    ("dossier_create", None),
    ("dossier_edit", "dossier"),
    ("document_add", "dossier"),
    ("document_remove", "document"),
    *[(f"dossier_act:{t.action}", "dossier") for t in buttons()],
    ("task_take", "task"),
    ("task_release", "task"),
    ("task_reassign", "task"),
    ("delegation_create", None),
    ("delegation_end", "delegation"),
    ("meeting_create", None),
    ("meeting_agenda", "meeting"),
    ("meeting_attendance", "meeting"),
    ("meeting_open", "meeting"),
    ("meeting_close", "meeting"),
    ("meeting_written_ballot", "meeting"),
    ("meeting_ballot", "meeting"),
    # The decisions' pages, where this build has them.
    ("decision_new", None),
    ("decision_sign", "decision"),
    ("decision_remove_item", "decision"),
    ("decision_revoke", "decision"),
]
READS = [
    ("home", None),
    ("inbox", None),
    ("dossier_list", None),
    ("dossier_detail", "dossier"),
    ("dossier_flow", "dossier"),
    ("document_download", "document"),
    ("meeting_list", None),
    ("meeting_detail", "meeting"),
    ("meeting_results", "meeting"),
    ("audit_trail", None),
    ("audit_dossier", "dossier"),
    # Pages of the decisions and public notices, where this build has them.
    ("decision_list", None),
    ("decision_detail", "decision"),
    ("notice_board", None),
]
# Open to an auditor whatever the method: they change the browser's session, store nothing, or
# (a chain verification) record only that the auditor asked.
OPEN_TO_AUDITORS = ("logout", "set_language", "verify_decision", "integrity_request")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(media, institution, period, unit_a, head_a, principal, reviewer, auditor):
    """One of each object a write can name, and nothing delegated to the auditor."""
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    recommended = dossier_in(State.RECOMMENDED, period, unit_a)  # by a meeting, now closed
    meeting = AgendaItem.objects.get(dossier=recommended).meeting
    delegation = Delegation.objects.create(
        institution=institution, delegator=principal, delegate=reviewer, role=Role.PRINCIPAL,
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=7),
        reason="Đi công tác",
    )  # fmt: skip
    return {
        "dossier": dossier,
        "document": dossier.documents.first(),
        "task": process.open_tasks(dossier).get(),
        "meeting": meeting,
        "delegation": delegation,
        "decision": prepare_decision(
            person=Cast(institution).secretary,
            award_type=recommended.award_type,
            dossier_ids=[recommended.pk],
        ),
    }


@pytest.fixture
def as_auditor(auditor):
    return login(auditor)


def url_of(name: str, kind: str | None, world: dict) -> str:
    """The URL of a named page for the world's objects; skips pages this build does not have."""
    name, _, action = name.partition(":")
    obj = world[kind] if kind else None
    kwargs = {"pk": obj.pk} if obj is not None else {}
    if kind == "task":
        kwargs = {"task_id": obj.pk}
    if kind == "document":
        kwargs = {"pk": obj.dossier_id, "document_id": obj.pk}
    if action:
        kwargs["action"] = action
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        pytest.skip(f"this build has no {name} page")


def state_of_everything() -> tuple:
    return (
        AuditEvent.objects.count(),
        sorted(Dossier.objects.values_list("pk", "state", "version")),
        sorted(Delegation.objects.values_list("pk", "revoked_at")),
    )


def every_route() -> list[tuple[str, str]]:
    """(url name, URL) of every named route outside the admin, with placeholder arguments."""
    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, prefix)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = pattern.pattern.converters
                kwargs = {k: 1 if "Int" in type(c).__name__ else "x" for k, c in converters.items()}
                found.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))

    walk(get_resolver().url_patterns)
    return sorted(set(found))


@pytest.mark.parametrize(("name", "kind"), READS, ids=[name for name, _ in READS])
def test_an_auditor_can_read_the_page(as_auditor, world, name, kind):
    response = as_auditor.get(url_of(name, kind, world))
    response.close()  # a download holds its file open

    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kind"), WRITES, ids=[name for name, _ in WRITES])
def test_an_auditor_is_refused_the_write_and_nothing_changes(as_auditor, world, name, kind):
    url = url_of(name, kind, world)
    before = state_of_everything()

    response = as_auditor.post(url, {"version": world["dossier"].version, "reason": "Thử"})

    assert response.status_code == 403
    assert state_of_everything() == before


ROUTES = [route for route in every_route() if route[0] not in OPEN_TO_AUDITORS]


@pytest.mark.parametrize(("name", "url"), ROUTES, ids=[name for name, _ in ROUTES])
def test_every_route_refuses_a_post_from_an_auditor(as_auditor, name, url):
    assert as_auditor.post(url).status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_auditor_is_refused_other_unsafe_methods(as_auditor, world, method):
    url = reverse("dossier_detail", args=[world["dossier"].pk])

    assert getattr(as_auditor, method)(url).status_code == 403


def test_an_auditor_who_is_staff_is_refused_the_admin(as_auditor, auditor):
    auditor.user.is_staff = auditor.user.is_superuser = True
    auditor.user.save()

    assert as_auditor.get("/admin/").status_code == 403
    assert as_auditor.get("/admin/dossiers/dossier/").status_code == 403


def test_an_auditor_who_is_staff_cannot_change_anything_through_the_admin(
    as_auditor, auditor, institution
):
    auditor.user.is_staff = auditor.user.is_superuser = True
    auditor.user.save()
    before = state_of_everything()

    response = as_auditor.post(
        f"/admin/dossiers/institution/{institution.pk}/change/", {"name": "Đã sửa"}
    )

    assert response.status_code == 403
    assert Institution.objects.get(pk=institution.pk).name == institution.name
    assert state_of_everything() == before


def test_an_auditor_can_log_out(as_auditor):
    response = as_auditor.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in as_auditor.session


def test_an_auditor_can_choose_the_language(as_auditor):
    response = as_auditor.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_an_auditor_can_verify_a_decision_pdf(as_auditor):
    response = as_auditor.post(reverse("verify_decision"), {})

    assert response.status_code == 200
