"""The lists the personnel office keeps in Excel, each as one template: its columns, how a row
names its record (the natural key), how a cell is read, and which service writes the record.

A person is named by their id in the product (the "Mã cán bộ" column): the staff list has no
staff number, names repeat, and the id is what the API and every export name a person by. The
name beside it is checked against that person, so a shifted column is caught. Units are named
by their code, periods by their name and award types by their code, as the catalogue does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import selectors
from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Period,
    Person,
    Rating,
    RecognisedInitiative,
    TitleRecord,
    Unit,
)
from spreadsheets import reader, services
from spreadsheets.reader import CellError
from spreadsheets.writer import Column

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


@dataclass(frozen=True)
class Field:
    """One column: `parse(cell, context)` gives the value (or raises CellError); `show` writes a
    value as the preview and the export show it. A `check` column (a name beside an id) is read
    to catch mistakes, never stored; an optional one may be left out of the file."""

    key: str
    column: Column
    parse: Callable[[object, Context], object]
    show: Callable[[object], object] = lambda value: value
    stored: bool = True
    optional_column: bool = False


# Cells of the catalogue and the staff list
# ---------------------------------------------------------------------------------------------


def _person(value, ctx: Context) -> Person:
    pk = reader.whole_number(value)
    found = ctx.people.get(pk)
    if found is None:
        raise CellError(_("No member of staff has the id %(id)s here.") % {"id": pk})
    return found


def _optional_person(value, ctx: Context) -> Person | None:
    return None if reader.text(value) == "" else _person(value, ctx)


def _unit(value, ctx: Context) -> Unit:
    code = reader.text(value, required=True)
    if code not in ctx.units:
        raise CellError(_("No unit has the code “%(code)s” here.") % {"code": code})
    return ctx.units[code]


def _optional_unit(value, ctx: Context) -> Unit | None:
    return None if reader.text(value) == "" else _unit(value, ctx)


def _period(value, ctx: Context) -> Period:
    name = reader.text(value, required=True)
    if name not in ctx.periods:
        raise CellError(_("No period is named “%(name)s” here.") % {"name": name})
    return ctx.periods[name]


def _award(value, ctx: Context) -> AwardType:
    code = reader.text(value, required=True)
    if code not in ctx.awards:
        raise CellError(_("No award type has the code “%(code)s” here.") % {"code": code})
    return ctx.awards[code]


def _choices(name: str, choices, *, required=True):
    def parse(value, ctx: Context):
        return reader.choice(value, ctx.table(name, choices), choices, required=required)

    return parse


def _label(choices):
    labels = dict(choices)
    return lambda value: "" if value is None else str(labels.get(value, value))


def _text(max_length: int, *, required=False):
    return lambda value, ctx: reader.text(value, required=required, max_length=max_length)


def _email(value, ctx: Context) -> str:
    address = reader.text(value, max_length=254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise CellError(
                _("“%(value)s” is not an e-mail address.") % {"value": address}
            ) from None
    return address


def _date(*, required=True):
    return lambda value, ctx: reader.date(value, required=required)


def _year(value, ctx: Context) -> int:
    year = reader.whole_number(value)
    if year < FIRST_YEAR or year > timezone.localdate().year:
        raise CellError(_("%(year)s is not a year of the title history.") % {"year": year})
    return year


def holder_name(obj) -> str:
    """The name a row gives beside a person's id or a unit's code."""
    if obj is None:
        return ""
    return obj.full_name if isinstance(obj, Person) else obj.name


def _id(person) -> object:
    return "" if person is None else person.pk


def _code(obj) -> str:
    return "" if obj is None else obj.code


def day(value) -> str:
    return date_format(value, "d/m/Y") if value else ""


# The columns every record of a person starts with
# ---------------------------------------------------------------------------------------------

PERSON_ID = Column(gettext_lazy("Staff id (in the product)"), 12)
FULL_NAME = Column(gettext_lazy("Full name"), 28)
PERIOD = Column(gettext_lazy("Period (its name)"), 22)


def person_fields() -> tuple[Field, ...]:
    return (
        Field("person", PERSON_ID, _person, show=_id),
        Field("full_name", FULL_NAME, _text(120), show=str, stored=False),
    )


# The kinds
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One list: its columns, its natural key, the records it reads and the service it writes by."""

    code: str
    title: str
    capability: str
    fields: tuple[Field, ...]
    key_fields: tuple[str, ...]
    records: Callable[[int], Iterable]  # the institution's records, with their joins
    values_of: Callable[[object], dict]  # a record's values, as parsed cells give them
    create: Callable[..., object]
    change: Callable[..., object]
    check: Callable[[dict, object, Context], list[tuple[str, str]]] = lambda v, o, c: []

    def key(self, values: dict) -> tuple:
        return tuple(_key_part(values[name]) for name in self.key_fields)

    def columns(self) -> list[Column]:
        return [f.column for f in self.fields]

    def export_rows(self, institution_id: int) -> Iterable[Sequence]:
        for record in self.records(institution_id):
            values = self.values_of(record)
            yield [f.show(values.get(f.key)) for f in self.fields]


def _key_part(value):
    return value.pk if hasattr(value, "pk") else value


def _person_values(person: Person) -> dict:
    return {
        "person": person,
        "full_name": person.full_name,
        "unit": person.unit,
        "unit_name": person.unit.name,
        "position": person.position,
        "holds_leadership_post": person.holds_leadership_post,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "email": person.email,
    }


def _person_check(values: dict, existing, ctx: Context) -> list[tuple[str, str]]:
    """The model's own rules; and a new person already on the list (same name, unit and date of
    birth) is refused, so importing the same list twice does not add everyone twice."""
    if existing is None:
        same = ctx.same_person(values)
        if same is not None:
            return [
                (
                    "person",
                    _(
                        "%(name)s is already on the staff list with the id %(id)s: "
                        "give that id to change them."
                    )
                    % {"name": same.full_name, "id": same.pk},
                )
            ]
    return services.model_errors(services.person_as_changed(ctx.institution_id, existing, values))


PEOPLE = Kind(
    code="people",
    title=gettext_lazy("Staff list"),
    capability="person.manage",
    fields=(
        Field(
            "person",
            Column(gettext_lazy("Staff id (in the product; empty for a new person)"), 14),
            _optional_person,
            show=_id,
        ),
        Field("full_name", FULL_NAME, _text(120, required=True), show=str),
        Field("unit", Column(gettext_lazy("Unit code"), 14), _unit, show=_code),
        Field(
            "unit_name",
            Column(gettext_lazy("Unit"), 26),
            _text(200),
            show=str,
            stored=False,
            optional_column=True,
        ),
        Field("position", Column(gettext_lazy("Position"), 22), _text(120), show=str),
        Field(
            "holds_leadership_post",
            Column(gettext_lazy("Holds a leadership post (Yes/No)"), 14),
            _choices("yes_no", YES_NO),
            show=_label(YES_NO),
        ),
        Field(
            "gender",
            Column(gettext_lazy("Gender (Female/Male)"), 12),
            _choices("gender", Person.Gender.choices),
            show=_label(Person.Gender.choices),
        ),
        Field(
            "birth_date",
            Column(gettext_lazy("Date of birth (dd/mm/yyyy)"), 14),
            _date(required=False),
            show=lambda v: v or "",
        ),
        Field("email", Column(gettext_lazy("E-mail"), 28), _email, show=str),
    ),
    key_fields=("person",),
    records=lambda institution_id: selectors.staff_list(institution_id).order_by(
        "unit__code", "full_name", "pk"
    ),
    values_of=_person_values,
    create=services.create_person,
    change=services.change_person,
    check=_person_check,
)


def _rating_values(record: AnnualRating) -> dict:
    return {
        "person": record.person,
        "full_name": record.person.full_name,
        "period": record.period,
        "rating": record.rating,
    }


RATINGS = Kind(
    code="ratings",
    title=gettext_lazy("Annual ratings"),
    capability="rating.manage",
    fields=(
        *person_fields(),
        Field("period", PERIOD, _period, show=lambda p: p.name),
        Field(
            "rating",
            Column(gettext_lazy("Rating"), 30),
            _choices("rating", Rating.choices),
            show=_label(Rating.choices),
        ),
    ),
    key_fields=("person", "period"),
    records=lambda institution_id: (
        AnnualRating.objects.of(institution_id)
        .select_related("person", "period")
        .order_by("period__starts_on", "person__full_name", "pk")
    ),
    values_of=_rating_values,
    create=services.record_rating,
    change=services.change_rating,
)


def _discipline_values(record: DisciplinaryRecord) -> dict:
    return {
        "person": record.person,
        "full_name": record.person.full_name,
        "period": record.period,
        "decided_on": record.decided_on,
        "level": record.level,
        "note": record.note,
    }


DISCIPLINE = Kind(
    code="discipline",
    title=gettext_lazy("Disciplinary records"),
    capability="records.import",
    fields=(
        *person_fields(),
        Field("period", PERIOD, _period, show=lambda p: p.name),
        Field("decided_on", Column(gettext_lazy("Decided on (dd/mm/yyyy)"), 14), _date()),
        Field(
            "level",
            Column(gettext_lazy("Measure"), 20),
            _choices("discipline", DisciplineLevel.choices),
            show=_label(DisciplineLevel.choices),
        ),
        Field("note", Column(gettext_lazy("Note"), 40), _text(300), show=str),
    ),
    key_fields=("person", "period", "decided_on"),
    records=lambda institution_id: (
        DisciplinaryRecord.objects.of(institution_id)
        .select_related("person", "period")
        .order_by("decided_on", "person__full_name", "pk")
    ),
    values_of=_discipline_values,
    create=services.create_record(DisciplinaryRecord),
    change=services.change_record(DisciplinaryRecord),
)


def _initiative_values(record: RecognisedInitiative) -> dict:
    return {
        "person": record.person,
        "full_name": record.person.full_name,
        "period": record.period,
        "title": record.title,
        "kind": record.kind,
        "scope": record.scope,
        "recognised_on": record.recognised_on,
    }


INITIATIVES = Kind(
    code="initiatives",
    title=gettext_lazy("Recognised initiatives"),
    capability="records.import",
    fields=(
        *person_fields(),
        Field("period", PERIOD, _period, show=lambda p: p.name),
        Field(
            "title",
            Column(gettext_lazy("Title of the initiative or project"), 44),
            _text(300, required=True),
            show=str,
        ),
        Field(
            "kind",
            Column(gettext_lazy("Kind"), 18),
            _choices("initiative_kind", RecognisedInitiative.Kind.choices),
            show=_label(RecognisedInitiative.Kind.choices),
        ),
        Field(
            "scope",
            Column(gettext_lazy("Scope"), 14),
            _choices("initiative_scope", RecognisedInitiative.Scope.choices),
            show=_label(RecognisedInitiative.Scope.choices),
        ),
        Field("recognised_on", Column(gettext_lazy("Recognised on (dd/mm/yyyy)"), 14), _date()),
    ),
    key_fields=("person", "period", "title"),
    records=lambda institution_id: (
        RecognisedInitiative.objects.of(institution_id)
        .select_related("person", "period")
        .order_by("recognised_on", "person__full_name", "pk")
    ),
    values_of=_initiative_values,
    create=services.create_record(RecognisedInitiative),
    change=services.change_record(RecognisedInitiative),
)


def _title_values(record: TitleRecord) -> dict:
    return {
        "person": record.person,
        "full_name": holder_name(record.person or record.unit),
        "unit": record.unit,
        "year": record.year,
        "award_type": record.award_type,
        "award_name": record.award_type.name,
        "decision_reference": record.decision_reference,
    }


def _title_check(values: dict, existing, ctx: Context) -> list[tuple[str, str]]:
    """One holder, of the award's kind; a title granted here is not the import's to change."""
    person, unit, award = values["person"], values["unit"], values["award_type"]
    if (person is None) == (unit is None):
        return [("person", _("Give either a staff id or a unit code, not both and not neither."))]
    wanted = AwardType.NomineeKind.INDIVIDUAL if person else AwardType.NomineeKind.COLLECTIVE
    if award.nominee_kind != wanted:
        message = (
            _("This award is for a unit: give a unit code.")
            if person
            else _("This award is for a person: give a staff id.")
        )
        return [("award_type", message)]
    if values["year"] >= ctx.current_year:
        return [
            (
                "year",
                _(
                    "Only titles of the years before %(year)s are imported; later ones "
                    "come from the decisions."
                )
                % {"year": ctx.current_year},
            )
        ]
    if existing is not None and existing.source == TitleRecord.Source.GRANTED:
        return [
            (
                "decision_reference",
                _("This title was granted by a decision in the product: it is not imported."),
            )
        ]
    return []


def current_year(institution_id: int) -> int:
    """Titles from this year on come from decisions; only earlier years are imported."""
    period = Period.objects.of(institution_id).filter(is_current=True).first()
    return period.year if period else timezone.localdate().year


TITLES = Kind(
    code="titles",
    title=gettext_lazy("Title history"),
    capability="records.import",
    fields=(
        Field(
            "person",
            Column(gettext_lazy("Staff id (for a person's title)"), 12),
            _optional_person,
            show=_id,
        ),
        Field(
            "full_name",
            Column(gettext_lazy("Name of the person or unit"), 28),
            _text(200),
            show=str,
            stored=False,
        ),
        Field(
            "unit",
            Column(gettext_lazy("Unit code (for a unit's title)"), 14),
            _optional_unit,
            show=_code,
        ),
        Field("year", Column(gettext_lazy("Year"), 8), _year),
        Field("award_type", Column(gettext_lazy("Award code"), 22), _award, show=_code),
        Field(
            "award_name",
            Column(gettext_lazy("Award"), 30),
            _text(200),
            show=str,
            stored=False,
            optional_column=True,
        ),
        Field(
            "decision_reference",
            Column(gettext_lazy("Decision (number)"), 22),
            _text(120),
            show=str,
        ),
    ),
    key_fields=("person", "unit", "award_type", "year"),
    records=lambda institution_id: (
        TitleRecord.objects.of(institution_id)
        .filter(revoked_at__isnull=True)
        .select_related("person", "unit", "award_type")
        .order_by("year", "award_type__code", "pk")
    ),
    values_of=_title_values,
    create=services.create_title,
    change=services.change_record(TitleRecord),
    check=_title_check,
)

KINDS = {kind.code: kind for kind in (PEOPLE, RATINGS, DISCIPLINE, INITIATIVES, TITLES)}
