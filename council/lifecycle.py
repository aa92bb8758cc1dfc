"""How the council takes part in the dossier lifecycle: the guards that read its data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from council.models import AgendaItem, Meeting
from dossiers.reasons import Reason
from workflow.guards import Attempt, register


@register("on_open_agenda")
def on_open_agenda(attempt: Attempt) -> list[Reason]:
    items = AgendaItem.objects.filter(dossier=attempt.dossier, meeting__state=Meeting.State.OPEN)
    if not items.exists():
        return [Reason(_("The dossier is not on the agenda of a meeting open for voting."))]
    return []


@register("outcome_from_tally")
def outcome_from_tally(attempt: Attempt) -> list[Reason]:
    """The outcome is the one computed from the council's tally, never typed in."""
    item = (
        AgendaItem.objects.filter(
            dossier=attempt.dossier, meeting__state=Meeting.State.CLOSED, recommended__isnull=False
        )
        .order_by("-meeting__closed_at")
        .first()
    )
    if item is None:
        return [Reason(_("The council's vote on this dossier has not been closed."))]
    if attempt.arguments.get("recommended") != item.recommended:
        return [Reason(_("The outcome must be the one computed from the council's tally."))]
    return []
