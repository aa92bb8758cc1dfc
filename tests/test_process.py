"""The viewflow process follows the dossier: one open task, of the step its state belongs to."""

from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from dossiers.models import State
from tests.conftest import make_dossier
from tests.factories import dossier_in
from tests.test_lifecycle_matrix import perform
from workflow import process, services
from workflow.consistency import inconsistencies

FULL_PATH = [
    ("submit", "head_a", "review"),
    ("approve", "reviewer", "council"),
    ("open_vote", "secretary", "council"),
    ("close_vote", "secretary", "decide"),
    ("sign", "principal", None),
]


def open_steps(dossier):
    return [process.step_of(t) for t in process.open_tasks(dossier)]


def test_a_new_draft_waits_in_the_prepare_step(period, unit_a):
    dossier = make_dossier(period, unit_a)
    assert open_steps(dossier) == ["prepare"]


def test_each_transition_of_the_full_path_moves_the_task_to_the_next_step(
    request, period, unit_a, head_a, reviewer, secretary, principal
):
    dossier = make_dossier(period, unit_a)
    for action, actor, step in FULL_PATH:
        # The meeting's and the decision's actions by their services, the others at the door.
        dossier = perform(dossier, action, request.getfixturevalue(actor))
        assert open_steps(dossier) == ([step] if step else []), action
        assert list(inconsistencies()) == []
    assert dossier.process.status == "DONE"


def test_the_return_loop_goes_back_to_the_unit_and_then_to_review(period, unit_a, head_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    services.transition(
        dossier_id=dossier.pk, action="return_for_revision", person=reviewer,
        expected_version=dossier.version, reason="Thiếu minh chứng",
    )  # fmt: skip
    assert open_steps(dossier) == ["prepare"]
    services.transition(dossier_id=dossier.pk, action="resubmit", person=head_a,
                        expected_version=dossier.version + 1)  # fmt: skip
    assert open_steps(dossier) == ["review"]
    done = Task.objects.filter(process__dossierprocess__dossier=dossier, status="DONE")
    assert {process.step_of(t) for t in done} >= {"review", "prepare"}


def test_the_completed_task_is_owned_by_the_person_who_acted(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    services.transition(
        dossier_id=dossier.pk, action="approve", person=reviewer, expected_version=dossier.version
    )
    done = Task.objects.filter(process__dossierprocess__dossier=dossier, flow_task_type="HUMAN",
                               status="DONE")  # fmt: skip
    (review,) = [t for t in done if process.step_of(t) == "review"]  # after the unit's prepare
    assert review.owner == reviewer.user
    assert review.assigned is not None


def test_a_terminal_dossier_has_no_open_task(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    services.transition(dossier_id=dossier.pk, action="withdraw", person=head_a, expected_version=1)
    assert open_steps(dossier) == []


def test_check_consistency_passes_on_consistent_dossiers(period, unit_a, capsys):
    make_dossier(period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)
    call_command("check_consistency")
    assert "2 dossiers consistent" in capsys.readouterr().out


def test_check_consistency_names_a_dossier_whose_task_was_tampered_with(period, unit_a, capsys):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    Task.objects.filter(process__dossierprocess__dossier=dossier, status="NEW").update(
        status="CANCELED"
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("check_consistency")
    assert exit_.value.code == 1
    assert f"dossier {dossier.pk} (submitted): expected open task review" in capsys.readouterr().err


def test_check_consistency_finds_a_task_left_open_on_a_terminal_dossier(period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    # Tampering on purpose: the door never leaves a terminal dossier with an open task.
    type(dossier).objects.filter(pk=dossier.pk).update(state=State.DECLINED)
    assert [p.dossier_id for p in inconsistencies()] == [dossier.pk]


def _viewflow_complete(task, *, user):
    """The reference: completing a task through viewflow's own activation (assign, start,
    execute), as the door did before it wrote the same rows itself."""
    with task.activation() as activation:
        if activation.task.status == "NEW":
            activation.assign(user)
            activation.task.assigned = timezone.now()
            activation.task.save(update_fields=["assigned"])
        activation.start(None)
        activation.execute()


def _process_rows(dossier):
    """A process's tasks and links as comparable values: what, not which row or when."""
    tasks = list(Task.objects.filter(process__dossierprocess__dossier=dossier).order_by("pk"))
    index = {t.pk: i for i, t in enumerate(tasks)}
    rows = [
        (str(t.flow_task), t.flow_task_type, t.status, t.token, t.owner_id, t.owner_permission,
         t.owner_permission_content_type_id, t.owner_permission_obj_pk, t.data,
         t.assigned is None, t.started is None, t.finished is None,
         sorted(index[p.pk] for p in t.previous.all()))
        for t in tasks
    ]  # fmt: skip
    process_row = Process.objects.get(dossierprocess__dossier=dossier)
    return rows, (process_row.status, process_row.finished is None)


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        (State.SUBMITTED, "approve", "reviewer"),  # to the council's step
        (State.DRAFT, "withdraw", "head_a"),  # to End: the process finishes
    ],
)
def test_the_door_writes_the_same_task_rows_as_viewflows_own_activation(
    request, period, unit_a, state, action, actor
):
    person = request.getfixturevalue(actor)
    ours, theirs = dossier_in(state, period, unit_a), dossier_in(state, period, unit_a)
    services.transition(dossier_id=ours.pk, action=action, person=person,
                        expected_version=ours.version)  # fmt: skip
    with patch.object(process, "complete", _viewflow_complete_as_door):
        services.transition(dossier_id=theirs.pk, action=action, person=person,
                            expected_version=theirs.version)  # fmt: skip

    assert _process_rows(ours) == _process_rows(theirs)


def _viewflow_complete_as_door(task, *, user, dossier, last=True, batch=None):
    if batch is not None:  # the dossier's row, which the door holds to send with the task rows
        batch.flush()
    _viewflow_complete(task, user=user)
