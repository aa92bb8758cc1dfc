"""Who casts no ballot on which agenda item: the nominee, and the heads of a nominated collective.

Computed when the vote opens and stored with the agenda (Recusal), like the attendance: from then
on the ballot page, the services, the tally and the minutes read the stored list.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from council.models import Meeting, Recusal
from dossiers.models import Institution, Role, RoleAssignment
from workflow import separation


def recusal_is_enforced(institution: Institution) -> bool:
    """Whether a member recuses (block) or is only flagged (warn) on an item that concerns them:
    the institution's separation-of-duties rule."""
    return separation.mode(institution.pk, separation.COUNCIL_RECUSAL) == separation.BLOCK


def recusals(meeting: Meeting) -> dict[int, dict[int, str]]:
    """{agenda item id: {member's person id: ground}} from the data, in at most three queries."""
    items = list(meeting.agenda.select_related("dossier"))
    members = set(meeting.members.values_list("person_id", flat=True))
    found: dict[int, dict[int, str]] = {item.pk: {} for item in items}
    for item in items:
        if item.dossier.nominee_person_id in members:
            found[item.pk][item.dossier.nominee_person_id] = Recusal.Ground.NOMINEE
    units = defaultdict(list)
    for item in items:
        if item.dossier.nominee_unit_id:
            units[item.dossier.nominee_unit_id].append(item.pk)
    if units:
        for unit_id, person_id in _heads(units, members, timezone.localdate(meeting.held_on)):
            for item_id in units[unit_id]:
                found[item_id].setdefault(person_id, Recusal.Ground.HEADS_NOMINATED_UNIT)
    return found


def _heads(units, members: set[int], on) -> list[tuple[int, int]]:
    """(unit id, member's person id) of members heading a unit: in their own role, or as the
    delegate of whoever heads it (the delegate acts as that unit's head). One query."""
    head_roles = (
        RoleAssignment.objects.active(on).filter(role=Role.UNIT_HEAD, unit_id__in=units).order_by()
    )
    own = head_roles.filter(person_id__in=members).values_list("unit_id", "person_id")
    lent = head_roles.filter(
        person__delegations_given__role=Role.UNIT_HEAD,
        person__delegations_given__delegate_id__in=members,
        person__delegations_given__starts_on__lte=on,
        person__delegations_given__ends_on__gte=on,
        person__delegations_given__revoked_at__isnull=True,
    ).values_list("unit_id", "person__delegations_given__delegate_id")
    return list(own.union(lent))


def recorded(meeting: Meeting) -> dict[int, set[int]]:
    """{agenda item id: person ids} as stored when the vote opened (one query)."""
    stored: dict[int, set[int]] = defaultdict(set)
    for item_id, person_id in Recusal.objects.filter(item__meeting=meeting).values_list(
        "item_id", "person_id"
    ):
        stored[item_id].add(person_id)
    return stored


def recused_items(meeting: Meeting, person_id: int) -> set[int]:
    """The agenda items on which this member casts no ballot (one query)."""
    return set(
        Recusal.objects.filter(item__meeting=meeting, person_id=person_id).values_list(
            "item_id", flat=True
        )
    )
