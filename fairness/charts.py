"""Bar charts as inline SVG, drawn on the server: no JavaScript, no library, readable aloud.

Each chart is an <svg role="img"> whose <title> and <desc> name it and say what it shows; every
text is escaped, so a unit called `<Khoa & "A">` is drawn as its name, never as markup. The bars
are horizontal, one group per category (a unit, a period...), one bar per series, each bar
labelled with its value, so the chart reads without its colours; the table beside it holds the
same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils import formats
from django.utils.safestring import SafeString, mark_safe

# Colours that stay apart for the common kinds of colour blindness (Okabe–Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
LABEL_WIDTH = 190
PLOT_WIDTH = 420
VALUE_WIDTH = 60
BAR_HEIGHT = 14
GROUP_GAP = 10
TOP = 12
LEGEND_ROW = 18
AXIS_HEIGHT = 44
FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    """One kind of bar: its name (in the legend) and one value per category (None: no value)."""

    name: str
    values: Sequence[float | None]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    axis_label: str,
    value_suffix: str = "",
) -> SafeString:
    """A horizontal grouped bar chart; `chart_id` makes its element ids unique on the page."""
    if any(len(s.values) != len(categories) for s in series):
        raise ValueError("each series needs one value per category")
    top = TOP + (LEGEND_ROW * len(series) if len(series) > 1 else 0)
    group = BAR_HEIGHT * max(len(series), 1) + GROUP_GAP
    plot_height = group * len(categories)
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    height = top + plot_height + AXIS_HEIGHT
    scale, steps = _axis([v for s in series for v in s.values if v is not None])
    ids = {"title": f"{chart_id}-title", "desc": f"{chart_id}-desc"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" id={quoteattr(chart_id)}'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-labelledby="{ids["title"]} {ids["desc"]}">',
        f'<title id="{ids["title"]}">{escape(str(title))}</title>',
        f'<desc id="{ids["desc"]}">{escape(str(description))}</desc>',
    ]
    if len(series) > 1:
        parts += _legend(series)
    parts += _bars(categories, series, top, group, scale, value_suffix)
    parts += _axis_lines(top + plot_height, scale, steps, axis_label, value_suffix)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()  # nosec B308 B703


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    for index, one in enumerate(series):
        y = TOP + LEGEND_ROW * index
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="12" height="12"'
            f' fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{LABEL_WIDTH + 18}" y="{y + 10}" {FONT}>{escape(str(one.name))}</text>'
        )
    return parts


def _bars(categories, series, top, group, scale, suffix) -> list[str]:
    parts = []
    for row, category in enumerate(categories):
        y0 = top + group * row
        middle = y0 + (group - GROUP_GAP) / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:g}" text-anchor="end" {FONT}>'
            f"{escape(_shorten(str(category)))}</text>"
        )
        for index, one in enumerate(series):
            value = one.values[row]
            y = y0 + BAR_HEIGHT * index
            length = 0 if value is None else PLOT_WIDTH * value / scale
            label = "—" if value is None else f"{_number(value)}{suffix}"
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT - 2}"'
                f' fill="{PALETTE[index % len(PALETTE)]}"><title>'
                f"{escape(f'{category} · {one.name}: {label}')}</title></rect>"
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + BAR_HEIGHT - 3}" {FONT}>'
                f"{escape(label)}</text>"
            )
    return parts


def _axis_lines(y: int, scale: float, steps: int, axis_label: str, suffix: str) -> list[str]:
    parts = [
        f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y2="{y}"'
        ' stroke="#5d6675"/>'
    ]
    for step in range(steps + 1):
        value = scale * step / steps
        x = LABEL_WIDTH + PLOT_WIDTH * step / steps
        parts.append(
            f'<line x1="{x:g}" y1="{y}" x2="{x:g}" y2="{y + 4}" stroke="#5d6675"/>'
            f'<text x="{x:g}" y="{y + 16}" text-anchor="middle" {FONT}>'
            f"{escape(_number(value) + suffix)}</text>"
        )
    parts.append(
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH / 2:g}" y="{y + 36}" text-anchor="middle" {FONT}>'
        f"{escape(str(axis_label))}</text>"
    )
    return parts


# Round ends of the axis (times a power of ten), each with the number of steps that keeps its
# ticks round: 0–2.5 in steps of 0.5, 0–5 in steps of 1...
_ROUND_ENDS = ((1, 5), (2, 4), (2.5, 5), (5, 5), (10, 5))


def _axis(values: list[float]) -> tuple[float, int]:
    """The axis' end, a round number at or above the largest value, and its number of steps."""
    largest = max(values, default=0)
    if largest <= 0:
        return 1, 5
    power = 10 ** math.floor(math.log10(largest))
    return next((m * power, steps) for m, steps in _ROUND_ENDS if m * power >= largest)


def _number(value: float) -> str:
    """A count as an integer, anything else with one decimal, in the reader's language."""
    if float(value).is_integer():
        return str(int(value))
    return formats.number_format(round(value, 1), 1)


def _shorten(text: str, limit: int = 28) -> str:
    """A long unit name is cut on the chart (the whole name is in the bar's tooltip and table)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
