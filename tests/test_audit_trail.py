"""The audit trail: every write appends one hash-chained event to its institution's chain."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction

from audit import hashchain, log
from audit.models import AuditChainHead, AuditEvent
from dossiers import services as dossier_services
from dossiers.models import AwardType, Document, State
from tests.conftest import PDF_BYTES, make_dossier, make_person, pdf_upload
from tests.factories import audit_mark, dossier_in, events_after
from workflow import services
from workflow.errors import IllegalTransition, NotPermitted


def append_event(institution, n: int = 1, **fields) -> AuditEvent:
    """One event appended the way product code does it: inside a transaction."""
    fields.setdefault("actor", log.SYSTEM)
    with transaction.atomic():
        return log.append(
            institution=institution,
            action=fields.pop("action", "dossier.edited"),
            object_type=fields.pop("object_type", "test"),
            object_id=fields.pop("object_id", n),
            **fields,
        )


def append_events(institution, count: int) -> list[AuditEvent]:
    return [append_event(institution, n) for n in range(1, count + 1)]


def events_of(institution) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(institution=institution).order_by("sequence"))


# Sequence and chain


def test_appended_events_are_numbered_one_two_three(institution):
    append_events(institution, 3)

    assert [e.sequence for e in events_of(institution)] == [1, 2, 3]


def test_each_institution_numbers_its_own_chain_from_one(institution, other_institution):
    append_event(institution)
    append_event(other_institution)
    append_event(institution)
    append_event(other_institution)
    append_event(other_institution)

    assert [e.sequence for e in events_of(institution)] == [1, 2]
    assert [e.sequence for e in events_of(other_institution)] == [1, 2, 3]


def test_the_first_event_of_a_chain_links_to_genesis(institution, other_institution):
    append_event(institution)
    append_event(other_institution)

    assert events_of(institution)[0].prev_hash == hashchain.GENESIS
    assert events_of(other_institution)[0].prev_hash == hashchain.GENESIS


def test_every_later_event_links_to_the_hash_of_the_one_before(institution):
    append_events(institution, 4)

    events = events_of(institution)
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_the_stored_hash_can_be_recomputed_from_the_event_read_back_from_the_database(
    institution, head_a
):
    append_event(institution, reason="Lý do có dấu tiếng Việt", payload={"số": [1, "hai"]})
    append_event(
        institution,
        actor=log.Actor(person=head_a, role="unit_head", client_address="192.0.2.7"),
        payload={"nested": {"b": 2, "a": 1}},
    )

    for event in events_of(institution):  # fresh rows: timestamps have been through the DB
        recomputed = hashchain.event_hash(event.prev_hash, event.as_chain_event(institution.code))
        assert recomputed == event.hash


def test_a_different_reason_gives_a_different_hash(institution):
    event = append_event(institution, reason="original")
    chain_event = AuditEvent.objects.get(pk=event.pk).as_chain_event(institution.code)

    edited = {**chain_event, "reason": "edited"}

    assert hashchain.event_hash(event.prev_hash, edited) != event.hash


# Inside the caller's transaction only


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused_and_writes_nothing(institution):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        log.append(
            institution=institution,
            actor=log.SYSTEM,
            action="dossier.edited",
            object_type="test",
            object_id=1,
        )

    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()


def test_an_event_whose_transaction_rolls_back_leaves_no_trace_in_the_chain(institution):
    append_event(institution)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        log.append(
            institution=institution,
            actor=log.SYSTEM,
            action="dossier.edited",
            object_type="test",
            object_id=2,
        )
        1 / 0  # noqa: B018

    later = append_event(institution)

    assert later.sequence == 2
    assert log.verify_institution(institution).intact


# What an event records


def test_the_event_records_who_in_which_role_from_where_why_and_what(institution, head_a, unit_a):
    delegate = make_person(institution, unit_a, full_name="Trần Thị Ủy Quyền")
    event = append_event(
        institution,
        actor=log.Actor(
            person=delegate,
            role="unit_head",
            on_behalf_of=head_a,
            client_address="2001:db8::17",
        ),
        action="dossier.edited",
        object_type="dossier",
        object_id=42,
        reason="Bổ sung minh chứng",
        payload={"changes": {"achievement_summary": ["cũ", "mới"]}},
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == delegate
    assert stored.actor_name == "Trần Thị Ủy Quyền"
    assert stored.role == "unit_head"
    assert stored.on_behalf_of == head_a
    assert stored.on_behalf_of_name == head_a.full_name
    assert stored.client_address == "2001:db8::17"
    assert stored.reason == "Bổ sung minh chứng"
    assert stored.payload == {"changes": {"achievement_summary": ["cũ", "mới"]}}
    assert (stored.action, stored.object_type, stored.object_id) == (
        "dossier.edited",
        "dossier",
        "42",
    )


def test_an_actor_without_a_person_record_is_recorded_by_name(institution):
    event = append_event(
        institution, actor=log.Actor(person=None, role="administrator", name="admin")
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_name, stored.role) == (None, "admin", "administrator")


def test_a_transition_records_its_from_and_to_state_actor_role_reason_and_address(
    period, unit_a, reviewer
):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    mark = audit_mark()

    services.transition(
        dossier_id=dossier.pk,
        action="approve",
        person=reviewer,
        expected_version=dossier.version,
        reason="  Đủ điều kiện  ",
        client_address="198.51.100.4",
    )

    event = events_after(mark).get()
    assert event.action == "dossier.approved"
    assert (event.object_type, event.object_id) == ("dossier", str(dossier.pk))
    assert (event.from_state, event.to_state) == (State.SUBMITTED, State.REVIEWED)
    assert (event.actor, event.actor_name, event.role) == (reviewer, reviewer.full_name, "reviewer")
    assert event.reason == "Đủ điều kiện"
    assert event.client_address == "198.51.100.4"


def test_a_refused_transition_writes_no_event(period, unit_a, reviewer):
    dossier = make_dossier(period, unit_a)  # a draft cannot be approved
    mark = audit_mark()

    with pytest.raises(IllegalTransition):
        services.transition(
            dossier_id=dossier.pk, action="approve", person=reviewer, expected_version=1
        )

    assert not events_after(mark).exists()


# Verifying the chain from the database


def test_an_intact_chain_verifies_with_its_event_count_and_head_hash(institution):
    append_events(institution, 5)

    report = log.verify_institution(institution)

    assert report.intact
    assert report.events == 5
    assert report.first_broken_sequence is None
    assert report.head_hash == AuditChainHead.objects.get(institution=institution).hash
    assert report.head_hash == events_of(institution)[-1].hash


def test_an_institution_without_events_verifies_as_an_empty_intact_chain(institution):
    report = log.verify_institution(institution)

    assert report.intact
    assert (report.events, report.head_hash) == (0, hashchain.GENESIS)


def test_the_chain_head_row_follows_the_last_event(institution):
    events = append_events(institution, 3)

    head = AuditChainHead.objects.get(institution=institution)
    assert (head.sequence, head.hash) == (3, events[-1].hash)


# Writes of dossiers and documents


@pytest.fixture
def award_type(institution):
    return AwardType.objects.get(institution=institution, code="advanced_worker")


def pdf_with(text: str) -> bytes:
    return PDF_BYTES + f"% {text}\n".encode()


@pytest.fixture
def created_dossier(period, unit_a, head_a, award_type):
    nominee = make_person(period.institution, unit_a)
    kinds = list(award_type.required_document_kinds.all())
    assert kinds, "the catalogue's award needs required documents for this test"
    documents = [(kind, pdf_upload(f"{kind.code}.pdf", pdf_with(kind.code))) for kind in kinds]
    dossier = dossier_services.create_dossier(
        person=head_a,
        unit=unit_a,
        period=period,
        award_type=award_type,
        achievement_summary="Hoàn thành xuất sắc nhiệm vụ.",
        nominee_person=nominee,
        documents=documents,
        client_address="203.0.113.9",
    )
    return dossier, kinds


def test_creating_a_dossier_records_its_creation_then_each_document_with_its_hash(
    created_dossier, head_a
):
    dossier, kinds = created_dossier

    events = list(AuditEvent.objects.filter(object_id=str(dossier.pk)).order_by("sequence"))
    assert [e.action for e in events] == ["dossier.created"] + ["dossier.document_added"] * len(
        kinds
    )
    assert events[0].to_state == State.DRAFT
    assert events[0].payload["fields"]["achievement_summary"] == "Hoàn thành xuất sắc nhiệm vụ."
    recorded = {e.payload["document"]["kind"]: e.payload["document"]["sha256"] for e in events[1:]}
    assert recorded == {
        kind.code: hashlib.sha256(pdf_with(kind.code)).hexdigest() for kind in kinds
    }
    assert {(e.actor_id, e.role, e.client_address) for e in events} == {
        (head_a.pk, "unit_head", "203.0.113.9")
    }


def test_the_recorded_document_hash_matches_the_stored_file(created_dossier):
    dossier, _ = created_dossier

    for document in Document.objects.filter(dossier=dossier):
        with document.file.open("rb") as f:
            content = f.read()
        event = AuditEvent.objects.get(
            action="dossier.document_added", payload__document__id=document.pk
        )
        assert event.payload["document"]["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_refused_dossier_creation_writes_no_event(period, unit_a, unit_b, head_a, award_type):
    nominee = make_person(period.institution, unit_b)

    with pytest.raises(NotPermitted):
        dossier_services.create_dossier(  # head of unit A cannot create for unit B
            person=head_a,
            unit=unit_b,
            period=period,
            award_type=award_type,
            achievement_summary="x",
            nominee_person=nominee,
        )

    assert not AuditEvent.objects.exists()


def test_editing_a_dossier_records_each_changed_field_as_old_and_new(created_dossier, head_a):
    dossier, _ = created_dossier

    dossier_services.update_dossier(
        dossier_id=dossier.pk,
        person=head_a,
        expected_version=dossier.version,
        achievement_summary="Chiến sĩ thi đua cơ sở hai năm liền.",
    )

    event = AuditEvent.objects.get(action="dossier.edited")
    assert event.payload == {
        "changes": {
            "achievement_summary": [
                "Hoàn thành xuất sắc nhiệm vụ.",
                "Chiến sĩ thi đua cơ sở hai năm liền.",
            ]
        }
    }
    assert (event.from_state, event.to_state) == (State.DRAFT, State.DRAFT)
    assert log.verify_institution(head_a.institution).intact


def test_an_edit_that_changes_nothing_writes_no_event(created_dossier, head_a):
    dossier, _ = created_dossier

    dossier_services.update_dossier(
        dossier_id=dossier.pk,
        person=head_a,
        expected_version=dossier.version,
        achievement_summary=dossier.achievement_summary,
    )

    assert not AuditEvent.objects.filter(action="dossier.edited").exists()


def test_removing_a_document_records_which_one_with_its_hash(created_dossier, head_a):
    dossier, _ = created_dossier
    document = Document.objects.filter(dossier=dossier).select_related("kind").first()
    dossier.refresh_from_db()

    dossier_services.remove_document(
        document_id=document.pk, person=head_a, expected_version=dossier.version
    )

    event = AuditEvent.objects.get(action="dossier.document_removed")
    assert event.object_id == str(dossier.pk)
    assert event.payload["document"]["id"] == document.pk
    assert event.payload["document"]["kind"] == document.kind.code
    assert (
        event.payload["document"]["sha256"]
        == hashlib.sha256(pdf_with(document.kind.code)).hexdigest()
    )
    assert not Document.objects.filter(pk=document.pk).exists()


def test_every_write_of_a_dossier_leaves_the_chain_intact(created_dossier, head_a):
    dossier, kinds = created_dossier
    dossier_services.update_dossier(
        dossier_id=dossier.pk,
        person=head_a,
        expected_version=dossier.version,
        achievement_summary="Sửa lần một.",
    )

    report = log.verify_institution(head_a.institution)

    assert report.intact
    assert report.events == 1 + len(kinds) + 1
