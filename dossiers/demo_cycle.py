"""The demo's dossiers, played through the real services so every stage has something to see.

Runs once per institution (when it has no dossier yet): the principal launches the year's
movements and each unit registers its people (dossiers.demo_year); dossiers left as drafts,
submitted, returned, withdrawn, declined, suspended and reviewed; a closed council meeting whose
dossiers are recommended or not, and a second meeting still voting. Then, once per institution
(when it has no decision yet), the secretary prepares a decision over the recommended Advanced
Worker dossiers but one, and the principal signs it with the demo certificate: the signed PDF is
stored under MEDIA_ROOT like any other.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dossiers import demo_year
from dossiers import services as dossier_services
from dossiers.demo_certificate import create_demo_certificate
from dossiers.models import AnnualRating, AwardType, Dossier, Institution, Period, Person, Rating
from dossiers.models import Role as R
from workflow import services as lifecycle

# A one-page PDF, valid enough for any reader: the demo's stand-in for scanned documents.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SUMMARY = (
    "Hoàn thành xuất sắc nhiệm vụ giảng dạy và nghiên cứu khoa học; tích cực đổi mới phương "
    "pháp dạy học, hướng dẫn sinh viên thực tập sư phạm đạt kết quả tốt."
)
DEMO_SIGNER = "Hiệu trưởng (chứng thư demo)"

# How far each unit's nominees go, in order: "council" ones are voted on at the closed meeting,
# "voting" ones are on the agenda of the meeting still open.
PLAN = {
    "gdth": ["draft", "submitted", "returned", "council", "council", "council"],
    "gdmn": ["draft", "submitted", "returned", "council", "council"],
    "khtn": ["draft", "withdrawn", "declined", "reviewed", "voting"],
    "khxh": ["draft", "submitted", "suspended"],
    "nn": ["draft", "submitted"],
}
# The lifecycle actions that take a new draft to each end point: (action, actor, reason).
STEPS = {
    "draft": [],
    "withdrawn": [("withdraw", "head", "Cá nhân xin rút hồ sơ để đề nghị vào năm sau.")],
    "submitted": [("submit", "head", "")],
    "returned": [
        ("submit", "head", ""),
        ("return_for_revision", "reviewer",
         "Bổ sung minh chứng kết quả đánh giá, xếp loại năm nay."),
    ],
    "declined": [
        ("submit", "head", ""),
        ("decline", "reviewer", "Chưa đủ thời gian công tác trong năm theo quy định."),
    ],
    "suspended": [
        ("submit", "head", ""),
        ("suspend", "reviewer", "Tạm dừng xét trong thời gian giải quyết đơn phản ánh."),
    ],
    "reviewed": [("submit", "head", ""), ("approve", "reviewer", "")],
}  # fmt: skip
STEPS["council"] = STEPS["voting"] = STEPS["reviewed"]
# Its evaluation meeting is recorded before its nominees are submitted: the minutes the product
# renders replace the scanned stand-in in each dossier.
FIRST_UNIT = next(iter(PLAN))


def _person(institution, username) -> Person:
    return Person.objects.select_related("unit").get(
        institution=institution, user__username=username
    )


def _documents(award: AwardType):
    return [
        (kind, SimpleUploadedFile(f"{kind.code}.pdf", DEMO_PDF, content_type="application/pdf"))
        for kind in award.required_document_kinds.order_by("code")
    ]


def _eligible_staff(unit, period, count: int) -> list[Person]:
    """Staff of the unit rated at least 'completed well' and not disciplined in the period."""
    rated = AnnualRating.objects.filter(
        period=period, person__unit=unit, rating__gte=Rating.COMPLETED_WELL
    ).exclude(person__disciplinary_records__period=period)
    heads = [p for p in unit.members.filter(role_assignments__role=R.UNIT_HEAD)]
    return [r.person for r in rated.select_related("person").order_by("person__full_name")
            if r.person not in heads][:count]  # fmt: skip


def _act(dossier: Dossier, action: str, person: Person, **kwargs) -> Dossier:
    return lifecycle.transition(
        dossier_id=dossier.pk, action=action, person=person,
        expected_version=dossier.version, **kwargs,
    )  # fmt: skip


@transaction.atomic
def play_demo_cycle(institution: Institution, period: Period) -> int:
    """Play the cycle where the institution has not played it; return the dossiers created."""
    created = 0
    if not Dossier.objects.of(institution).exists():
        created = _dossiers_and_meetings(institution, period)
    _demo_signers(institution)
    _signed_decision(institution)
    return created


DEMO_SIGNERS = ("hieutruong", "phohieutruong", "phohieutruong2")


def _demo_signers(institution) -> None:
    """Each leader's own self-signed certificate, as a PKCS#12 file on the server without a
    passphrase (the demo only: a real one comes from a licensed CA, usually on a USB token)."""
    from audit import log
    from decisions import credentials
    from decisions.models import SigningCredential

    for username in DEMO_SIGNERS:
        person = _person(institution, username)
        if credentials.active(person).exists():
            continue
        path = Path(settings.SIGNING_PKCS12_PATH).parent / "signers" / f"{username}.p12"
        path.unlink(missing_ok=True)  # an earlier demo's, issued to someone else perhaps
        create_demo_certificate(path, passphrase="", common_name=person.full_name)
        signer = credentials.pkcs12_signer(path, "")
        credentials.register(
            person=person, kind=SigningCredential.Kind.PKCS12, actor=log.SYSTEM,
            label="Chứng thư demo (không phải của CA được cấp phép)",
            certificate=credentials.Certificate.load(signer.signing_cert.dump()),
            pkcs12_path=str(path),
        )  # fmt: skip


def _dossiers_and_meetings(institution, period) -> int:
    advanced = AwardType.objects.get(institution=institution, code="advanced_worker")
    actors = {"reviewer": _person(institution, "thamdinh")}
    heads = {code: _person(institution, f"truong.{code}") for code in PLAN}
    nominees = {code: _eligible_staff(heads[code].unit, period, len(PLAN[code])) for code in PLAN}
    demo_year.launch_movements(institution, period, DEMO_PDF)
    demo_year.register_units(heads, nominees, period)
    ends: dict[str, list[Dossier]] = {}
    for unit_code, fates in PLAN.items():
        actors["head"] = heads[unit_code]
        unit = actors["head"].unit
        drafts = [
            dossier_services.create_dossier(
                person=actors["head"], unit=unit, period=period, award_type=advanced,
                achievement_summary=SUMMARY, nominee_person=nominee,
                documents=_documents(advanced),
            )
            for nominee in nominees[unit_code][: len(fates)]
        ]  # fmt: skip
        if unit_code == FIRST_UNIT:
            demo_year.unit_meeting(actors["head"], period, drafts)
            for draft in drafts:
                draft.refresh_from_db()  # its minutes replaced: a new version
        for fate, dossier in zip(fates, drafts, strict=False):
            for action, actor, reason in STEPS[fate]:
                dossier = _act(dossier, action, actors[actor], reason=reason)
            ends.setdefault(fate, []).append(dossier)
    _closed_meeting(institution, period, ends.get("council", []))
    _open_meeting(institution, period, ends.get("voting", []))
    ends["draft"].append(_fighter_not_yet_eligible(ends["draft"][0]))
    return sum(len(dossiers) for dossiers in ends.values())


def _fighter_not_yet_eligible(advanced_draft: Dossier) -> Dossier:
    """A Grassroots Emulation Fighter draft for the nominee of an Advanced Worker draft: its
    page shows the same-period title not met (that nomination is not submitted yet), and
    submitting it is refused until it is."""
    fighter = AwardType.objects.get(
        institution=advanced_draft.institution, code="grassroots_emulation_fighter"
    )
    return dossier_services.create_dossier(
        person=advanced_draft.created_by, unit=advanced_draft.unit, period=advanced_draft.period,
        award_type=fighter, achievement_summary=SUMMARY,
        nominee_person=advanced_draft.nominee_person, documents=_documents(fighter),
    )  # fmt: skip


def _closed_meeting(institution, period, agenda) -> None:
    """A closed meeting: every member votes, most agree; the last item is not recommended."""
    from council import services as council
    from council.recusal import recused_items

    if len(agenda) < 2:
        return
    secretary = _person(institution, "thuky")
    meeting = council.create_meeting(
        person=secretary, period=period, title=f"Phiên họp xét thi đua {period.name}",
        held_on=timezone.now() - datetime.timedelta(days=1), place="Phòng họp tầng 2, nhà A",
        chair=_person(institution, "hieutruong"),
    )  # fmt: skip
    items = council.set_agenda(
        meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in agenda]
    )
    council.open_meeting(meeting_id=meeting.pk, person=secretary)
    members = list(meeting.members.select_related("person"))
    for n, member in enumerate(members):
        recused = recused_items(meeting, member.person_id)
        choices = {
            item.pk: "disagree" if (item is items[-1] and n % 3) else "agree"
            for item in items
            if item.pk not in recused
        }
        council.cast_ballot(meeting_id=meeting.pk, person=member.person, choices=choices)
    council.close_meeting(meeting_id=meeting.pk, person=secretary)


def _open_meeting(institution, period, agenda) -> None:
    """A second meeting, open for voting today: its dossiers wait in `voting`."""
    from council import services as council
    from council.models import MeetingMember

    if not agenda:
        return
    secretary = _person(institution, "thuky")
    meeting = council.create_meeting(
        person=secretary, period=period, title=f"Phiên họp xét bổ sung {period.name}",
        held_on=timezone.now(), place="Phòng họp tầng 2, nhà A",
        chair=_person(institution, "hieutruong"),
    )  # fmt: skip
    council.set_agenda(meeting_id=meeting.pk, person=secretary, dossier_ids=[d.pk for d in agenda])
    # One member away on the day gives a written opinion (the secretary enters it with its scan).
    away = meeting.members.exclude(person__in=[secretary, meeting.chair]).order_by("-pk").first()
    if away is not None:
        council.record_attendance(
            meeting_id=meeting.pk, person=secretary,
            attendance={away.person_id: MeetingMember.Attendance.IN_WRITING},
        )  # fmt: skip
    council.open_meeting(meeting_id=meeting.pk, person=secretary)


def _signed_decision(institution) -> None:
    """The principal signs a decision over the recommended dossiers but one (kept for later)."""
    from decisions import services as decisions
    from decisions.models import Decision

    if Decision.objects.of(institution).exists():
        return
    advanced = AwardType.objects.get(institution=institution, code="advanced_worker")
    recommended = list(
        Dossier.objects.of(institution)
        .filter(award_type=advanced, state="recommended")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(recommended) < 2:
        return
    _demo_certificate()
    decision = decisions.prepare_decision(
        person=_person(institution, "thuky"), award_type=advanced, dossier_ids=recommended[:-1]
    )
    decisions.sign_decision(decision_id=decision.pk, person=_person(institution, "hieutruong"))


def _demo_certificate() -> None:
    """The self-signed certificate `make run` would create, if signing uses a missing file."""
    if settings.DECISION_SIGNER == "pkcs12":
        create_demo_certificate(
            Path(settings.SIGNING_PKCS12_PATH),
            passphrase=settings.SIGNING_PKCS12_PASSPHRASE,
            common_name=DEMO_SIGNER,
        )
