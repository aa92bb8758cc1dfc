"""Importing one of the office's lists: a dry run that says, row by row, what would be created,
changed (old → new) or left as it is, or why a row cannot be read; then the import itself,
all rows or none, each record written and audited by its service.

The import reads the file again and plans again before writing, so what it writes is what the
file says against the records as they are now, never a copy kept by the browser.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from audit import log
from dossiers.models import Person
from spreadsheets import reader
from spreadsheets.cells import Context, context, holder_name
from spreadsheets.kinds import Kind
from spreadsheets.reader import CellError, FileRefused
from workflow import permissions

CREATE, CHANGE, UNCHANGED = "create", "change", "unchanged"


@dataclass(frozen=True)
class RowError:
    line: int  # 0 for the file as a whole
    column: str
    message: str


@dataclass(frozen=True)
class Change:
    column: str
    old: object
    new: object


@dataclass
class PlannedRow:
    line: int
    action: str
    label: str
    values: dict
    record: object | None
    changes: list[Change] = field(default_factory=list)


@dataclass
class Plan:
    kind: Kind
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def writes(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action != UNCHANGED]

    def digest(self) -> str:
        """What the preview showed, as a hash: the import refuses to write another plan."""
        shown = [
            [row.line, row.action, [[c.column, str(c.old), str(c.new)] for c in row.changes]]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan(kind: Kind, data: bytes, *, officer: Person) -> Plan:
    """The dry run of importing `data` as `kind` for the officer's institution; writes nothing."""
    permissions.require(officer, kind.capability)
    result = Plan(kind=kind)
    ctx = context(officer.institution_id)
    _index_existing(kind, ctx)
    fields = [(f.key, f.column, not f.optional_column) for f in kind.fields]
    seen: dict[tuple, int] = {}
    try:
        for row in reader.read_rows(data, fields):
            _plan_row(kind, ctx, row, result, seen)
    except FileRefused as refusal:
        result.rows, result.errors = [], [RowError(0, "", str(refusal))]
        return result
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "", _("The file has no rows to import.")))
    return result


def _index_existing(kind: Kind, ctx: Context) -> None:
    for record in kind.records(ctx.institution_id):
        key = kind.key(kind.values_of(record))
        if key in ctx.existing:
            ctx.ambiguous.add(key)
        ctx.existing[key] = record


def _plan_row(kind: Kind, ctx: Context, row: reader.Row, result: Plan, seen: dict) -> None:
    headers = {f.key: str(f.column.header) for f in kind.fields}
    values, errors = {}, []
    for f in kind.fields:
        try:
            values[f.key] = f.parse(row.cells.get(f.key), ctx)
        except CellError as error:
            errors.append(RowError(row.line, headers[f.key], error.message))
    if errors:
        result.errors.extend(errors)
        return
    problems = _name_mismatch(kind, values)
    key = kind.key(values)
    new_person = all(part is None for part in key)  # a staff-list row without an id
    same = _new_person_identity(values) if new_person else key
    if same in seen:
        problems.append(("", _("The same record as line %(line)d.") % {"line": seen[same]}))
    if key in ctx.ambiguous:
        problems.append(("", _("Several records match this row: correct them in the admin.")))
    seen.setdefault(same, row.line)
    record = None if new_person else ctx.existing.get(key)
    planned = _compare(kind, row.line, values, record)
    if planned.action != UNCHANGED:
        problems.extend(kind.check(values, record, ctx))
    if problems:
        first = headers[kind.key_fields[0]]
        result.errors.extend(
            RowError(row.line, headers.get(name, first) if name else "", message)
            for name, message in problems
        )
        return
    result.rows.append(planned)


def _new_person_identity(values: dict) -> tuple:
    """Two new people of one file are the same when name, unit and date of birth are."""
    unit = values.get("unit")
    return (
        "new",
        reader.normalised(values.get("full_name")),
        unit and unit.pk,
        values.get("birth_date"),
    )


def _name_mismatch(kind: Kind, values: dict) -> list[tuple[str, str]]:
    """The name written beside an id that is not that person's (or unit's): a shifted row."""
    if any(f.key == "full_name" and f.stored for f in kind.fields):
        return []  # the staff list: the name is the person's, to change
    holder = values.get("person") or values.get("unit")
    written = values.get("full_name", "")
    if holder is None or not written or not isinstance(written, str):
        return []
    if reader.normalised(written) == reader.normalised(holder_name(holder)):
        return []
    return [
        (
            "full_name",
            _("The id names %(name)s, not %(written)s.")
            % {"name": holder_name(holder), "written": written},
        )
    ]


def _compare(kind: Kind, line: int, values: dict, record) -> PlannedRow:
    stored = [f for f in kind.fields if f.stored and f.key not in kind.key_fields]
    label = " — ".join(str(f.show(values[f.key])) for f in kind.fields[:4] if values.get(f.key))
    if record is None:
        return PlannedRow(line, CREATE, label, values, None)
    old = kind.values_of(record)
    changes = [
        Change(str(f.column.header), f.show(old.get(f.key)), f.show(values[f.key]))
        for f in stored
        if old.get(f.key) != values[f.key]
    ]
    return PlannedRow(line, CHANGE if changes else UNCHANGED, label, values, record, changes)


def run(
    kind: Kind,
    data: bytes,
    *,
    officer: Person,
    expected_digest: str,
    file_name: str = "",
    client_address: str = "",
) -> Plan:
    """Import `data` as planned again now: every row or none, in one transaction.

    Raises ImportRefused when a row is invalid or the plan is not the one previewed; a file that
    changes nothing writes nothing and records nothing.
    """
    with transaction.atomic():
        result = plan(kind, data, officer=officer)
        if result.errors:
            raise ImportRefused(result, _("The file has errors: nothing was imported."))
        if result.digest() != expected_digest:
            raise ImportRefused(
                result,
                _("The records changed since the preview: check the new preview and confirm."),
            )
        if not result.writes:
            return result
        with log.deferred():
            for row in result.writes:
                _write(kind, row, officer=officer, client_address=client_address)
            _record_summary(
                result, data, officer=officer, file_name=file_name, client_address=client_address
            )
    return result


def _write(kind: Kind, row: PlannedRow, *, officer: Person, client_address: str) -> None:
    stored = {f.key: row.values[f.key] for f in kind.fields if f.stored}
    if row.action == CREATE:
        kind.create(officer=officer, client_address=client_address, **stored)
        return
    names = {f.key for f in kind.fields if str(f.column.header) in {c.column for c in row.changes}}
    changes = {name: value for name, value in stored.items() if name in names}
    kind.change(record=row.record, officer=officer, client_address=client_address, **changes)


def _record_summary(result: Plan, data: bytes, *, officer, file_name, client_address) -> None:
    """One event for the file: which list, which file (its hash), how many records of each."""
    acting = permissions.require(officer, result.kind.capability)
    log.append(
        institution=officer.institution,
        actor=log.Actor.acting(officer, acting, client_address),
        action="record.imported",
        object_type="spreadsheet",
        object_id=sha256(data)[:16],
        payload={
            "kind": result.kind.code,
            "file_name": file_name,
            "sha256": sha256(data),
            "created": result.count(CREATE),
            "changed": result.count(CHANGE),
            "unchanged": result.count(UNCHANGED),
        },
    )


class ImportRefused(Exception):
    def __init__(self, plan: Plan, message: str):
        super().__init__(message)
        self.plan = plan
        self.message = message
