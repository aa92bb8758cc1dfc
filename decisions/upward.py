"""Awards decided above the college: the proposal memo (tờ trình) and the higher decision.

The principal sends recommended dossiers of upward awards with a generated memo in the layout of
Nghị định 30/2020/NĐ-CP; a reviewer later records the higher authority's decision. Dossiers move
only through workflow.services.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from decisions.models import ProposalMemo
from documents.rendering import nd30_date, render_pdf, signature_block
from dossiers import titles
from dossiers.models import AwardType, Dossier, LegalBasis, Person, State
from dossiers.reasons import Reason
from workflow import permissions
from workflow import services as lifecycle
from workflow.errors import GuardFailed

MEMO_TEMPLATE = "decisions/proposal_memo.html"


def submit_upward(
    *,
    dossier_ids: list[int],
    person: Person,
    client_address: str = "",
    today: datetime.date | None = None,
) -> ProposalMemo:
    """Render one memo listing the dossiers, store it, and submit each dossier upward with it.

    All or nothing: if any dossier may not go upward, no dossier moves and no memo is kept.
    """
    today = today or timezone.localdate()
    acting = permissions.require(person, "upward.submit")
    if not dossier_ids:
        raise GuardFailed([Reason(_("Choose at least one dossier."))])
    stored = None
    try:
        with transaction.atomic():
            dossiers = lifecycle.lock_dossiers(person, dossier_ids)
            pdf, _key = render_pdf(MEMO_TEMPLATE, memo_context(
                dossiers, signer=person, on_behalf_of=acting.on_behalf_of, day=today,
            ))  # fmt: skip
            memo = ProposalMemo(institution_id=person.institution_id, created_by=person,
                                sha256=hashlib.sha256(pdf).hexdigest())  # fmt: skip
            memo.pdf.save(f"to-trinh-{today:%Y%m%d}-{memo.sha256[:12]}.pdf", ContentFile(pdf),
                          save=False)  # fmt: skip
            stored = memo.pdf.name
            memo.save()
            memo.dossiers.set(dossiers)
            _send(memo, dossiers, acting=acting, person=person, client_address=client_address)
    except BaseException:
        if stored:  # the database rolled back; the file storage must be told
            ProposalMemo._meta.get_field("pdf").storage.delete(stored)
        raise
    return memo


def _send(memo: ProposalMemo, dossiers: list[Dossier], *, acting: permissions.Acting,
          person: Person, client_address: str) -> None:  # fmt: skip
    """Each dossier goes upward through the one door, citing the memo; the memo is audited.

    The events are written together at the end, so the institution's audit head is not held
    while hundreds of dossiers move.
    """
    with log.deferred():
        lifecycle.transition_many(
            versions=dict.fromkeys(d.pk for d in dossiers), action="submit_upward",
            person=person, client_address=client_address,
            arguments={"memo_sha256": memo.sha256},
        )  # fmt: skip
        actor = log.Actor.acting(person, acting, client_address)
        log.append(
            institution=person.institution, actor=actor, action="proposal_memo.created",
            object_type="proposal_memo", object_id=memo.pk,
            payload={"sha256": memo.sha256, "dossiers": [d.pk for d in dossiers]},
        )  # fmt: skip


def memo_context(
    dossiers: list[Dossier], *, signer: Person, on_behalf_of: Person | None, day: datetime.date
) -> dict:
    """What the memo shows: the institution's header, the legal bases in force, the nominees."""
    institution = signer.institution
    dossiers = sorted(dossiers, key=lambda d: (d.award_type.name_vi, d.unit.name, d.pk))
    years = sorted({d.period.year for d in dossiers})
    bases = (
        LegalBasis.objects.filter(award_types__in={d.award_type_id for d in dossiers})
        .filter(archived_at__isnull=True)
        .distinct()
        .order_by("valid_from", "code")
    )
    return {
        "institution": institution,
        "series": f"TTr-{institution.short_name}",
        "date_line": f"{institution.place}, {nd30_date(day)}",
        "year": years[0] if len(years) == 1 else None,
        "recitals": [b.recital for b in bases if b.in_force_on(day)],
        "proposals": proposals(dossiers, institution),
        "dossiers": dossiers,
        "signature": signature_block(institution, signer=signer, on_behalf_of=on_behalf_of),
    }


def proposals(dossiers: list[Dossier], institution) -> dict[str, list[str]]:
    """What is proposed to whom: each deciding authority (the award's, else the parent body),
    with 'xét tặng danh hiệu “…” cho 2 cá nhân' per award. A memo proposes; it never gives."""
    counts: dict[AwardType, int] = {}
    for dossier in dossiers:  # sorted by award: the memo's order
        counts[dossier.award_type] = counts.get(dossier.award_type, 0) + 1
    by_authority: dict[str, list[str]] = {}
    for award, count in counts.items():
        individual = award.nominee_kind == AwardType.NomineeKind.INDIVIDUAL
        nominees = "cá nhân" if individual else "tập thể"
        authority = award.proposed_to.strip() or institution.parent_body
        by_authority.setdefault(authority, []).append(
            f"xét tặng {award.as_given} cho {count} {nominees}"
        )
    return by_authority


def record_outcome(
    *,
    dossier_id: int,
    person: Person,
    granted: bool,
    decision_number: str,
    decision_date: datetime.date | None,
    client_address: str = "",
    today: datetime.date | None = None,
) -> Dossier:
    """Record the higher authority's decision; a granted award enters the title history."""
    today = today or timezone.localdate()
    if decision_date and decision_date > today:
        raise GuardFailed([Reason(_("The higher decision cannot be dated after today."))])
    with transaction.atomic():
        dossier = lifecycle.transition(
            dossier_id=dossier_id, action="record_outcome", person=person,
            expected_version=None, client_address=client_address,
            arguments={"granted": granted, "decision_number": decision_number.strip(),
                       "decision_date": decision_date},
        )  # fmt: skip
        if dossier.state == State.SIGNED:
            titles.grant(dossier, reference=decision_number.strip())
    return dossier


# Reads for the pages, with every join a row shows done once.

DOSSIER_ROW = ("nominee_person", "nominee_unit", "unit", "award_type", "period")


def may_submit_upward(person: Person | None) -> bool:
    return permissions.may(person, "upward.submit") is not None


def may_record_outcome(person: Person | None) -> bool:
    return permissions.may(person, "upward.record_outcome") is not None


def proposable(person: Person) -> QuerySet[Dossier]:
    """Recommended dossiers of awards decided by a higher authority."""
    return (
        Dossier.objects.of(person.institution_id)
        .filter(state=State.RECOMMENDED, award_type__decided_by=AwardType.DecidedBy.UPWARD)
        .select_related(*DOSSIER_ROW)
        .order_by("award_type__name_vi", "unit__name", "pk")
    )


def awaiting_outcome(person: Person) -> QuerySet[Dossier]:
    """Dossiers submitted upward whose higher decision is not recorded yet, with their memos."""
    return (
        Dossier.objects.of(person.institution_id)
        .filter(state=State.SUBMITTED_UPWARD)
        .select_related(*DOSSIER_ROW)
        .prefetch_related(
            Prefetch("proposal_memos", queryset=ProposalMemo.objects.order_by("-created_at"))
        )
        .order_by("unit__name", "pk")
    )


def memos(person: Person) -> QuerySet[ProposalMemo]:
    return (
        ProposalMemo.objects.of(person.institution_id)
        .select_related("created_by")
        .annotate(dossier_count=Count("dossiers"))
        .order_by("-created_at", "-pk")
    )


def readable_memo(person: Person | None, pk: int) -> ProposalMemo | None:
    """A memo, for those who work with or inspect decisions."""
    if permissions.may(person, "upward.read") is None:
        return None
    return ProposalMemo.objects.of(person.institution_id).filter(pk=pk).first()


def submitted_upward_dossier(person: Person | None, pk: int) -> Dossier | None:
    """A dossier of the person's institution awaiting its higher decision, if they may see it."""
    if person is None:
        return None
    return (
        permissions.visible_dossiers(person)
        .filter(pk=pk, state=State.SUBMITTED_UPWARD)
        .select_related(*DOSSIER_ROW)
        .first()
    )
