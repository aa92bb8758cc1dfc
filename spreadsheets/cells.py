"""The cells of the office's lists: what every row of a file is checked against (read once per
file), how each cell is read into a value of the product, and how a value is written back.

A person is named by their id in the product (the "Mã cán bộ" column): the staff list has no
staff number, names repeat, and the id is what the API and every export name a person by. Units
are named by their code, periods by their name and award types by their code, as the catalogue
names them. Another institution's person or unit is unknown here, as a missing one is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import selectors
from dossiers.models import AwardType, Period, Person, Unit
from spreadsheets import reader
from spreadsheets.reader import CellError

YES_NO = ((True, gettext_lazy("Yes")), (False, gettext_lazy("No")))
FIRST_YEAR = 1945


@dataclass
class Context:
    """What every row of one file is checked against, read once: the institution's units,
    periods, people, award types and the records the file may change, by natural key."""

    institution_id: int
    units: dict[str, Unit]
    periods: dict[str, Period]
    people: dict[int, Person]
    awards: dict[str, AwardType]
    existing: dict[tuple, object] = field(default_factory=dict)
    ambiguous: set[tuple] = field(default_factory=set)
    tables: dict[str, dict] = field(default_factory=dict)
    current_year: int = 0

    def same_person(self, values: dict) -> Person | None:
        """A person on the list with the row's name, unit and date of birth."""
        if "_same" not in self.tables:
            self.tables["_same"] = {
                _identity(p.full_name, p.unit_id, p.birth_date): p for p in self.people.values()
            }
        unit = values["unit"]
        wanted = _identity(values["full_name"], unit.pk, values["birth_date"])
        return self.tables["_same"].get(wanted)

    def table(self, name: str, choices) -> dict:
        if name not in self.tables:
            self.tables[name] = reader.choice_table(choices)
        return self.tables[name]


def _identity(name: str, unit_id: int, birth_date) -> tuple:
    return (reader.normalised(name), unit_id, birth_date)


def context(institution_id: int) -> Context:
    return Context(
        institution_id=institution_id,
        units={u.code: u for u in Unit.objects.of(institution_id)},
        periods={p.name: p for p in Period.objects.of(institution_id)},
        people={p.pk: p for p in selectors.staff_list(institution_id)},
        awards={a.code: a for a in AwardType.objects.of(institution_id)},
        current_year=current_year(institution_id),
    )


# Cells of the catalogue and the staff list
# ---------------------------------------------------------------------------------------------


def person(value, ctx: Context) -> Person:
    pk = reader.whole_number(value)
    found = ctx.people.get(pk)
    if found is None:
        raise CellError(_("No member of staff has the id %(id)s here.") % {"id": pk})
    return found


def optional_person(value, ctx: Context) -> Person | None:
    return None if reader.text(value) == "" else person(value, ctx)


def unit(value, ctx: Context) -> Unit:
    code = reader.text(value, required=True)
    if code not in ctx.units:
        raise CellError(_("No unit has the code “%(code)s” here.") % {"code": code})
    return ctx.units[code]


def optional_unit(value, ctx: Context) -> Unit | None:
    return None if reader.text(value) == "" else unit(value, ctx)


def period(value, ctx: Context) -> Period:
    name = reader.text(value, required=True)
    if name not in ctx.periods:
        raise CellError(_("No period is named “%(name)s” here.") % {"name": name})
    return ctx.periods[name]


def award(value, ctx: Context) -> AwardType:
    code = reader.text(value, required=True)
    if code not in ctx.awards:
        raise CellError(_("No award type has the code “%(code)s” here.") % {"code": code})
    return ctx.awards[code]


def choices(name: str, choices, *, required=True):
    def parse(value, ctx: Context):
        return reader.choice(value, ctx.table(name, choices), choices, required=required)

    return parse


def label(choices):
    labels = dict(choices)
    return lambda value: "" if value is None else str(labels.get(value, value))


def text(max_length: int, *, required=False):
    return lambda value, ctx: reader.text(value, required=required, max_length=max_length)


def email(value, ctx: Context) -> str:
    address = reader.text(value, max_length=254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise CellError(
                _("“%(value)s” is not an e-mail address.") % {"value": address}
            ) from None
    return address


def date(*, required=True):
    return lambda value, ctx: reader.date(value, required=required)


def year(value, ctx: Context) -> int:
    year = reader.whole_number(value)
    if year < FIRST_YEAR or year > timezone.localdate().year:
        raise CellError(_("%(year)s is not a year of the title history.") % {"year": year})
    return year


def holder_name(obj) -> str:
    """The name a row gives beside a person's id or a unit's code."""
    if obj is None:
        return ""
    return obj.full_name if isinstance(obj, Person) else obj.name


def id_of(person) -> object:
    return "" if person is None else person.pk


def code_of(obj) -> str:
    return "" if obj is None else obj.code


def current_year(institution_id: int) -> int:
    """Titles from this year on come from decisions; only earlier years are imported."""
    period = Period.objects.of(institution_id).filter(is_current=True).first()
    return period.year if period else timezone.localdate().year
