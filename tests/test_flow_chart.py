"""The process diagram shows the flow with the dossier's current step highlighted."""

import re

from dossiers.models import State
from tests.conftest import make_dossier
from tests.factories import dossier_in, login
from workflow import services


def step_classes(svg: str) -> dict[str, str]:
    return dict(re.findall(r'<g id="(\w+)" transform="[^"]*" class="(\w+)"', svg))


def test_the_diagram_of_a_submitted_dossier_highlights_the_review_step(period, unit_a, head_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    client = login(head_a)
    response = client.get(f"/dossiers/{dossier.pk}/flow/")
    assert response.status_code == 200
    svg = response.content.decode()
    assert step_classes(svg)["review"] == "started"
    assert "<svg" in svg


def test_the_diagram_marks_steps_already_done(period, unit_a, head_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    services.transition(
        dossier_id=dossier.pk, action="approve", person=reviewer, expected_version=dossier.version
    )
    client = login(head_a)
    classes = step_classes(client.get(f"/dossiers/{dossier.pk}/flow/").content.decode())
    assert classes["review"] == "done"
    assert classes["council"] == "started"


def test_the_step_names_are_in_vietnamese(period, unit_a, head_a):
    dossier = make_dossier(period, unit_a)
    client = login(head_a)
    svg = client.get(f"/dossiers/{dossier.pk}/flow/").content.decode()
    assert "Thẩm định" in svg


def test_another_units_head_cannot_see_the_diagram(period, unit_a, head_b):
    dossier = make_dossier(period, unit_a)
    client = login(head_b)
    assert client.get(f"/dossiers/{dossier.pk}/flow/").status_code == 404
