"""The statistics as the page and the downloads show them: the same tables, and their charts.

Each table is a spreadsheets.Sheet, so the page, the CSV and the Excel file carry the same
numbers from the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dossiers.models import Period
from fairness import awards as award_shares
from fairness import selectors, stages
from fairness.charts import Series, bar_chart
from spreadsheets.writer import Column, Sheet

# The measures drawn per unit and per period (the others are in the tables).
CHARTED = ("nominated", "recommended", "signed")


@dataclass(frozen=True)
class Table:
    key: str  # its name in the download's address
    title: str
    sheet: Sheet
    chart: SafeString | None = None
    legend: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (term, what it counts)
    note: str = ""


def build(institution_id: int, period: Period, periods: Sequence[Period]) -> list[Table]:
    """Every table of the page for `period` (trends over `periods`)."""
    units = selectors.units(institution_id)
    counts = selectors.counts(institution_id, period, periods, units)
    awards = award_shares.awards(institution_id, period, units)
    return [
        _counts_table(
            "units",
            _("Dossiers per unit"),
            _("Unit"),
            counts.per_unit,
            total=True,
            draw_empty=False,
        ),
        _shares_table(
            "posts", _("Awards to leaders and frontline staff"), _("Post"), awards.by_post
        ),
        _unit_posts_table(awards.by_unit_and_post),
        _shares_table("gender", _("Awards by gender"), _("Gender"), awards.by_gender),
        _shares_table(
            "unit-sizes",
            _("Awards by unit size"),
            _("Unit size"),
            awards.by_unit_size,
            with_units=True,
        ),
        _stages_table(stages.stage_times(institution_id, period)),
        _counts_table("trends", _("Trends over the periods"), _("Period"), counts.per_period),
        _period_posts_table(award_shares.posts_per_period(institution_id, periods)),
    ]


def by_key(tables: list[Table], key: str) -> Table | None:
    return next((t for t in tables if t.key == key), None)


def _counts_table(key, title, first, rows, *, total=False, draw_empty=True) -> Table:
    """A counts table, with a total line if asked; its chart draws the lines with a count."""
    measures = selectors.measures()
    lines = [[row.label, *row.counts] for row in rows]
    if total:
        lines.append([_("Total"), *(sum(r.counts[i] for r in rows) for i in range(len(measures)))])
    charted = [(i, m) for i, m in enumerate(measures) if m.key in CHARTED]
    drawn = rows if draw_empty else [r for r in rows if any(r.counts[i] for i, _m in charted)]
    description = _("%(measures)s per %(what)s, as in the table.") % {
        "measures": ", ".join(str(m.label) for _i, m in charted),
        "what": first.lower(),
    }
    if not draw_empty:
        description += " " + _("Lines where all of them are zero are not drawn.")
    chart = bar_chart(
        chart_id=f"chart-{key}",
        title=title,
        description=description,
        categories=[row.label for row in drawn],
        series=[Series(str(m.label), [row.counts[i] for row in drawn]) for i, m in charted],
        axis_label=_("Dossiers"),
    )
    return Table(
        key=key,
        title=title,
        sheet=Sheet(title, [Column(first, 30), *(Column(m.label, 14) for m in measures)], lines),
        chart=chart,
        legend=[(str(m.label), str(m.legend)) for m in measures],
    )


def _shares_table(key, title, first, shares, *, with_units=False) -> Table:
    columns = [Column(first, 24)]
    if with_units:
        columns.append(Column(_("Units"), 10))
    columns += [
        Column(_("People"), 10),
        Column(_("People awarded"), 14),
        Column(_("Share awarded (%)"), 16),
        Column(_("Awards"), 10),
    ]
    lines = [
        [s.label, *([s.units] if with_units else []), s.people, s.awarded, s.share, s.awards]
        for s in shares
    ]
    chart = bar_chart(
        chart_id=f"chart-{key}",
        title=title,
        description=_("Share of the people of each group awarded in the period, in percent."),
        categories=[s.label for s in shares],
        series=[Series(_("Share awarded"), [s.share for s in shares])],
        axis_label=_("People awarded (%)"),
        value_suffix="%",
    )
    return Table(
        key=key, title=title, sheet=Sheet(title, columns, lines), chart=chart, note=_awards_note()
    )


def _awards_note() -> str:
    return _(
        "Awards in force to individuals in the period (revoked awards are not counted). The "
        "people concerned are the active staff, and anyone awarded who has left since; a unit's "
        "size is its number of active members."
    )


def _unit_posts_table(rows) -> Table:
    title = _("Leaders and frontline staff awarded, per unit")
    columns = [
        Column(_("Unit"), 30),
        Column(_("Leaders"), 10),
        Column(_("Leaders awarded"), 14),
        Column(_("Leaders awarded (%)"), 16),
        Column(_("Frontline staff"), 12),
        Column(_("Frontline staff awarded"), 16),
        Column(_("Frontline staff awarded (%)"), 18),
    ]
    lines = [
        [r.label, r.leaders.people, r.leaders.awarded, r.leaders.share,
         r.frontline.people, r.frontline.awarded, r.frontline.share]
        for r in rows
    ]  # fmt: skip
    chart = bar_chart(
        chart_id="chart-posts-units",
        title=title,
        description=_(
            "Share of each unit's leaders and of its frontline staff awarded, in percent."
        ),
        categories=[r.label for r in rows],
        series=[
            Series(_("Leaders awarded (%)"), [r.leaders.share for r in rows]),
            Series(_("Frontline staff awarded (%)"), [r.frontline.share for r in rows]),
        ],
        axis_label=_("People awarded (%)"),
        value_suffix="%",
    )
    return Table(
        key="posts-units", title=title, sheet=Sheet(title, columns, lines), chart=chart,
        note=_awards_note(),
    )  # fmt: skip


def _period_posts_table(rows) -> Table:
    title = _("Awards to leaders and frontline staff over the periods")
    columns = [
        Column(_("Period"), 20),
        Column(_("Awards to leaders"), 16),
        Column(_("Awards to frontline staff"), 20),
        Column(_("Leaders' part of the awards (%)"), 22),
    ]
    lines = [[r.label, r.leaders, r.frontline, r.leaders_share] for r in rows]
    chart = bar_chart(
        chart_id="chart-posts-trends",
        title=title,
        description=_("Awards in force to leaders and to frontline staff in each period."),
        categories=[r.label for r in rows],
        series=[
            Series(_("Awards to leaders"), [r.leaders for r in rows]),
            Series(_("Awards to frontline staff"), [r.frontline for r in rows]),
        ],
        axis_label=_("Awards"),
    )
    note = _(
        "Awards in force to individuals in each period; a person counts in the post they hold "
        "now, since the product keeps no history of posts."
    )
    return Table(
        key="posts-trends", title=title, sheet=Sheet(title, columns, lines), chart=chart, note=note
    )


def _stages_table(rows: list[stages.StageTime]) -> Table:
    title = _("Time spent in each stage")
    columns = [
        Column(_("Stage"), 30),
        Column(_("Finished stays"), 14),
        Column(_("Median (days)"), 14),
        Column(_("90th percentile (days)"), 20),
    ]
    chart = bar_chart(
        chart_id="chart-stages",
        title=title,
        description=_("Median and 90th percentile of the days spent in each stage."),
        categories=[r.label for r in rows],
        series=[
            Series(_("Median"), [r.median_days for r in rows]),
            Series(_("90th percentile"), [r.p90_days for r in rows]),
        ],
        axis_label=_("Days"),
    )
    note = _(
        "From the audit trail: a stay runs from the event that moved a dossier into a stage to "
        "the one that moved it out. A dossier still in a stage is not counted there. Nine in ten "
        "finished stays took at most the 90th percentile."
    )
    lines = [[r.label, r.stays, r.median_days, r.p90_days] for r in rows]
    return Table(
        key="stages", title=title, sheet=Sheet(title, columns, lines), chart=chart, note=note
    )
