"""Public notice (công khai) of the council's results before signing, and objections to it.

The council secretary publishes recommended dossiers whose award asks for a notice period; any
staff member may object while the notice runs; the secretary resolves each objection with a
note. Signing is blocked until the notice has ended with no open objection (workflow.guards).
Dossiers move only through workflow.services.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from decisions.models import Objection, PublicNotice
from dossiers import workdays
from dossiers.models import Dossier, Person, State
from dossiers.reasons import Reason
from workflow import permissions
from workflow import services as lifecycle
from workflow.errors import (
    GuardFailed,
    IllegalTransition,
    NoticeNotFound,
)

OBJECTION_MAX_LENGTH = 5000


def publish(
    *,
    dossier_ids: list[int],
    person: Person,
    client_address: str = "",
    today: datetime.date | None = None,
) -> list[PublicNotice]:
    """Open a public notice on each recommended dossier, all or nothing.

    Each notice runs for the award's number of working days, counted from the next working day
    after `today` over the working calendar (dossiers.workdays); its last day is recorded on the
    dossier's `dossier.published` event.
    """
    today = today or timezone.localdate()
    if not dossier_ids:
        raise GuardFailed([Reason(_("Choose at least one dossier."))])
    # The events are written together at the end (log.deferred): the institution's audit head
    # is not held while hundreds of dossiers move.
    with transaction.atomic(), log.deferred():
        dossiers = lifecycle.lock_dossiers(person, dossier_ids)
        lengths = {d.award_type.public_notice_working_days for d in dossiers}
        last_days = {n: workdays.add_working_days(today, n).ends_on for n in lengths}
        ends = {d.pk: last_days[d.award_type.public_notice_working_days] for d in dossiers}
        for ends_on in sorted(set(ends.values())):
            lifecycle.transition_many(
                versions={d.pk: None for d in dossiers if ends[d.pk] == ends_on},
                action="publish",
                person=person,
                client_address=client_address,
                arguments={"ends_on": ends_on},
            )
        return PublicNotice.objects.bulk_create(
            PublicNotice(institution_id=d.institution_id, dossier=d, ends_on=ends[d.pk])
            for d in dossiers
        )


def file_objection(
    *,
    notice_id: int,
    person: Person,
    text: str,
    client_address: str = "",
    today: datetime.date | None = None,
) -> Objection:
    """Any staff member objects to a running notice; the objection blocks signing until resolved."""
    today = today or timezone.localdate()
    acting = permissions.require(person, "notice.object")
    text = text.strip()
    _check_objection_text(text)
    with transaction.atomic():
        notice = _notice(person, notice_id)
        # Locking the dossier serialises an objection with the signing that it would block.
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=notice.dossier_id)
        _check_notice_running(notice, dossier, today)
        objection = Objection.objects.create(
            institution_id=person.institution_id, notice=notice, filed_by=person, text=text
        )
        log.append(
            institution=person.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="notice.objection_filed",
            object_type="notice",
            object_id=notice.pk,
            to_state=dossier.state,
            payload={
                "notice": notice.pk,
                "dossier": dossier.pk,
                "objection": objection.pk,
                "text": text,
            },
        )
    return objection


def _check_objection_text(text: str) -> None:
    if not text:
        raise GuardFailed([Reason(_("Write what you object to."))])
    if len(text) > OBJECTION_MAX_LENGTH:
        raise GuardFailed(
            [Reason(_("An objection may be at most {limit} characters long."),
                    {"limit": OBJECTION_MAX_LENGTH})]
        )  # fmt: skip


def _notice(person: Person, notice_id: int) -> PublicNotice:
    notice = PublicNotice.objects.filter(pk=notice_id, institution_id=person.institution_id).first()
    if notice is None:
        raise NoticeNotFound()
    return notice


def _check_notice_running(notice: PublicNotice, dossier: Dossier, today: datetime.date) -> None:
    """Objections are taken on the dossier's current notice, up to and including its last day."""
    latest = PublicNotice.objects.filter(dossier=dossier).order_by("-opened_at", "-pk").first()
    if dossier.state != State.PUBLIC_NOTICE or latest != notice:
        raise IllegalTransition(_("This public notice is no longer running."))
    if today > notice.ends_on:
        raise GuardFailed(
            [Reason(_("The public notice ended on {date}; objections are no longer taken."),
                    {"date": notice.ends_on.strftime("%d/%m/%Y")})]
        )  # fmt: skip


def resolve_objection(
    *, objection_id: int, person: Person, resolution: str, client_address: str = ""
) -> Objection:
    """The council secretary closes an objection with a note saying how it was settled."""
    actor = _secretary_actor(person, client_address)
    resolution = resolution.strip()
    if not resolution:
        raise GuardFailed([Reason(_("Write how the objection was resolved."))])
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("notice")
            .filter(pk=objection_id, institution_id=person.institution_id)
            .first()
        )
        if objection is None:
            raise NoticeNotFound()
        if objection.resolved_at is not None:
            raise IllegalTransition(_("This objection has already been resolved."))
        objection.resolution = resolution
        objection.resolved_by = person
        objection.resolved_at = timezone.now()
        objection.save(update_fields=["resolution", "resolved_by", "resolved_at"])
        log.append(
            institution=person.institution,
            actor=actor,
            action="notice.objection_resolved",
            object_type="notice",
            object_id=objection.notice_id,
            reason=resolution,
            payload={
                "notice": objection.notice_id,
                "dossier": objection.notice.dossier_id,
                "objection": objection.pk,
            },
        )
    return objection


def _secretary_actor(person: Person | None, client_address: str) -> log.Actor:
    """The council secretary in their own role or a delegated one; anyone else is refused."""
    return log.Actor.acting(person, permissions.require(person, "notice.manage"), client_address)


def may_manage_notices(person: Person | None) -> bool:
    return permissions.may(person, "notice.manage") is not None


# Reads for the pages, with every join a row shows done once.

NOTICE_ROW = (
    "dossier__nominee_person", "dossier__nominee_unit", "dossier__unit", "dossier__award_type",
    "dossier__period",
)  # fmt: skip


def open_notices(person: Person, today: datetime.date | None = None) -> QuerySet[PublicNotice]:
    """Notices still taking objections, soonest ending first."""
    today = today or timezone.localdate()
    return (
        PublicNotice.objects.of(person.institution_id)
        .filter(dossier__state=State.PUBLIC_NOTICE, ends_on__gte=today)
        .select_related(*NOTICE_ROW)
        .order_by("ends_on", "pk")
    )


def closed_notices(
    person: Person, period_id: int | None, today: datetime.date | None = None
) -> QuerySet[PublicNotice]:
    """Notices of the period that have ended, or whose dossier has left the notice, latest first."""
    today = today or timezone.localdate()
    running = open_notices(person, today).values("pk")
    return (
        PublicNotice.objects.of(person.institution_id)
        .filter(dossier__period_id=period_id)
        .exclude(pk__in=running)
        .select_related(*NOTICE_ROW)
        .order_by("-ends_on", "-pk")
    )


def objections_filed_by(person: Person) -> QuerySet[Objection]:
    return (
        Objection.objects.of(person.institution_id)
        .filter(filed_by=person)
        .select_related(*(f"notice__{path}" for path in NOTICE_ROW))
        .order_by("-filed_at", "-pk")
    )


def objections(person: Person, *, resolved: bool) -> QuerySet[Objection]:
    """Objections of the institution, open ones oldest first, resolved ones latest first."""
    rows = (
        Objection.objects.of(person.institution_id)
        .filter(resolved_at__isnull=not resolved)
        .select_related("filed_by", "resolved_by", *(f"notice__{path}" for path in NOTICE_ROW))
    )
    return rows.order_by("-resolved_at", "-pk") if resolved else rows.order_by("filed_at", "pk")


def publishable(person: Person) -> QuerySet[Dossier]:
    """Recommended dossiers whose award asks for a public notice."""
    return (
        Dossier.objects.of(person.institution_id)
        .filter(state=State.RECOMMENDED, award_type__public_notice_working_days__gt=0)
        .select_related("nominee_person", "nominee_unit", "unit", "award_type", "period")
        .order_by("award_type__name_vi", "unit__name", "pk")
    )
