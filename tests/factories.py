"""Test data: model-bakery recipes, and dossiers brought to a state the way users bring them.

`dossier_in(state, ...)` walks a new dossier through the real services — the one door, the
council's meeting and ballots, decisions, notices, proposals upward — so every state it returns
has the audit trail, the viewflow task and the meeting or decision that state implies. No test
needs to write a state into a row.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from model_bakery.recipe import Recipe, seq

from dossiers.models import (
    AnnualRating,
    AwardType,
    Dossier,
    Institution,
    Period,
    Person,
    Rating,
    Role,
    RoleAssignment,
    State,
    Unit,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUMMARY = "Hoàn thành xuất sắc nhiệm vụ giảng dạy."
REASON = "Lý do ghi trong hồ sơ thử nghiệm."

institution_recipe = Recipe(
    Institution,
    code=seq("college-"),
    name=seq("Trường Cao đẳng Thử nghiệm "),
    short_name=seq("CĐTN"),
    parent_body="UBND TỈNH BẮC NINH",
    place="Bắc Ninh",
    decision_series=seq("QĐ-CĐTN"),
)
unit_recipe = Recipe(Unit, code=seq("khoa-"), name=seq("Khoa "), kind=Unit.Kind.FACULTY)
period_recipe = Recipe(
    Period,
    name="Năm 2026",
    kind=Period.Kind.CALENDAR_YEAR,
    starts_on=datetime.date(2026, 1, 1),
    ends_on=datetime.date(2026, 12, 31),
    is_current=True,
)


def login(person_or_user) -> Client:
    """A browser signed in as this person (or user account)."""
    client = Client()
    client.force_login(getattr(person_or_user, "user", person_or_user))
    return client


def upload(name: str = "tai-lieu.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class Cast:
    """The people a dossier meets on its way, one per role, found or made in the institution."""

    def __init__(self, institution: Institution):
        self.institution = institution

    def holder(self, role: str, unit: Unit | None = None) -> Person:
        """Someone holding `role` (of `unit`, for a unit-scoped role); made when nobody does."""
        from tests.conftest import make_person

        held = RoleAssignment.objects.active().filter(institution=self.institution, role=role)
        if role in Role.UNIT_SCOPED:
            held = held.filter(unit=unit)
        found = held.select_related("person").order_by("pk").first()
        if found:
            return found.person
        home = unit or Unit.objects.filter(institution=self.institution).order_by("pk").first()
        if home is None:
            home = unit_recipe.make(institution=self.institution)
        roles = [role, Role.COUNCIL_MEMBER] if role in self.SITS_ON_COUNCIL else [role]
        return make_person(self.institution, home, roles=roles, role_unit=unit)

    # The principal chairs the council and the secretary sits on it (design.md).
    SITS_ON_COUNCIL = (Role.PRINCIPAL, Role.COUNCIL_SECRETARY)

    def head_of(self, unit: Unit) -> Person:
        return self.holder(Role.UNIT_HEAD, unit)

    @property
    def reviewer(self) -> Person:
        return self.holder(Role.REVIEWER)

    @property
    def secretary(self) -> Person:
        return self.holder(Role.COUNCIL_SECRETARY)

    @property
    def principal(self) -> Person:
        return self.holder(Role.PRINCIPAL)

    def council(self, size: int = 3) -> list[Person]:
        """At least `size` council members, the principal and the secretary among them."""
        from tests.conftest import make_person

        _chair_and_secretary = (self.principal, self.secretary)  # made first: they sit on it
        members = list(
            Person.objects.filter(
                pk__in=RoleAssignment.objects.active()
                .filter(institution=self.institution, role=Role.COUNCIL_MEMBER)
                .values("person_id")
            )
        )
        home = self.principal.unit
        while len(members) < size:
            members.append(make_person(self.institution, home, roles=[Role.COUNCIL_MEMBER]))
        return members


def nominee_for(award: AwardType, unit: Unit, period: Period, rating=Rating.COMPLETED_WELL):
    """A member of the unit rated for the period (or the unit itself for a collective award)."""
    from tests.conftest import make_person

    if award.nominee_kind == AwardType.NomineeKind.COLLECTIVE:
        return unit
    person = make_person(unit.institution, unit)
    AnnualRating.objects.create(
        institution=unit.institution, person=person, period=period, rating=rating
    )
    return person


def draft(period: Period, unit: Unit, *, award="advanced_worker", nominee=None) -> Dossier:
    """A draft created by the unit head through the service, with every required document."""
    from dossiers import services

    award_type = AwardType.objects.get(institution=unit.institution, code=award)
    nominee = nominee if nominee is not None else nominee_for(award_type, unit, period)
    is_unit = isinstance(nominee, Unit)
    return services.create_dossier(
        person=Cast(unit.institution).head_of(unit),
        unit=unit,
        period=period,
        award_type=award_type,
        achievement_summary=SUMMARY,
        nominee_person=None if is_unit else nominee,
        nominee_unit=nominee if is_unit else None,
        documents=[
            (kind, upload(f"{kind.code}.pdf"))
            for kind in award_type.required_document_kinds.order_by("code")
        ],
    )


def act(dossier: Dossier, action: str, person: Person, *, reason: str = "") -> Dossier:
    """One lifecycle action through the one door, as the person saw the dossier."""
    from workflow import services

    dossier.refresh_from_db()
    return services.transition(
        dossier_id=dossier.pk,
        action=action,
        person=person,
        expected_version=dossier.version,
        reason=reason,
    )


# The path to each state: the state it starts from and the step that leaves it.
def _submitted(d, cast):
    return act(d, "submit", cast.head_of(d.unit))


def _returned(d, cast):
    return act(_submitted(d, cast), "return_for_revision", cast.reviewer, reason=REASON)


def _reviewed(d, cast):
    return act(_submitted(d, cast), "approve", cast.reviewer)


def _voting(d, cast):
    from council import services as council

    d = _reviewed(d, cast)
    council_members = cast.council()
    meeting = council.create_meeting(
        person=cast.secretary, period=d.period, title="Phiên họp xét thi đua",
        held_on=timezone.now(), place="Phòng họp A", chair=cast.principal,
    )  # fmt: skip
    assert meeting.members.count() >= len(council_members)
    council.set_agenda(meeting_id=meeting.pk, person=cast.secretary, dossier_ids=[d.pk])
    council.open_meeting(meeting_id=meeting.pk, person=cast.secretary)
    d.refresh_from_db()
    return d


def _vote(d, cast, choice: str):
    from council import services as council
    from council.models import AgendaItem, Meeting

    d = _voting(d, cast)
    item = AgendaItem.objects.get(dossier=d, meeting__state=Meeting.State.OPEN)
    for member in item.meeting.members.select_related("person"):
        council.cast_ballot(
            meeting_id=item.meeting_id, person=member.person, choices={item.pk: choice}
        )
    council.close_meeting(meeting_id=item.meeting_id, person=cast.secretary)
    d.refresh_from_db()
    return d


def _recommended(d, cast):
    return _vote(d, cast, "agree")


def _not_recommended(d, cast):
    return _vote(d, cast, "disagree")


def _public_notice(d, cast):
    from decisions import notices

    if not d.award_type.public_notice_applies:
        raise ValueError(f"“{d.award_type}” has no public-notice period: choose another award")
    d = _recommended(d, cast)
    notices.publish(dossier_ids=[d.pk], person=cast.secretary)
    d.refresh_from_db()
    return d


def _submitted_upward(d, cast):
    from decisions import upward

    d = _recommended(d, cast)
    upward.submit_upward(dossier_ids=[d.pk], person=cast.principal)
    d.refresh_from_db()
    return d


def _signed(d, cast):
    from decisions import services as decisions

    if d.award_type.decided_by == AwardType.DecidedBy.UPWARD:
        d = _submitted_upward(d, cast)
        from decisions import upward

        return upward.record_outcome(
            dossier_id=d.pk, person=cast.reviewer, granted=True,
            decision_number="15/QĐ-UBND", decision_date=timezone.localdate(),
        )  # fmt: skip
    d = _recommended(d, cast)
    _signing_certificate()
    decision = decisions.prepare_decision(
        person=cast.secretary, award_type=d.award_type, dossier_ids=[d.pk]
    )
    decisions.sign_decision(decision_id=decision.pk, person=cast.principal)
    d.refresh_from_db()
    return d


def _revoked(d, cast):
    from decisions import services as decisions
    from decisions.models import Decision

    d = _signed(d, cast)
    original = Decision.objects.get(items__dossier=d, kind=Decision.Kind.AWARD)
    revocation = decisions.prepare_revocation(
        person=cast.secretary, decision_id=original.pk, dossier_ids=[d.pk], reason=REASON
    )
    decisions.sign_decision(decision_id=revocation.pk, person=cast.principal)
    d.refresh_from_db()
    return d


PATHS = {
    State.DRAFT: lambda d, cast: d,
    State.SUBMITTED: _submitted,
    State.RETURNED: _returned,
    State.WITHDRAWN: lambda d, cast: act(d, "withdraw", cast.head_of(d.unit)),
    State.DECLINED: lambda d, cast: act(_submitted(d, cast), "decline", cast.reviewer,
                                        reason=REASON),
    State.SUSPENDED: lambda d, cast: act(_submitted(d, cast), "suspend", cast.reviewer,
                                         reason=REASON),
    State.REVIEWED: _reviewed,
    State.VOTING: _voting,
    State.RECOMMENDED: _recommended,
    State.NOT_RECOMMENDED: _not_recommended,
    State.PUBLIC_NOTICE: _public_notice,
    State.SUBMITTED_UPWARD: _submitted_upward,
    State.SIGNED: _signed,
    State.REVOKED: _revoked,
}  # fmt: skip


def dossier_in(state: str, period: Period, unit: Unit, *, award="advanced_worker", nominee=None):
    """A new dossier of `unit` brought to `state` through the services people use."""
    dossier = draft(period, unit, award=award, nominee=nominee)
    dossier = PATHS[State(state)](dossier, Cast(unit.institution))
    assert dossier.state == state, f"reached {dossier.state}, not {state}"
    return dossier


def _signing_certificate() -> None:
    """The self-signed PKCS#12 certificate the test settings sign with, made once."""
    from dossiers.demo_certificate import create_demo_certificate

    if settings.DECISION_SIGNER == "pkcs12":
        create_demo_certificate(
            Path(settings.SIGNING_PKCS12_PATH),
            passphrase=settings.SIGNING_PKCS12_PASSPHRASE,
            common_name="Hiệu trưởng (chứng thư thử nghiệm)",
        )
