"""manage.py bench_data: benchmark volumes whose chain verifies and whose tasks match the states."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from viewflow.workflow.models import Task

from audit import log
from audit.models import AuditChainHead, AuditEvent
from dossiers.demo import DEMO_PASSWORD
from dossiers.models import Dossier, Institution, Person, Role, RoleAssignment, State
from workflow import steps
from workflow.consistency import inconsistencies
from workflow.process import OPEN_STATUSES


def bench_data(*args: str) -> str:
    out = io.StringIO()
    call_command("bench_data", *args, stdout=out)
    return out.getvalue()


def nothing_stored():
    return not (
        Institution.objects.exists() or Dossier.objects.exists() or AuditEvent.objects.exists()
    )


@pytest.mark.django_db
def test_the_dossiers_and_events_asked_for_with_a_chain_that_verifies():
    output = bench_data("--dossiers", "60", "--events", "400")

    institution = Institution.objects.get(code="bench")
    assert Dossier.objects.of(institution).count() == 60
    assert AuditEvent.objects.filter(institution=institution).count() == 400
    report = log.verify_institution(institution)
    assert report.intact, report.problem
    assert report.events == 400
    head = AuditChainHead.objects.get(institution=institution)
    assert (head.sequence, head.hash) == (400, report.head_hash)
    assert list(inconsistencies()) == []
    assert "60 dossiers, 400 audit events" in output
    assert "reviewer bench.thamdinh" in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_the_default_mix_has_several_states_and_each_open_task_its_steps_permission():
    bench_data("--dossiers", "200")

    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert len(states) >= 5
    for task in Task.objects.filter(status__in=OPEN_STATUSES).select_related(
        "process__dossierprocess__dossier"
    ):
        dossier = task.process.dossierprocess.dossier
        assert task.flow_task.name == steps.step_for(dossier.state)
        assert task.owner_permission == steps.step_permission(
            task.flow_task.name, institution_id=dossier.institution_id, unit_id=dossier.unit_id
        )
    assert list(inconsistencies()) == []


@pytest.mark.django_db
def test_without_events_the_trail_is_the_dossiers_histories():
    bench_data("--dossiers", "30", "--state", "submitted")

    assert set(Dossier.objects.values_list("state", flat=True)) == {State.SUBMITTED}
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {"dossier.created": 30, "dossier.submitted": 30}


@pytest.mark.django_db
def test_the_reviewer_it_names_can_log_in_and_sees_the_submitted_dossiers_in_the_inbox(client):
    bench_data("--dossiers", "5", "--state", "submitted")

    assert client.login(username="bench.thamdinh", password=DEMO_PASSWORD)
    response = client.get("/tasks/")
    assert response.status_code == 200
    reviewer = Person.objects.get(user__username="bench.thamdinh")
    assert RoleAssignment.objects.filter(person=reviewer, role=Role.REVIEWER).exists()
    for dossier in Dossier.objects.all():
        assert f"/dossiers/{dossier.pk}/" in response.content.decode()


@pytest.mark.django_db
def test_append_adds_to_the_institution_and_the_chain_still_verifies():
    bench_data("--dossiers", "20", "--events", "100")
    bench_data("--dossiers", "30", "--events", "150", "--append")

    institution = Institution.objects.get(code="bench")
    assert Dossier.objects.of(institution).count() == 50
    report = log.verify_institution(institution)
    assert report.intact and report.events == 250
    assert list(inconsistencies()) == []


@pytest.mark.django_db
def test_nominations_outgrowing_the_staff_add_people_rather_than_break_the_one_open_dossier_rule():
    bench_data("--dossiers", "7000", "--state", "draft")

    assert Dossier.objects.count() == 7000
    assert Person.objects.count() > 300


@pytest.mark.django_db
def test_an_existing_institution_is_refused_without_append():
    bench_data("--dossiers", "3")

    with pytest.raises(CommandError, match="already exists: pass --append"):
        bench_data("--dossiers", "3")
    assert Dossier.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--dossiers", "-1"), "-1 is negative"),
        (("--dossiers", "many"), "'many' is not a whole number"),
        (("--dossiers", "5", "--events", "-3"), "-3 is negative"),
        (("--dossiers", "5", "--state", "lost"), "invalid choice: 'lost'"),
        (("--dossiers", "5", "--state", "signed"), "invalid choice: 'signed'"),
        (("--dossiers", "5", "--state", "draft", "--events", "4"), "alone are 5 events"),
        (("--dossiers", "0", "--events", "4"), "must be 0 without dossiers"),
    ],
)
def test_bad_arguments_are_refused_clearly_and_store_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        bench_data(*args)
    assert nothing_stored()
