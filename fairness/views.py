"""The statistics page and its downloads: thin, every number comes from fairness.report.

Any member of staff may read them (aggregates of their own institution only); a period of
another institution, or none at all, is a page not found.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dossiers.models import Period
from fairness import report
from spreadsheets.writer import csv_response, xlsx_response
from workflow import permissions


def _context(request):
    """The reader, the institution's periods and the chosen one (the current one by default)."""
    person = request.person
    if person is None or permissions.may(person, "statistics.read") is None:
        raise Http404
    periods = list(Period.objects.of(person.institution_id))
    chosen = request.GET.get("period", "")
    if chosen:
        period = next((p for p in periods if str(p.pk) == chosen), None)
    else:
        period = next((p for p in periods if p.is_current), periods[0] if periods else None)
    if period is None:
        raise Http404
    return person, periods, period


@login_required
def statistics_page(request):
    person, periods, period = _context(request)
    tables = report.build(person.institution_id, period, periods)
    return render(
        request,
        "fairness/statistics.html",
        {"period": period, "periods": periods, "tables": tables},
    )


@login_required
def download(request, key: str, kind: str):
    """One table of the page as CSV or Excel, for the same period."""
    person, periods, period = _context(request)
    table = report.by_key(report.build(person.institution_id, period, periods), key)
    if table is None:
        raise Http404
    filename = f"statistics-{key}-{period.pk}.{kind}"
    if kind == "csv":
        return csv_response(filename, table.sheet)
    return xlsx_response(filename, table.sheet)
