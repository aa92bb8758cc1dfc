"""Secret ballot: who voted and what was voted cannot be joined — not by a key, a time, a row order,
a row id, a transaction stamp, an audit event, an export or a log line."""

from __future__ import annotations

import itertools
import json
import logging
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models

from audit.models import AuditEvent
from council.models import BallotChoice, BallotContent, Meeting, Participation
from dossiers.models import Person
from tests.factories import login
from tests.test_council_vote import ABSTAIN, AGREE, DISAGREE, IN_WRITING, Council, convene

CHOICE_VALUES = tuple(BallotChoice.Choice.values)  # "agree", "disagree", "abstain"
# Twelve different ballots over a three-item agenda.
PATTERNS = list(itertools.product(CHOICE_VALUES, repeat=3))[:12]


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


def test_ballot_contents_and_choices_know_no_person_and_no_participation():
    for model in (BallotContent, BallotChoice):
        assert Person not in related_models(model), model
        assert Participation not in related_models(model), model


def test_a_participation_knows_no_ballot_content_and_no_choice():
    assert BallotContent not in related_models(Participation)
    assert BallotChoice not in related_models(Participation)
    assert "receipt" not in {f.name for f in Participation._meta.get_fields()}


@pytest.mark.parametrize("model", [BallotContent, BallotChoice], ids=lambda m: m.__name__)
def test_a_ballot_row_carries_no_date_or_time(model):
    timed = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField | models.TimeField)  # DateTimeField is a DateField
    ]
    assert timed == []


@pytest.mark.parametrize("model", [BallotContent, BallotChoice], ids=lambda m: m.__name__)
def test_a_ballot_row_has_a_random_key_and_no_sequence(model):
    assert isinstance(model._meta.pk, models.UUIDField)
    assert callable(model._meta.pk.default)
    counters = [f.name for f in model._meta.concrete_fields if isinstance(f, models.AutoField)]
    assert counters == []


def test_voters_and_ballots_share_nothing_but_the_meeting():
    assert related_models(Participation) & related_models(BallotContent) == {Meeting}
    participation_columns = {f.column for f in Participation._meta.concrete_fields}
    content_columns = {f.column for f in BallotContent._meta.concrete_fields}
    # Both have a random UUID "id" of their own; the meeting is the only shared value.
    assert participation_columns & content_columns == {"id", "meeting_id"}


def test_no_other_model_joins_a_participation_to_a_ballot():
    joining = [
        model.__name__
        for model in apps.get_models()
        if Participation in points_to(model) and points_to(model) & {BallotContent, BallotChoice}
    ]
    assert joining == []


# Storage order, ids and stamps say nothing about who cast a ballot


@pytest.fixture
def twelve_ballots(period, unit_a, secretary):
    """Twelve members cast twelve different ballots, one after the other.

    Returns the council, the receipts in the order cast, and the ballot content ids and choice
    ids just before and just after each cast.
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
        before = content_and_choice_ids(c.meeting)
        receipts.append(c.vote(member, *pattern))
        snapshots.append((before, content_and_choice_ids(c.meeting)))
    return c, receipts, snapshots


def content_and_choice_ids(meeting) -> tuple[set, set]:
    return (
        set(BallotContent.objects.filter(meeting=meeting).values_list("pk", flat=True)),
        set(BallotChoice.objects.filter(ballot__meeting=meeting).values_list("pk", flat=True)),
    )


def receipts_in(id_order: list) -> list[str]:
    receipt_of = dict(BallotContent.objects.values_list("pk", "receipt"))
    return [receipt_of[BallotContent._meta.pk.to_python(pk)] for pk in id_order]


def natural_order() -> list[str]:
    """Receipts in the order the database returns the rows when no order is asked for."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {BallotContent._meta.db_table}")  # noqa: S608
        return receipts_in([row[0] for row in cursor.fetchall()])


def storage_order() -> list[str]:
    """Receipts in the order the rows physically sit: SQLite's rowid, PostgreSQL's ctid."""
    physical = {"sqlite": "rowid", "postgresql": "ctid"}.get(connection.vendor)
    if physical is None:
        pytest.skip(f"no physical row order known for {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {BallotContent._meta.db_table} ORDER BY {physical}"  # noqa: S608
        )
        return receipts_in([row[0] for row in cursor.fetchall()])


def test_every_cast_rewrites_all_ballots_of_the_meeting_with_new_ids(twelve_ballots):
    _c, _receipts, snapshots = twelve_ballots

    for n, ((contents_before, choices_before), (contents_after, choices_after)) in enumerate(
        snapshots, start=1
    ):
        assert len(contents_after) == n
        assert len(choices_after) == 3 * n
        assert contents_before.isdisjoint(contents_after), f"cast {n} kept old content ids"
        assert choices_before.isdisjoint(choices_after), f"cast {n} kept old choice ids"


def test_rewriting_keeps_every_ballot_as_it_was_cast(twelve_ballots):
    c, receipts, _snapshots = twelve_ballots

    stored = {
        content.receipt: {choice.item_id: choice.choice for choice in content.choices.all()}
        for content in BallotContent.objects.filter(meeting=c.meeting).prefetch_related("choices")
    }

    assert stored == {
        receipt: c.choices(*pattern) for receipt, pattern in zip(receipts, PATTERNS, strict=True)
    }


def test_ballots_ordered_by_id_do_not_follow_the_order_of_casting(twelve_ballots):
    c, receipts, _snapshots = twelve_ballots

    by_id = list(
        BallotContent.objects.filter(meeting=c.meeting)
        .order_by("pk")
        .values_list("receipt", flat=True)
    )

    assert sorted(by_id) == sorted(receipts)
    assert by_id not in (receipts, receipts[::-1])


def test_ballots_in_the_databases_natural_order_do_not_follow_the_order_of_casting(
    twelve_ballots,
):
    _c, receipts, _snapshots = twelve_ballots

    natural = natural_order()

    assert sorted(natural) == sorted(receipts)
    assert natural not in (receipts, receipts[::-1])


def test_the_newest_ballot_is_not_always_stored_last_or_first_in_the_table(
    period, unit_a, secretary
):
    c = convene(period, unit_a, secretary, size=12, awards=("advanced_worker",))
    c.open()

    places = []
    for n, member in enumerate(c.members):
        receipt = c.vote(member, CHOICE_VALUES[n % 3])
        stored = storage_order()
        places.append((stored.index(receipt), len(stored)))

    assert not all(place == count - 1 for place, count in places[1:]), places
    assert not all(place == 0 for place, _count in places[1:]), places


def test_ballots_in_physical_row_order_do_not_follow_the_order_of_casting(twelve_ballots):
    _c, receipts, _snapshots = twelve_ballots

    physical = storage_order()  # SQLite: rowid; PostgreSQL: ctid

    assert sorted(physical) == sorted(receipts)
    assert physical not in (receipts, receipts[::-1])


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_all_ballots_of_a_meeting_carry_the_transaction_stamp_of_the_last_cast(
    period, unit_a, secretary
):
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    c = convene(
        period, unit_a, secretary, size=5, awards=("advanced_worker", "certificate_of_merit")
    )
    c.open()
    content_table = BallotContent._meta.db_table
    choice_table = BallotChoice._meta.db_table

    stamps = []
    for member, picks in zip(
        c.members, [(AGREE, DISAGREE), (ABSTAIN, AGREE), (DISAGREE, DISAGREE)], strict=False
    ):
        c.vote(member, *picks)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT xmin::text FROM {content_table} WHERE meeting_id = %s",  # noqa: S608
                [c.pk],
            )
            content_stamps = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT DISTINCT ch.xmin::text FROM {choice_table} ch"  # noqa: S608
                f" JOIN {content_table} b ON ch.ballot_id = b.id WHERE b.meeting_id = %s",
                [c.pk],
            )
            choice_stamps = {row[0] for row in cursor.fetchall()}
        assert len(content_stamps) == 1, content_stamps
        assert choice_stamps == content_stamps
        stamps.append(content_stamps.pop())

    assert len(set(stamps)) == 3  # each cast re-stamped every earlier ballot


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
            {"dossier", "agree", "disagree", "abstain", "recommended", "threshold"}
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
