"""Test data: model-bakery recipes, and dossiers brought to a state the way users bring them.

`dossier_in(state, ...)` walks a new dossier through the real services — the one door, the
council's meeting and ballots, decisions, notices, proposals upward — so every state it returns
has the audit trail, the viewflow task and the meeting or decision that state implies;
`dossiers_in` brings many through one meeting; `perform` takes any lifecycle action the way
people take it. No test needs to write a state into a row. Since every dossier comes with its
history, a test looks at what its own step wrote with `audit_mark()` and `events_after(mark)`.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
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


def audit_mark() -> int:
    """Where the audit trail ends now: `events_after(mark)` are the events appended since.

    For tests of one step on a dossier that came with its history.
    """
    from audit.models import AuditEvent

    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def events_after(mark: int):
    """The audit events appended after `mark` (see audit_mark), oldest first."""
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(pk__gt=mark).order_by("pk")


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
        roles = [role, Role.COUNCIL_MEMBER] if role in self.SITS_ON_COUNCIL else [role]
        return make_person(self.institution, unit or self.office, roles=roles, role_unit=unit)

    @property
    def office(self) -> Unit:
        """Where the officers it makes work: an office of their own, so that making them
        changes no faculty's membership (a collective's share of titled members, say)."""
        return Unit.objects.get_or_create(
            institution=self.institution, code="cast-office",
            defaults={"name": "Phòng Tổ chức - Hành chính", "kind": Unit.Kind.OFFICE},
        )[0]  # fmt: skip

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
        while len(members) < size:
            members.append(make_person(self.institution, self.office, roles=[Role.COUNCIL_MEMBER]))
        return members


def nominee_for(award: AwardType, unit: Unit, period: Period, rating=Rating.COMPLETED_WELL):
    """A member of the unit rated for the period (or the unit itself for a collective award).

    `rating=None`: a member with no rating for the period.
    """
    from tests.conftest import make_person

    if award.nominee_kind == AwardType.NomineeKind.COLLECTIVE:
        return unit
    person = make_person(unit.institution, unit)
    if rating:
        AnnualRating.objects.create(
            institution=unit.institution, person=person, period=period, rating=rating
        )
    return person


def draft(
    period: Period,
    unit: Unit,
    *,
    award="advanced_worker",
    nominee=None,
    documents: bool = True,
    rating=Rating.COMPLETED_WELL,
    by: Person | None = None,
) -> Dossier:
    """A draft created by the unit head (or `by`) through the service, with its `dossier.created`
    and `dossier.document_added` events.

    `documents=False`: none of the required documents yet. `rating`: the made nominee's rating
    for the period (None: none).
    """
    from dossiers import services

    award_type = AwardType.objects.get(institution=unit.institution, code=award)
    if nominee is None:
        nominee = nominee_for(award_type, unit, period, rating=rating)
    is_unit = isinstance(nominee, Unit)
    return services.create_dossier(
        person=by or Cast(unit.institution).head_of(unit),
        unit=unit,
        period=period,
        award_type=award_type,
        achievement_summary=SUMMARY,
        nominee_person=None if is_unit else nominee,
        nominee_unit=nominee if is_unit else None,
        documents=[
            (kind, upload(f"{kind.code}.pdf"))
            for kind in award_type.required_document_kinds.order_by("code")
        ]
        if documents
        else [],
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


def eligible_rating(award: AwardType) -> Rating:
    """The lowest rating with which a nominee may be proposed for `award`."""
    if award.requires_excellence_or_initiative or award.min_rating == Rating.COMPLETED_EXCELLENTLY:
        return Rating.COMPLETED_EXCELLENTLY
    return Rating.COMPLETED_WELL


def qualify(dossier: Dossier) -> None:
    """Give the nominee the title history its award asks for besides the rating (imported
    records): the prerequisite's earlier consecutive years, or, for a nominated collective, the
    members' title of the year for every present member (and one member's title where the award
    asks it), or the initiative of the scope the award needs."""
    from dossiers.models import TitleRecord

    award = dossier.award_type
    year = dossier.period.year

    def imported(**holder):
        TitleRecord.objects.get_or_create(
            **holder, defaults={"institution": dossier.institution,
                                "source": TitleRecord.Source.IMPORTED},
        )  # fmt: skip

    if dossier.nominee_person_id and award.prerequisite_award_id:
        for n in range(1, award.prerequisite_consecutive_years + 1):
            imported(person=dossier.nominee_person, award_type=award.prerequisite_award,
                     year=year - n)  # fmt: skip
    if dossier.nominee_person_id and award.same_period_award_id:
        imported(person=dossier.nominee_person, award_type=award.same_period_award, year=year)
    if dossier.nominee_unit_id and award.member_award_id:
        for member in Person.objects.filter(unit=dossier.nominee_unit):
            imported(person=member, award_type=award.member_award, year=year)
    if dossier.nominee_unit_id and award.member_one_award_id:
        first = Person.objects.filter(unit=dossier.nominee_unit).order_by("pk").first()
        if first is not None:
            imported(person=first, award_type=award.member_one_award, year=year)
    if dossier.nominee_person_id and award.required_initiative_scope:
        from dossiers.models import RecognisedInitiative

        RecognisedInitiative.objects.get_or_create(
            person=dossier.nominee_person, period=dossier.period,
            scope=award.required_initiative_scope,
            defaults={"institution": dossier.institution, "title": "Sáng kiến",
                      "kind": RecognisedInitiative.Kind.INITIATIVE,
                      "recognised_on": dossier.period.starts_on},
        )  # fmt: skip


# The steps after the review, each done by the service that does it for people (the council's
# meeting, the notices, the proposal upward, the decisions), as `by` or the cast's holder of the
# role. Each takes a dossier in the state the step starts from and returns it, refreshed, in the
# state the step leads to.


def open_vote(d: Dossier, by: Person | None = None) -> Dossier:
    """A reviewed dossier put on a new meeting's agenda by the secretary, who opens the vote."""
    from council import services as council

    cast = Cast(d.institution)
    secretary = by or cast.secretary
    council_members = cast.council()
    meeting = council.create_meeting(
        person=secretary, period=d.period, title="Phiên họp xét thi đua",
        held_on=timezone.now(), place="Phòng họp A", chair=cast.principal,
    )  # fmt: skip
    assert meeting.members.count() >= len(council_members)
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk])
    council.open_meeting(meeting_id=meeting.pk, person=secretary)
    d.refresh_from_db()
    return d


def close_vote(d: Dossier, choice: str = "agree", by: Person | None = None) -> Dossier:
    """Every member of the open meeting the dossier is on votes `choice`; the secretary closes."""
    from council import services as council
    from council.models import AgendaItem, Meeting

    item = AgendaItem.objects.get(dossier=d, meeting__state=Meeting.State.OPEN)
    for member in item.meeting.members.select_related("person"):
        council.cast_ballot(
            meeting_id=item.meeting_id, person=member.person,
            choices=unrecused(item.meeting, member.person, {item.pk: choice}),
        )  # fmt: skip
    council.close_meeting(meeting_id=item.meeting_id, person=by or Cast(d.institution).secretary)
    d.refresh_from_db()
    return d


def unrecused(meeting, person: Person, choices: dict[int, str]) -> dict[int, str]:
    """The choices without the items the member is recused from (a nominee, a nominated head)."""
    from council.recusal import recused_items

    recused = recused_items(meeting, person.pk)
    return {item_id: pick for item_id, pick in choices.items() if item_id not in recused}


def publish(d: Dossier, by: Person | None = None, *, today=None) -> Dossier:
    """The secretary opens the public notice on a recommended dossier (as on `today`)."""
    from decisions import notices

    if not d.award_type.public_notice_applies:
        raise ValueError(f"“{d.award_type}” has no public-notice period: choose another award")
    secretary = by or Cast(d.institution).secretary
    notices.publish(dossier_ids=[d.pk], person=secretary, today=today)
    d.refresh_from_db()
    return d


def submit_upward(d: Dossier, by: Person | None = None) -> Dossier:
    """The principal proposes a recommended dossier to the higher authority, with a memo."""
    from decisions import upward

    upward.submit_upward(dossier_ids=[d.pk], person=by or Cast(d.institution).principal)
    d.refresh_from_db()
    return d


def record_outcome(d: Dossier, by: Person | None = None, *, granted: bool = True) -> Dossier:
    """A reviewer records the higher authority's decision on a dossier submitted upward."""
    from decisions import upward

    return upward.record_outcome(
        dossier_id=d.pk, person=by or Cast(d.institution).reviewer, granted=granted,
        decision_number="15/QĐ-UBND", decision_date=timezone.localdate(),
    )  # fmt: skip


def sign(d: Dossier, by: Person | None = None) -> Dossier:
    """The secretary prepares an award decision naming the dossier; the principal signs it."""
    from decisions import services as decisions

    cast = Cast(d.institution)
    signing_certificate()
    own_certificate(by or cast.principal)
    decision = decisions.prepare_decision(
        person=cast.secretary, award_type=d.award_type, dossier_ids=[d.pk]
    )
    decisions.sign_decision(decision_id=decision.pk, person=by or cast.principal)
    d.refresh_from_db()
    return d


def revoke(d: Dossier, by: Person | None = None) -> Dossier:
    """The secretary prepares a revocation of the signed dossier's decision; the principal signs."""
    from decisions import services as decisions
    from decisions.models import Decision

    cast = Cast(d.institution)
    signing_certificate()
    own_certificate(by or cast.principal)
    original = Decision.objects.get(items__dossier=d, kind=Decision.Kind.AWARD)
    revocation = decisions.prepare_revocation(
        person=cast.secretary, decision_id=original.pk, dossier_ids=[d.pk], reason=REASON
    )
    decisions.sign_decision(decision_id=revocation.pk, person=by or cast.principal)
    d.refresh_from_db()
    return d


def perform(dossier: Dossier, action: str, person: Person, *, reason: str = "", **arguments):
    """Any lifecycle action, by `person`, as people do it. One offered on the dossier page goes
    through the one door; one done on another page (the meeting, the notice, the decision, the
    proposal upward) is done by that page's service, which goes through the door itself.

    `close_vote` takes `recommended` (the members all agree, or all disagree); `record_outcome`
    takes `granted`; other arguments are the service's own (a notice's end, a memo's hash...).
    """
    from workflow import transitions

    match action:
        case "open_vote":
            return open_vote(dossier, person)
        case "close_vote":
            agree = arguments.get("recommended", True)
            return close_vote(dossier, "agree" if agree else "disagree", person)
        case "publish":
            return publish(dossier, person)
        case "sign":
            return sign(dossier, person)
        case "revoke":
            return revoke(dossier, person)
        case "submit_upward":
            return submit_upward(dossier, person)
        case "record_outcome":
            return record_outcome(dossier, person, granted=arguments.get("granted", True))
    assert transitions.TRANSITIONS[action].done_on == "dossier", action
    return act(dossier, action, person, reason=reason)


# The path to each state: the state it starts from and the step that leaves it.
def _submitted(d, cast):
    return act(d, "submit", cast.head_of(d.unit))


def _returned(d, cast):
    return act(_submitted(d, cast), "return_for_revision", cast.reviewer, reason=REASON)


def _reviewed(d, cast):
    return act(_submitted(d, cast), "approve", cast.reviewer)


def _voting(d, cast):
    return open_vote(_reviewed(d, cast))


def _recommended(d, cast):
    return close_vote(_voting(d, cast), "agree")


def _not_recommended(d, cast):
    return close_vote(_voting(d, cast), "disagree")


def _public_notice(d, cast):
    if not d.award_type.public_notice_applies:
        raise ValueError(f"“{d.award_type}” has no public-notice period: choose another award")
    return publish(_recommended(d, cast))


def _public_notice_over(d, cast):
    """Published a month ago: the notice has ended, with no objection."""
    month_ago = timezone.localdate() - datetime.timedelta(days=30)
    return publish(_recommended(d, cast), today=month_ago)


def _submitted_upward(d, cast):
    return submit_upward(_recommended(d, cast))


def _signed(d, cast):
    if d.award_type.decided_by == AwardType.DecidedBy.UPWARD:
        return record_outcome(_submitted_upward(d, cast))
    if d.award_type.public_notice_applies:
        return sign(_public_notice_over(d, cast))
    return sign(_recommended(d, cast))


def _revoked(d, cast):
    return revoke(_signed(d, cast))


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


# An award whose path passes through the state: one with a public notice, one decided upward.
AWARD_REACHING = {
    State.PUBLIC_NOTICE: "grassroots_emulation_fighter",
    State.SUBMITTED_UPWARD: "provincial_certificate_of_merit",
}


def dossier_in(state: str, period: Period, unit: Unit, *, award=None, nominee=None) -> Dossier:
    """A new dossier of `unit` brought to `state` through the services people use.

    The award (its code) is "advanced_worker" unless the state needs another (AWARD_REACHING).

    Past a draft, the nominee (made, or given) qualifies for the award: the rating it needs
    (unless already rated), the earlier titles of a prerequisite, members holding the members'
    title.
    """
    award = award or AWARD_REACHING.get(state, "advanced_worker")
    cast = Cast(unit.institution)
    cast.head_of(unit)  # the unit's head exists before its members are counted
    if state == State.DRAFT:
        dossier = draft(period, unit, award=award, nominee=nominee)
    else:
        rating = eligible_rating(AwardType.objects.get(institution=unit.institution, code=award))
        if isinstance(nominee, Person):  # rated, unless the test rated them already
            AnnualRating.objects.get_or_create(
                institution=unit.institution, person=nominee, period=period,
                defaults={"rating": rating},
            )  # fmt: skip
        dossier = draft(period, unit, award=award, nominee=nominee, rating=rating)
        qualify(dossier)
    dossier = PATHS[State(state)](dossier, cast)
    assert dossier.state == state, f"reached {dossier.state}, not {state}"
    return dossier


def dossiers_in(
    state: str, period: Period, unit: Unit, count: int | None = None, *, award=None, nominees=()
) -> list[Dossier]:
    """`count` new dossiers of `unit` (or one per nominee given) brought to `state` together, as
    a council brings many: each through the door to the review, then one meeting for all of them
    (for the states after it).

    Only the states of the way to a recommendation: DRAFT, SUBMITTED, REVIEWED, VOTING,
    RECOMMENDED, NOT_RECOMMENDED. Nominees not given are made; each is rated as the award needs.
    """
    from council import services as council
    from council.models import AgendaItem

    steps = [State.DRAFT, State.SUBMITTED, State.REVIEWED, State.VOTING]
    outcome = {State.RECOMMENDED: "agree", State.NOT_RECOMMENDED: "disagree"}.get(state)
    reach = steps.index(State.VOTING if outcome else state)
    award = award or "advanced_worker"
    cast = Cast(unit.institution)
    head = cast.head_of(unit)
    rating = eligible_rating(AwardType.objects.get(institution=unit.institution, code=award))
    dossiers = []
    for nominee in list(nominees) or [None] * count:
        if isinstance(nominee, Person):
            AnnualRating.objects.get_or_create(
                institution=unit.institution, person=nominee, period=period,
                defaults={"rating": rating},
            )  # fmt: skip
        d = draft(period, unit, award=award, nominee=nominee, rating=rating, by=head)
        qualify(d)
        if reach >= 1:
            d = act(d, "submit", head)
        if reach >= 2:
            d = act(d, "approve", cast.reviewer)
        dossiers.append(d)
    if reach >= 3:
        cast.council()
        meeting = council.create_meeting(
            person=cast.secretary, period=period, title="Phiên họp xét thi đua",
            held_on=timezone.now(), place="Phòng họp A", chair=cast.principal,
        )  # fmt: skip
        ids = [d.pk for d in dossiers]
        council.set_agenda(meeting_id=meeting.pk, person=cast.secretary, dossier_ids=ids)
        council.open_meeting(meeting_id=meeting.pk, person=cast.secretary)
        if outcome:
            items = list(AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True))
            for member in meeting.members.select_related("person"):
                council.cast_ballot(
                    meeting_id=meeting.pk, person=member.person,
                    choices=unrecused(meeting, member.person, dict.fromkeys(items, outcome)),
                )  # fmt: skip
            council.close_meeting(meeting_id=meeting.pk, person=cast.secretary)
    for d in dossiers:
        d.refresh_from_db()
        assert d.state == state, f"reached {d.state}, not {state}"
    return dossiers


def signing_certificate() -> None:
    """The self-signed PKCS#12 certificate the test settings sign with, made once."""
    from dossiers.demo_certificate import create_demo_certificate

    if settings.DECISION_SIGNER == "pkcs12":
        create_demo_certificate(
            Path(settings.SIGNING_PKCS12_PATH),
            passphrase=settings.SIGNING_PKCS12_PASSPHRASE,
            common_name="Hiệu trưởng (chứng thư thử nghiệm)",
        )


_PERSONAL_CERTIFICATES: dict[tuple[str, str], Path] = {}


def personal_pkcs12(common_name: str, passphrase: str = "") -> Path:
    """A PKCS#12 file issued to `common_name`, made once per test process (keys are slow)."""
    import atexit
    import shutil
    import tempfile

    from dossiers.demo_certificate import create_demo_certificate

    key = (common_name, passphrase)
    if key not in _PERSONAL_CERTIFICATES:
        if not _PERSONAL_CERTIFICATES:
            folder = Path(tempfile.mkdtemp(prefix="personal-certificates-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _PERSONAL_CERTIFICATES[("", "")] = folder
        path = _PERSONAL_CERTIFICATES[("", "")] / f"{len(_PERSONAL_CERTIFICATES)}.p12"
        # Valid whatever date a test's clock is set to.
        create_demo_certificate(
            path, passphrase=passphrase, common_name=common_name, days=100 * 365,
            valid_from=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        )  # fmt: skip
        _PERSONAL_CERTIFICATES[key] = path
    return _PERSONAL_CERTIFICATES[key]


def own_certificate(person: Person, passphrase: str = ""):
    """Register, for `person`, a PKCS#12 certificate on the server issued to their name (once)."""
    from audit import log
    from decisions import credentials
    from decisions.models import SigningCredential

    existing = credentials.active(person).filter(kind=SigningCredential.Kind.PKCS12).first()
    if existing is not None:
        return existing
    path = personal_pkcs12(person.full_name, passphrase)
    signer = credentials.pkcs12_signer(path, passphrase)
    return credentials.register(
        person=person, kind=SigningCredential.Kind.PKCS12, label="Chứng thư thử nghiệm",
        certificate=credentials.Certificate.load(signer.signing_cert.dump()),
        actor=log.SYSTEM, pkcs12_path=str(path),
    )  # fmt: skip


def earlier_mail_delivered() -> None:
    """Deliver the mail of the steps that built a test's data, and forget it: the test then sees
    only the mail of the step it takes (every step's mail waits in the outbox until a drain)."""
    from django.core import mail

    from outbox.services import drain

    drain()
    mail.outbox.clear()


def sign_committed(**arguments):
    """sign_decision, then the commit played: the signed PDF gets its final name on commit."""
    from django.test import TestCase

    from decisions.services import sign_decision

    with TestCase.captureOnCommitCallbacks(execute=True):
        return sign_decision(**arguments)
