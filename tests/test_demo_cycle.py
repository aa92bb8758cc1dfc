"""`manage.py demo` plays a whole cycle through the services: every state, and a signed decision
stored under MEDIA_ROOT that verifies."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from audit.models import AuditEvent
from council.models import Meeting
from decisions.models import Decision
from decisions.verification import verify_pdf
from dossiers import eligibility
from dossiers.models import Dossier, Institution

STATES = {
    "draft", "submitted", "returned", "reviewed", "voting", "recommended", "not_recommended",
    "signed", "withdrawn", "declined", "suspended",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory):
    """Signed files and the demo certificate under a temporary folder; no certificate yet."""
    root = tmp_path_factory.mktemp("demo")
    with override_settings(
        MEDIA_ROOT=root / "media",
        SIGNING_PKCS12_PATH=str(root / "signer" / "demo-signer.p12"),
        SIGNING_PKCS12_PASSPHRASE="demo-passphrase",
        DECISION_SIGNER="pkcs12",
    ):
        yield settings


@pytest.fixture(scope="module")
def demo_college(django_db_setup, django_db_blocker, demo_settings):
    """The demo, played once for the module inside a transaction rolled back at its end.

    Playing it takes seconds; each test still runs in its own savepoint inside this transaction,
    so what one test changes the next does not see.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        # Its commits played: signed PDFs get their final names, queued mails are sent.
        # The demo refuses to run without DEBUG.
        with TestCase.captureOnCommitCallbacks(execute=True), override_settings(DEBUG=True):
            call_command("demo", stdout=StringIO())
        yield Institution.objects.get(code="cdngt")
        transaction.set_rollback(True)


@pytest.fixture
def college(demo_college, db) -> Institution:
    return demo_college


def run(command: str, *args) -> int:
    """The command's exit status (0 unless it raised SystemExit)."""
    try:
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code
    return 0


@pytest.fixture
def decision(college) -> Decision:
    return Decision.objects.of(college).get(state=Decision.State.SIGNED)


def stored_pdf(decision) -> bytes:
    with decision.pdf.open("rb") as f:
        return f.read()


def test_the_demo_signs_a_decision_stored_under_media_root(decision, demo_settings):
    path = demo_settings.MEDIA_ROOT / decision.pdf.name

    assert path.is_file()
    assert decision.number == 1


def test_the_demo_decision_verifies_as_intact_and_issued_here(decision):
    verdict = verify_pdf(stored_pdf(decision))

    assert verdict.intact
    assert verdict.decision == decision


def test_the_demo_creates_its_signing_certificate_when_missing(college, demo_settings):
    from pathlib import Path

    assert Path(demo_settings.SIGNING_PKCS12_PATH).is_file()


def test_the_demo_decision_was_prepared_by_the_secretary_and_signed_by_the_principal(decision):
    assert decision.created_by.user.username == "thuky"
    assert decision.signer.user.username == "hieutruong"


def test_the_demo_leaves_dossiers_in_every_state_of_the_cycle(college):
    states = set(Dossier.objects.of(college).values_list("state", flat=True))

    assert states >= STATES


def test_the_demo_signs_every_dossier_of_its_decision(decision):
    assert {item.dossier.state for item in decision.items.select_related("dossier")} == {"signed"}


def test_the_demo_shows_a_grassroots_fighter_held_back_by_the_same_period_rule(college):
    fighter = Dossier.objects.of(college).get(award_type__code="grassroots_emulation_fighter")

    failed = [check.rule for check in eligibility.checks(fighter) if check.blocks]

    assert fighter.state == "draft"
    assert [str(rule) for rule in failed] == ["Danh hiệu trong cùng kỳ"]


def test_the_demo_leaves_a_closed_meeting_and_one_open_for_voting(college):
    states = sorted(Meeting.objects.filter(institution=college).values_list("state", flat=True))

    assert states == [Meeting.State.CLOSED, Meeting.State.OPEN]


def test_after_the_demo_every_dossier_is_consistent_with_its_tasks(college):
    assert run("check_consistency") == 0


def test_after_the_demo_the_audit_chain_verifies(college):
    assert run("verify_audit") == 0


def test_running_the_demo_again_creates_nothing(college, demo_settings):
    def counts():
        files = sorted(p for p in demo_settings.MEDIA_ROOT.rglob("*") if p.is_file())
        return [Dossier.objects.count(), Decision.objects.count(), Meeting.objects.count(),
                AuditEvent.objects.count(), files]  # fmt: skip

    before = counts()

    with override_settings(DEBUG=True):
        call_command("demo", stdout=StringIO())

    assert counts() == before


def test_the_demo_year_starts_with_the_principal_launching_its_movements(college):
    from dossiers.models import Movement

    kinds = sorted(Movement.objects.of(college).values_list("kind", flat=True))

    assert kinds == ["annual", "thematic"]
    assert AuditEvent.objects.filter(institution=college, action="movement.launched").count() == 2


def test_the_demo_units_register_their_nominees_and_themselves(college):
    from dossiers.models import Registration

    registered = Registration.objects.of(college).active()

    assert registered.filter(nominee_unit__isnull=False).count() == 5
    assert registered.filter(nominee_person__isnull=False).count() >= 20
    events = AuditEvent.objects.filter(institution=college, action="registration.created")
    assert events.count() == registered.count()


def test_the_demo_has_one_nomination_warned_about_by_the_registration_rule(college):
    warned = [
        d
        for d in Dossier.objects.of(college).filter(award_type__code="advanced_worker")
        if any(c.code == "registration" and c.warns for c in eligibility.checks(d))
    ]

    assert len(warned) == 1 and warned[0].state != "draft"


def test_the_demo_unit_meeting_put_its_minutes_into_each_of_its_dossiers(college):
    from evaluation.models import UnitMeeting

    meeting = UnitMeeting.objects.get(institution=college)
    dossiers = Dossier.objects.of(college).filter(
        unit=meeting.unit, award_type__code="advanced_worker"
    )
    given = dict(meeting.evaluations.values_list("dossier_id", "document_id"))

    assert set(given) == {d.pk for d in dossiers}
    for dossier in dossiers:
        (minutes,) = [d for d in dossier.current_documents() if d.kind.code == "unit_minutes"]
        assert minutes.pk == given[dossier.pk]
