"""The lists the personnel office keeps in Excel, each as one template: its columns, how a row
names its record (the natural key), how its cells are read (spreadsheets.cells) and which service
writes the record (spreadsheets.services).

The name written beside a person's id is checked against that person, so a shifted row is
caught; the import itself (spreadsheets.imports) knows nothing of any one list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers import selectors
from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    Person,
    Rating,
    RecognisedInitiative,
    TitleRecord,
)
from spreadsheets import cells, services
from spreadsheets.cells import YES_NO, Context
from spreadsheets.writer import Column


@dataclass(frozen=True)
class Field:
    """One column: `parse(cell, context)` gives the value (or raises CellError); `show` writes a
    value as the preview and the export show it. A `check` column (a name beside an id) is read
    to catch mistakes, never stored; an optional one may be left out of the file."""

    key: str
    column: Column
    parse: Callable[[object, cells.Context], object]
    show: Callable[[object], object] = lambda value: value
    stored: bool = True
    optional_column: bool = False


# The columns every record of a person starts with
# ---------------------------------------------------------------------------------------------

PERSON_ID = Column(gettext_lazy("Staff id (in the product)"), 12)
FULL_NAME = Column(gettext_lazy("Full name"), 28)
PERIOD = Column(gettext_lazy("Period (its name)"), 22)


def person_fields() -> tuple[Field, ...]:
    return (
        Field("person", PERSON_ID, cells.person, show=cells.id_of),
        Field("full_name", FULL_NAME, cells.text(120), show=str, stored=False),
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
        "employed_since": person.employed_since,
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
            cells.optional_person,
            show=cells.id_of,
        ),
        Field("full_name", FULL_NAME, cells.text(120, required=True), show=str),
        Field("unit", Column(gettext_lazy("Unit code"), 14), cells.unit, show=cells.code_of),
        Field(
            "unit_name",
            Column(gettext_lazy("Unit"), 26),
            cells.text(200),
            show=str,
            stored=False,
            optional_column=True,
        ),
        Field("position", Column(gettext_lazy("Position"), 22), cells.text(120), show=str),
        Field(
            "holds_leadership_post",
            Column(gettext_lazy("Holds a leadership post (Yes/No)"), 14),
            cells.choices("yes_no", YES_NO),
            show=cells.label(YES_NO),
        ),
        Field(
            "gender",
            Column(gettext_lazy("Gender (Female/Male)"), 12),
            cells.choices("gender", Person.Gender.choices),
            show=cells.label(Person.Gender.choices),
        ),
        Field(
            "birth_date",
            Column(gettext_lazy("Date of birth (dd/mm/yyyy)"), 14),
            cells.date(required=False),
            show=lambda v: v or "",
        ),
        Field("email", Column(gettext_lazy("E-mail"), 28), cells.email, show=str),
        Field(
            "employed_since",  # for the months worked in a period
            Column(gettext_lazy("Working here since (dd/mm/yyyy)"), 16),
            cells.date(required=False),
            show=lambda v: v or "",
        ),
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
        Field("period", PERIOD, cells.period, show=lambda p: p.name),
        Field(
            "rating",
            Column(gettext_lazy("Rating"), 30),
            cells.choices("rating", Rating.choices),
            show=cells.label(Rating.choices),
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
        Field("period", PERIOD, cells.period, show=lambda p: p.name),
        Field("decided_on", Column(gettext_lazy("Decided on (dd/mm/yyyy)"), 14), cells.date()),
        Field(
            "level",
            Column(gettext_lazy("Measure"), 20),
            cells.choices("discipline", DisciplineLevel.choices),
            show=cells.label(DisciplineLevel.choices),
        ),
        Field("note", Column(gettext_lazy("Note"), 40), cells.text(300), show=str),
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
        Field("period", PERIOD, cells.period, show=lambda p: p.name),
        Field(
            "title",
            Column(gettext_lazy("Title of the initiative or project"), 44),
            cells.text(300, required=True),
            show=str,
        ),
        Field(
            "kind",
            Column(gettext_lazy("Kind"), 18),
            cells.choices("initiative_kind", RecognisedInitiative.Kind.choices),
            show=cells.label(RecognisedInitiative.Kind.choices),
        ),
        Field(
            "scope",
            Column(gettext_lazy("Scope"), 14),
            cells.choices("initiative_scope", RecognisedInitiative.Scope.choices),
            show=cells.label(RecognisedInitiative.Scope.choices),
        ),
        Field(
            "recognised_on", Column(gettext_lazy("Recognised on (dd/mm/yyyy)"), 14), cells.date()
        ),
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
        "full_name": cells.holder_name(record.person or record.unit),
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


TITLES = Kind(
    code="titles",
    title=gettext_lazy("Title history"),
    capability="records.import",
    fields=(
        Field(
            "person",
            Column(gettext_lazy("Staff id (for a person's title)"), 12),
            cells.optional_person,
            show=cells.id_of,
        ),
        Field(
            "full_name",
            Column(gettext_lazy("Name of the person or unit"), 28),
            cells.text(200),
            show=str,
            stored=False,
        ),
        Field(
            "unit",
            Column(gettext_lazy("Unit code (for a unit's title)"), 14),
            cells.optional_unit,
            show=cells.code_of,
        ),
        Field("year", Column(gettext_lazy("Year"), 8), cells.year),
        Field(
            "award_type", Column(gettext_lazy("Award code"), 22), cells.award, show=cells.code_of
        ),
        Field(
            "award_name",
            Column(gettext_lazy("Award"), 30),
            cells.text(200),
            show=str,
            stored=False,
            optional_column=True,
        ),
        Field(
            "decision_reference",
            Column(gettext_lazy("Decision (number)"), 22),
            cells.text(120),
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
