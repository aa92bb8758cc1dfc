"""The lists that leave as spreadsheets besides the office's own: a unit's nominees for a period,
a council meeting's agenda with its tallies, a decision's annex of awardees.

Each is a `writer.Sheet` built from one scoped read (a constant number of queries however long
the list). The agenda carries only the tallies stored on each item once the vote closed, never
who voted what: the ballots are not read here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from council.models import Meeting
from decisions.models import Decision
from dossiers.models import Period, Person, Unit
from spreadsheets.kinds import Kind
from spreadsheets.writer import Column, Sheet
from workflow import permissions
from workflow.errors import NotPermitted

NOMINEE = Column(gettext_lazy("Nominee"), 30)
UNIT = Column(gettext_lazy("Unit"), 26)
AWARD = Column(gettext_lazy("Award"), 30)
POSITION = Column(gettext_lazy("Position"), 22)
NUMBER = Column(gettext_lazy("No."), 6)


def records_sheet(kind: Kind, institution_id: int, *, empty: bool = False) -> Sheet:
    """One of the office's lists as the import reads it back; `empty` for its template."""
    rows = [] if empty else kind.export_rows(institution_id)
    return Sheet(title=str(kind.title), columns=kind.columns(), rows=rows)


def nominees(person: Person, period: Period, unit: Unit | None) -> Sheet:
    """The dossiers of a period (of one unit, or of every unit the person may export)."""
    if permissions.may(person, "nominees.export", unit) is None:
        raise NotPermitted()
    dossiers = permissions.visible_dossiers(person).filter(period=period)
    if unit is not None:
        dossiers = dossiers.filter(unit=unit)
    elif permissions.may(person, "dossier.view_all") is None:  # a unit head: their own units
        dossiers = dossiers.filter(unit_id__in=permissions.units_where(person, "nominees.export"))
    dossiers = dossiers.select_related(
        "unit", "award_type", "nominee_person", "nominee_unit"
    ).order_by("unit__name", "award_type__code", "nominee_person__full_name", "pk")
    columns = [
        NUMBER,
        NOMINEE,
        POSITION,
        UNIT,
        AWARD,
        Column(gettext_lazy("State"), 20),
        Column(gettext_lazy("Last change"), 14),
    ]
    rows = (
        [
            index,
            str(d.nominee),
            getattr(d.nominee_person, "position", ""),
            d.unit.name,
            d.award_type.name,
            d.get_state_display(),
            d.updated_at,
        ]
        for index, d in enumerate(dossiers, start=1)
    )
    return Sheet(title=_("Nominees"), columns=columns, rows=rows)


def agenda(meeting: Meeting) -> Sheet:
    """The agenda (prefetched by council.selectors.meeting_detail) with the stored tallies;
    the tally columns stay empty until the vote is closed."""
    closed = meeting.state == Meeting.State.CLOSED
    columns = [
        NUMBER,
        NOMINEE,
        UNIT,
        AWARD,
        Column(gettext_lazy("Agree"), 10),
        Column(gettext_lazy("Disagree"), 12),
        Column(gettext_lazy("No vote"), 10),
        Column(gettext_lazy("Recused"), 10),
        Column(gettext_lazy("Outcome"), 18),
    ]
    rows = []
    for item in meeting.agenda.all():
        dossier = item.dossier
        row = [item.position, str(dossier.nominee), dossier.unit.name, dossier.award_type.name]
        if closed:
            outcome = _("Recommended") if item.recommended else _("Not recommended")
            row += [item.agree, item.disagree, item.abstain, item.recused, outcome]
        rows.append(row)
    return Sheet(title=_("Agenda"), columns=columns, rows=rows)


def annex(decision: Decision) -> Sheet:
    """The decision's awardees, in the order of the decision."""
    items = decision.items.select_related(
        "dossier__nominee_person", "dossier__nominee_unit", "dossier__unit", "dossier__award_type"
    )
    columns = [NUMBER, NOMINEE, POSITION, UNIT, AWARD]
    rows = (
        [
            item.position,
            str(item.dossier.nominee),
            getattr(item.dossier.nominee_person, "position", ""),
            item.dossier.unit.name,
            item.dossier.award_type.name,
        ]
        for item in items
    )
    return Sheet(title=_("Annex"), columns=columns, rows=rows)
