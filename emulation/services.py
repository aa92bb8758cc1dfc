"""Launching movements and registering for titles: every write audited in its transaction."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from dossiers.models import AwardType, Movement, Period, Person, Registration, Unit
from dossiers.reasons import Reason
from dossiers.services import files_removed_on_failure
from dossiers.uploads import check_upload
from workflow import permissions
from workflow.errors import GuardFailed, NotFound


def launch_movement(
    *,
    person: Person,
    kind: str,
    name: str,
    period: Period,
    targets: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    award_types: list[AwardType],
    plan,
    theme: str = "",
    client_address: str = "",
) -> Movement:
    """The principal launches a movement with its plan; its awards must allow its kind."""
    acting = permissions.require(person, "movement.launch")
    institution = person.institution
    if period.institution_id != institution.pk or any(
        award.institution_id != institution.pk for award in award_types
    ):
        raise NotFound()
    checked = check_upload(plan)  # a ValidationError naming the file's problem
    movement = Movement(
        institution=institution, kind=kind, name=name, period=period, theme=theme,
        targets=targets, starts_on=starts_on, ends_on=ends_on, launched_by=person,
        plan_name=checked.name, plan_sha256=checked.sha256,
    )  # fmt: skip
    _validated(movement, exclude=["plan"])  # the kind among them
    if not award_types:
        raise GuardFailed([Reason(_("Name at least one award the movement leads to."))])
    refused = [award for award in award_types if not award.allows(kind)]
    if refused:
        raise GuardFailed([Reason(
            _("These awards are not given in a movement of this kind: {awards}."),
            {"awards": refused},
        )])  # fmt: skip
    with files_removed_on_failure() as stored:
        movement.plan.save(checked.name, plan, save=False)
        stored.append(movement.plan)
        movement.save()
        movement.award_types.set(award_types)
        log.append(
            institution=institution, actor=log.Actor.acting(person, acting, client_address),
            action="movement.launched", object_type="movement", object_id=movement.pk,
            payload={"kind": kind, "name": name, "period": period.name,
                     "awards": sorted(a.code for a in award_types),
                     "plan": {"name": checked.name, "sha256": checked.sha256}},
        )  # fmt: skip
    return movement


def register(
    *,
    person: Person,
    period: Period,
    unit: Unit,
    award_type: AwardType,
    targets: str,
    nominees: list[Person] | None = None,
    the_unit_itself: bool = False,
    movement: Movement | None = None,
    client_address: str = "",
) -> list[Registration]:
    """The unit head registers people of their unit (or the unit itself) for a title, with the
    targets they will be judged against: all of them, or none when one cannot be."""
    acting = permissions.require(person, "registration.manage", unit)
    institution = person.institution
    owned = [period, award_type, *(nominees or []), *([movement] if movement else [])]
    if any(obj.institution_id != institution.pk for obj in owned):
        raise NotFound()
    problems = _registration_problems(unit, award_type, nominees or [], the_unit_itself, movement,
                                      period)  # fmt: skip
    if problems:
        raise GuardFailed(problems)
    rows = [
        Registration(
            institution=institution, period=period, unit=unit, award_type=award_type,
            targets=targets, registered_by=person, movement=movement,
            nominee_person=nominee, nominee_unit=None,
        )
        for nominee in nominees or []
    ]  # fmt: skip
    if the_unit_itself:
        rows.append(Registration(
            institution=institution, period=period, unit=unit, award_type=award_type,
            targets=targets, registered_by=person, movement=movement, nominee_unit=unit,
        ))  # fmt: skip
    for row in rows:
        _validated(row)
    actor = log.Actor.acting(person, acting, client_address)
    try:
        with transaction.atomic():
            for row in rows:
                row.save()
                log.append(
                    institution=institution, actor=actor, action="registration.created",
                    object_type="registration", object_id=row.pk, payload=_describe(row),
                )  # fmt: skip
    except IntegrityError:
        # Registered by someone else since the form was read (the constraint is the judge).
        raise GuardFailed(
            [Reason(_("Already registered for this title in this period."))]
        ) from None
    return rows


def _registration_problems(unit, award_type, nominees, the_unit_itself, movement, period):
    problems = []
    if not nominees and not the_unit_itself:
        problems.append(Reason(_("Choose the people to register, or the unit itself.")))
    individual = award_type.nominee_kind == AwardType.NomineeKind.INDIVIDUAL
    if nominees and not individual:
        problems.append(Reason(_("“{title}” is a title for collectives."), {"title": award_type}))
    if the_unit_itself and individual:
        problems.append(Reason(_("“{title}” is a title for individuals."), {"title": award_type}))
    others = [p for p in nominees if p.unit_id != unit.pk or not p.is_active]
    if others:
        problems.append(Reason(
            _("Not active members of {unit}: {names}."), {"unit": unit.name, "names": others}
        ))  # fmt: skip
    if movement is not None and (movement.period_id != period.pk
                                 or not award_type.allows(movement.kind)):  # fmt: skip
        problems.append(Reason(
            _("“{title}” is not an award of the movement “{movement}”."),
            {"title": award_type, "movement": movement.name},
        ))  # fmt: skip
    return problems


def withdraw_registration(
    *, person: Person, registration_id: int, client_address: str = ""
) -> Registration:
    """A registration is withdrawn, never deleted: the trail and the statistics keep it."""
    with transaction.atomic():
        registration = (
            # No default ordering: its joins reach nullable rows, which PostgreSQL cannot lock.
            Registration.objects.select_for_update()
            .filter(pk=registration_id, institution=person.institution, withdrawn_at__isnull=True)
            .order_by("pk")
            .first()
        )
        if registration is None:
            raise NotFound()
        acting = permissions.require(person, "registration.manage", registration.unit)
        registration.withdrawn_at = timezone.now()
        registration.save(update_fields=["withdrawn_at"])
        log.append(
            institution=registration.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="registration.withdrawn", object_type="registration",
            object_id=registration.pk, payload=_describe(registration),
        )  # fmt: skip
    return registration


def _describe(registration: Registration) -> dict:
    nominee = registration.nominee
    return {
        "period": registration.period.name,
        "unit": registration.unit.code,
        "nominee": {"type": "person" if registration.nominee_person_id else "unit",
                    "id": nominee.pk, "name": str(nominee)},
        "award": registration.award_type.code,
        "targets": registration.targets,
    }  # fmt: skip


def _validated(obj, exclude=None) -> None:
    """The model's own rules, as a refusal with the reasons (nothing is written)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise GuardFailed([Reason(message) for message in error.messages]) from None
