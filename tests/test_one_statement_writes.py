"""Writes sent as one statement (dossiers.writes): the rows Django's own insert and update write."""

import pytest
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from dossiers import writes
from dossiers.models import State
from tests.factories import dossier_in
from workflow import process
from workflow.flows import DossierFlow

pytestmark = pytest.mark.postgres


def _row(task_id):
    fields = [f.attname for f in Task._meta.concrete_fields if f.attname not in ("id", "created")]
    return Task.objects.filter(pk=task_id).values(*fields, "created").get()


def _new(previous):
    return Task(
        process_id=previous.process_id, flow_task=DossierFlow.route,
        flow_task_type=DossierFlow.route.task_type, token=previous.token, data={"a": [1, "ư"]},
        status=STATUS.DONE,
    )  # fmt: skip


def test_an_insert_writes_what_djangos_save_writes(period, unit_a):
    open_task = process.open_task_list(dossier_in(State.SUBMITTED, period, unit_a))[0]
    theirs = _new(open_task)
    theirs.save()
    sql, params = writes.insert(_new(open_task))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (ours,) = cursor.fetchone()
    mine, reference = _row(ours), _row(theirs.pk)
    assert mine.pop("created") is not None and reference.pop("created") is not None
    assert mine == reference


def test_an_update_writes_only_the_values_given_by_attname(period, unit_a, reviewer):
    open_task = process.open_task_list(dossier_in(State.SUBMITTED, period, unit_a))[0]
    before = _row(open_task.pk)
    sql, params = writes.update(
        Task, open_task.pk, {"owner_id": reviewer.user_id, "status": "DONE"}
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.rowcount == 1
    after = _row(open_task.pk)
    assert (after.pop("owner_id"), after.pop("status")) == (reviewer.user_id, "DONE")
    before.pop("owner_id"), before.pop("status")
    assert after == before


def test_a_held_write_reaches_the_database_when_the_batch_is_flushed(period, unit_a):
    from dossiers.models import Dossier

    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    dossier.achievement_summary = "Sửa trong lô"
    batch = writes.Batch()
    batch.add(*writes.update_fields(dossier, ["achievement_summary", "updated_at"]))
    stored = Dossier.objects.values_list("achievement_summary", flat=True)
    assert stored.get(pk=dossier.pk) != "Sửa trong lô"
    batch.flush()
    assert stored.get(pk=dossier.pk) == "Sửa trong lô"


def test_held_writes_go_with_the_next_statement_and_only_once(period, unit_a):
    from django.test.utils import CaptureQueriesContext

    from dossiers.models import Dossier

    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    dossier.achievement_summary = "Một lần"
    batch = writes.Batch()
    batch.add(*writes.update_fields(dossier, ["achievement_summary"]))
    sql, params = batch.with_held("WITH one AS (SELECT 1) SELECT 1", [])
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        cursor.execute(sql, params)
        batch.flush()  # nothing left to send
    assert len(queries.captured_queries) == 1
    assert Dossier.objects.get(pk=dossier.pk).achievement_summary == "Một lần"
    with pytest.raises(ValueError):  # held writes join only a WITH statement
        _held_batch(dossier).with_held("SELECT 1", [])


def _held_batch(dossier):
    batch = writes.Batch()
    batch.add(*writes.update_fields(dossier, ["achievement_summary"]))
    return batch
