"""The registration list as the office files it: one row per registration, Vietnamese headers."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from spreadsheets.writer import Column, Sheet, xlsx_response


def registrations_xlsx(period, registrations):
    columns = [
        Column(_("No."), 6), Column(_("Unit"), 28), Column(_("Nominee"), 28),
        Column(_("Position"), 20), Column(pgettext("emulation title", "Title"), 30),
        Column(_("Targets"), 50), Column(_("Movement"), 30), Column(_("Registered on"), 14),
    ]  # fmt: skip
    rows = [
        [n, r.unit.name, str(r.nominee), r.nominee_person.position if r.nominee_person else "",
         r.award_type.name, r.targets, r.movement.name if r.movement else "", r.registered_at]
        for n, r in enumerate(registrations, start=1)
    ]  # fmt: skip
    title = _("Registrations %(period)s") % {"period": period.name}
    return xlsx_response(f"dang-ky-thi-dua-{slugify(period.name) or period.pk}.xlsx",
                         Sheet(title, columns, rows))  # fmt: skip
