"""Secret ballot: who voted and what was voted cannot be joined — not by a key, a time, a row order,
a row id, a transaction stamp, an old row version, an audit event, an export or a log line — and
once the vote is closed nobody can read a ballot back, whatever they hold of the database."""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction

from audit.models import AuditEvent
from council import sealing
from council import services as council
from council.keystore import key_store
from council.models import Choice, Meeting, Participation, PublishedReceipt, SealedBallot
from dossiers.models import Person
from tests.factories import login
from tests.harness import owner_connection
from tests.test_council_vote import (
    ABSTAIN,
    AGREE,
    DISAGREE,
    IN_WRITING,
    Council,
    convene,
    in_english,
)
from workflow.errors import Conflict

CHOICE_VALUES = tuple(Choice.values)  # "agree", "disagree", "abstain"
# Twelve different ballots over a three-item agenda.
PATTERNS = list(itertools.product(CHOICE_VALUES, repeat=3))[:12]
BALLOT_MODELS = [SealedBallot, PublishedReceipt]


def related_models(model) -> set:
    """Every model this one points to or is pointed from (forward and reverse relations)."""
    return {f.related_model for f in model._meta.get_fields() if f.is_relation}


def points_to(model) -> set:
    """The models this one's own fields point to (foreign keys, one-to-one, many-to-many)."""
    return {
        f.related_model for f in model._meta.get_fields() if f.is_relation and not f.auto_created
    }


def mentions_choice(text: str) -> bool:
    text = text.lower()
    return any(value in text for value in CHOICE_VALUES)


# The models hold nothing that joins a voter to a ballot


@pytest.mark.parametrize("model", BALLOT_MODELS, ids=lambda m: m.__name__)
def test_sealed_ballots_and_receipts_know_no_person_and_no_participation(model):
    assert Person not in related_models(model)
    assert Participation not in related_models(model)


def test_a_participation_knows_no_ballot_and_no_receipt():
    assert not related_models(Participation) & set(BALLOT_MODELS)
    assert "receipt" not in {f.name for f in Participation._meta.get_fields()}


def test_a_sealed_ballot_stores_no_receipt_and_no_choice_in_clear():
    assert {f.name for f in SealedBallot._meta.concrete_fields} == {"id", "meeting", "sealed"}


@pytest.mark.parametrize("model", BALLOT_MODELS, ids=lambda m: m.__name__)
def test_a_ballot_row_carries_no_date_or_time(model):
    timed = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField | models.TimeField)  # DateTimeField is a DateField
    ]
    assert timed == []


@pytest.mark.parametrize("model", BALLOT_MODELS, ids=lambda m: m.__name__)
def test_a_ballot_row_has_a_random_key_and_no_sequence(model):
    assert isinstance(model._meta.pk, models.UUIDField)
    assert callable(model._meta.pk.default)
    counters = [f.name for f in model._meta.concrete_fields if isinstance(f, models.AutoField)]
    assert counters == []


def test_no_other_model_joins_a_participation_to_a_ballot():
    joining = [
        model.__name__
        for model in apps.get_models()
        if Participation in points_to(model) and points_to(model) & set(BALLOT_MODELS)
    ]
    assert joining == []


# Each ballot is sealed once: no rewrite, nothing readable in clear


@pytest.fixture
def twelve_ballots(period, unit_a, secretary):
    """Twelve members cast twelve different ballots, one after the other.

    Returns the council, the receipts in the order cast, and the stored sealed ballots (id ->
    bytes) just before and just after each cast.
    """
    c = convene(
        period,
        unit_a,
        secretary,
        size=12,
        awards=("advanced_worker", "grassroots_emulation_fighter", "certificate_of_merit"),
    )
    c.open()
    receipts, snapshots = [], []
    for member, pattern in zip(c.members, PATTERNS, strict=True):
        before = sealed_rows(c.meeting)
        receipts.append(c.vote(member, *pattern))
        snapshots.append((before, sealed_rows(c.meeting)))
    return c, receipts, snapshots


def sealed_rows(meeting) -> dict:
    return {
        pk: bytes(blob)
        for pk, blob in SealedBallot.objects.filter(meeting=meeting).values_list("pk", "sealed")
    }


def test_a_cast_adds_one_sealed_ballot_and_leaves_every_earlier_one_as_it_was(twelve_ballots):
    """Regression: every cast used to delete and rewrite all ballots of the meeting."""
    _c, _receipts, snapshots = twelve_ballots

    for n, (before, after) in enumerate(snapshots, start=1):
        assert len(after) == n
        assert {pk: after[pk] for pk in before} == before, f"cast {n} changed an earlier ballot"


def test_no_receipt_and_no_choice_can_be_read_from_the_stored_bytes(twelve_ballots):
    c, receipts, _snapshots = twelve_ballots

    for blob in sealed_rows(c.meeting).values():
        for receipt in receipts:
            assert receipt.encode() not in blob
            assert receipt.replace("-", "").encode() not in blob
        assert not [v for v in CHOICE_VALUES if v.encode() in blob]


def test_every_sealed_ballot_of_a_meeting_has_the_same_length(twelve_ballots):
    c, _receipts, _snapshots = twelve_ballots

    assert len({len(blob) for blob in sealed_rows(c.meeting).values()}) == 1


def test_a_sealed_ballot_opens_only_with_its_meetings_key_and_its_meeting_id(twelve_ballots):
    c, receipts, _snapshots = twelve_ballots
    key = key_store().get(c.pk)
    blob = next(iter(sealed_rows(c.meeting).values()))

    receipt, _words = sealing.open_sealed(key, meeting_id=c.pk, sealed=blob)
    assert receipt in receipts
    with pytest.raises(sealing.Unreadable):
        sealing.open_sealed(bytes(32), meeting_id=c.pk, sealed=blob)
    with pytest.raises(sealing.Unreadable):
        sealing.open_sealed(key, meeting_id=c.pk + 1, sealed=blob)


def test_the_tally_counts_every_sealed_ballot_as_it_was_cast(twelve_ballots):
    c, _receipts, _snapshots = twelve_ballots

    c.close()

    c.refresh()
    expected = [
        tuple(sum(1 for p in PATTERNS if p[n] == v) for v in CHOICE_VALUES) for n in range(3)
    ]
    assert [(i.agree, i.disagree, i.abstain) for i in c.items] == expected


@pytest.mark.parametrize("model", BALLOT_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET meeting_id = meeting_id", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_a_written_ballot_row(
    twelve_ballots, model, statement
):
    c, _receipts, _snapshots = twelve_ballots
    c.close()
    rows = model.objects.filter(meeting=c.meeting).count()

    with (
        pytest.raises(DatabaseError, match="written once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=model._meta.db_table))

    assert rows > 0 and model.objects.filter(meeting=c.meeting).count() == rows


# After closing: the key is gone, only the tally and the receipt codes remain


def every_value_in_the_database() -> str:
    """Every row of every table, as text (bytea as hex on PostgreSQL, blobs as hex on SQLite)."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT t::text FROM {quoted} t")  # noqa: S608
                texts.extend(row[0] for row in cursor.fetchall())
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
                texts.extend(
                    " ".join(v.hex() if isinstance(v, bytes) else str(v) for v in row)
                    for row in cursor.fetchall()
                )
    return "\n".join(texts)


def test_after_closing_the_key_is_destroyed_and_is_nowhere_in_the_database(
    period, unit_a, secretary, django_capture_on_commit_callbacks
):
    c = convene(period, unit_a, secretary, size=5, awards=("advanced_worker",))
    c.open()
    key = key_store().get(c.pk)
    for member in c.members:
        c.vote(member, AGREE)
    blobs = list(sealed_rows(c.meeting).values())

    with django_capture_on_commit_callbacks(execute=True):
        c.close()

    assert key is not None and key_store().get(c.pk) is None
    assert not list(key_store().directory.glob(f"meeting-{c.pk}.*"))
    dump = every_value_in_the_database().lower()
    for form in (key.hex(), base64.b64encode(key).decode().lower()):
        assert form not in dump
    assert len(blobs) == 5  # the sealed ballots stay, unopenable


def test_closing_when_the_key_is_lost_is_refused_and_changes_nothing(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5, awards=("advanced_worker",))
    c.open()
    for member in c.members:
        c.vote(member, AGREE)
    key_store().destroy(c.pk)
    events_before = AuditEvent.objects.count()

    with pytest.raises(Conflict) as refused:
        c.close()

    assert "the vote must be held again in a new meeting" in in_english(refused.value)
    c.refresh()
    assert c.meeting.state == Meeting.State.OPEN
    assert c.items[0].agree is None
    assert not PublishedReceipt.objects.filter(meeting=c.meeting).exists()
    assert AuditEvent.objects.count() == events_before


def test_a_ballot_cast_when_the_key_is_lost_is_refused_and_stores_nothing(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=5, awards=("advanced_worker",))
    c.open()
    key_store().destroy(c.pk)

    with pytest.raises(council.BallotRefused):
        c.vote(c.members[1], AGREE)

    assert not Participation.objects.filter(meeting=c.meeting).exists()
    assert not SealedBallot.objects.filter(meeting=c.meeting).exists()


def test_the_key_file_is_readable_by_its_owner_only(period, unit_a, secretary):
    c = convene(period, unit_a, secretary, size=5, awards=("advanced_worker",))
    c.open()

    [path] = key_store().directory.glob(f"meeting-{c.pk}.key")
    assert path.stat().st_mode & 0o777 == 0o600


# Audit trail, export and logs never pair a member with a choice


@pytest.fixture
def closed_meeting(period, unit_a, secretary) -> tuple[Council, list[str]]:
    """Six members, two dossiers; five ballots in person with different choices, one in writing."""
    c = convene(
        period, unit_a, secretary, size=6, awards=("advanced_worker", "certificate_of_merit")
    )
    c.attend(c.members[-1:], IN_WRITING)
    c.open()
    picks = [
        (AGREE, AGREE),
        (AGREE, DISAGREE),
        (DISAGREE, ABSTAIN),
        (ABSTAIN, AGREE),
        (AGREE, ABSTAIN),
    ]
    receipts = [c.vote(member, *p) for member, p in zip(c.members[:5], picks, strict=True)]
    receipts.append(c.write_in(c.members[5], DISAGREE, DISAGREE))
    c.close()
    return c, receipts


def chain_texts(institution) -> list[tuple[AuditEvent, str]]:
    return [
        (e, json.dumps(e.as_chain_event(institution.code), ensure_ascii=False))
        for e in AuditEvent.objects.filter(institution=institution).order_by("sequence")
    ]


def test_no_audit_event_carries_a_receipt(closed_meeting):
    c, receipts = closed_meeting

    for event, text in chain_texts(c.meeting.institution):
        assert not [r for r in receipts if r in text], event


def test_the_events_of_casting_and_entering_a_ballot_say_nothing_of_what_was_chosen(
    closed_meeting,
):
    c, _receipts = closed_meeting

    ballot_events = [
        (e, text)
        for e, text in chain_texts(c.meeting.institution)
        if e.action.startswith("ballot.")
    ]

    assert [e.action for e, _t in ballot_events] == ["ballot.cast"] * 5 + [
        "ballot.recorded_in_writing"
    ]
    for _event, text in ballot_events:
        assert not mentions_choice(text), text


def test_only_the_closing_tally_mentions_choices_and_it_counts_per_dossier_not_per_member(
    closed_meeting,
):
    c, _receipts = closed_meeting
    names = [m.full_name for m in c.members]

    with_choices = [(e, t) for e, t in chain_texts(c.meeting.institution) if mentions_choice(t)]

    assert [e.action for e, _t in with_choices] == ["meeting.vote_closed"]
    [(closing, _text)] = with_choices
    assert closing.actor == c.secretary
    assert {r["dossier"] for r in closing.payload["results"]} == {d.pk for d in c.dossiers}
    for result in closing.payload["results"]:
        assert set(result) == {
            "dossier",
            "agree",
            "disagree",
            "abstain",
            "recused",
            "recommended",
            "threshold",
        }
    payload_text = json.dumps(closing.payload, ensure_ascii=False)
    assert not [name for name in names if name in payload_text]


def test_the_audit_export_pairs_no_member_with_a_choice_or_a_receipt(closed_meeting, tmp_path):
    c, receipts = closed_meeting
    names = [m.full_name for m in c.members]
    export = tmp_path / "trail.jsonl"

    call_command("verify_audit", export=str(export), stdout=StringIO(), stderr=StringIO())

    lines = export.read_text(encoding="utf-8").splitlines()
    assert len(lines) == AuditEvent.objects.count()
    assert not [r for r in receipts if r in export.read_text(encoding="utf-8")]
    for line in lines:
        event = json.loads(line)
        if not mentions_choice(line):
            continue
        # Only the closing tally counts choices; its payload is per dossier and names no one.
        assert event["action"] == "meeting.vote_closed", line
        payload = json.dumps(event["payload"], ensure_ascii=False)
        assert not [name for name in names if name in payload]
        assert [set(r) for r in event["payload"]["results"]] == [
            {"dossier", "agree", "disagree", "abstain", "recused", "recommended", "threshold"}
        ] * len(c.dossiers)
    cast_lines = [json.loads(line) for line in lines if '"ballot.cast"' in line]
    assert {e["actor_id"] for e in cast_lines} == {m.pk for m in c.members[:5]}


def test_casting_a_ballot_logs_nothing_that_ties_the_member_to_the_ballot(
    period, unit_a, secretary, caplog
):
    c = convene(
        period, unit_a, secretary, size=5, awards=("advanced_worker", "certificate_of_merit")
    )
    c.open()
    member = c.members[1]
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)

    receipt = c.vote(member, DISAGREE, ABSTAIN)

    for record in caplog.records:
        text = f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        assert receipt not in text, text
        if member.full_name in text or member.user.username in text:
            assert not mentions_choice(text), text


def test_the_dossier_page_after_the_vote_shows_no_receipt(closed_meeting):
    c, receipts = closed_meeting
    client = login(c.secretary)

    for dossier in c.dossiers:
        response = client.get(f"/dossiers/{dossier.pk}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert not [r for r in receipts if r in page]


# On PostgreSQL, what someone with page-level access reads pairs no member with a choice


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def raw_tuples(table: str) -> list[bytes] | None:
    """Every tuple on the table's pages, live and dead (old versions), via pageinspect.

    Read as the database owner: the application role of a two-role run may neither install the
    extension nor read raw pages, and someone holding the database is exactly that owner. None
    when the extension is not available here; CI must have it, so there it fails instead.
    """
    owner = owner_connection()
    try:
        owner.ensure_connection()
        with owner.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pageinspect'")
            if cursor.fetchone() is None:
                if os.environ.get("CI") == "true":
                    pytest.fail("pageinspect is not available: install postgresql-contrib")
                return None
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            cursor.execute(
                "SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table]
            )
            (pages,) = cursor.fetchone()
            found = []
            for page in range(pages):
                cursor.execute(
                    "SELECT t_data FROM heap_page_items(get_raw_page(%s, %s))", [table, page]
                )
                found += [bytes(data) for (data,) in cursor.fetchall() if data is not None]
        return found
    finally:
        owner.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_no_physical_attribute_links_a_member_to_a_choice_or_a_receipt(
    period, unit_a, secretary
):
    c = convene(
        period, unit_a, secretary, size=6, awards=("advanced_worker", "certificate_of_merit")
    )
    c.open()
    picks = [(AGREE, AGREE), (AGREE, DISAGREE), (DISAGREE, ABSTAIN), (ABSTAIN, AGREE),
             (DISAGREE, DISAGREE), (ABSTAIN, ABSTAIN)]  # fmt: skip
    receipt_of = {m.pk: c.vote(m, *p) for m, p in zip(c.members, picks, strict=True)}
    sealed_table = SealedBallot._meta.db_table

    # xmin, ctid and insertion order do pair each member with the sealed row they wrote...
    voted = rows(
        f"SELECT member_id, xmin::text FROM {Participation._meta.db_table}"  # noqa: S608
        " WHERE meeting_id = %s ORDER BY ctid",
        [c.pk],
    )
    sealed = rows(
        f"SELECT xmin::text, sealed FROM {sealed_table} WHERE meeting_id = %s"  # noqa: S608
        " ORDER BY ctid",
        [c.pk],
    )
    by_stamp = {stamp: bytes(blob) for stamp, blob in sealed}
    assert len(by_stamp) == 6  # one transaction per ballot: no cast re-stamps another
    # ...but what a member's row pairs with holds neither their receipt nor their choices,
    for member_id, stamp in voted:
        blob = by_stamp[stamp]
        assert receipt_of[member_id].encode() not in blob
        assert not [v for v in CHOICE_VALUES if v.encode() in blob]
    # and no old version of any ballot exists to compare against.
    tuples = raw_tuples(sealed_table)
    if tuples is not None:
        assert len(tuples) == 6, "a cast left an old row version behind"
        assert not [r for r in receipt_of.values() for t in tuples if r.encode() in t]

    c.close()

    # Once closed, the receipts come from one transaction, stored in code order,
    published = rows(
        f"SELECT receipt, xmin::text FROM {PublishedReceipt._meta.db_table}"  # noqa: S608
        " WHERE meeting_id = %s ORDER BY ctid",
        [c.pk],
    )
    assert [r for r, _x in published] == sorted(receipt_of.values())
    assert len({x for _r, x in published}) == 1
    assert not {x for _r, x in published} & {stamp for _m, stamp in voted}
    # and the sealed row a member wrote no longer opens: the key is gone.
    assert key_store().get(c.pk) is None
