"""Who may do what through the API: the same hand-written table as `permissions.may`'s matrix.

Each role is held by one person of unit A (tests.test_permission_matrix.World); each lifecycle
action offered on a dossier is attempted through the API on a draft of their own unit, of
another unit and of another institution. The outcome follows the table: 404 where the role does
not see the dossier, 403 where it sees it but may not act, and otherwise the door's own answer
(the move, or the state's or a guard's refusal), never a refusal of permission.
"""

from __future__ import annotations

import pytest

from dossiers.models import AwardType, Dossier
from tests.api_helpers import ApiClient
from tests.factories import nominee_for
from tests.test_permission_matrix import (
    HOLDERS,
    MAY,
    OTHER_INSTITUTION,
    OWN_UNIT,
    SCOPES,
    expected,
)
from tests.test_permission_matrix import world as world
from workflow.transitions import buttons

ON_THE_DOSSIER = [t.action for t in buttons()]


def sees(role: str, scope: str) -> bool:
    """Whether the table lets the role see a draft: every dossier of the institution, or (a unit
    head) their own unit's."""
    if scope == OTHER_INSTITUTION:
        return False
    return role in MAY["dossier.view_all"] or (role in MAY["dossier.edit"] and scope == OWN_UNIT)


@pytest.mark.parametrize("action", ON_THE_DOSSIER)
def test_each_role_gets_the_tables_answer_for_a_lifecycle_action_in_each_scope(world, action):
    permitted = expected(action)
    answers, wanted = {}, {}
    for role in HOLDERS:
        client = ApiClient(world.people[role])
        for scope in SCOPES:
            dossier = world.dossiers[scope]
            response = client.post(
                f"/api/v1/dossiers/{dossier.pk}/transitions/",
                {"action": action, "version": dossier.version, "reason": "Theo quy định."},
            )
            if response.status_code == 200:  # it moved: put it back for the next caller
                Dossier.objects.filter(pk=dossier.pk).update(state="draft")
                dossier.refresh_from_db()
            answers[role, scope] = _outcome(response.status_code)
            wanted[role, scope] = (
                "acted" if (role, scope) in permitted
                else "forbidden" if sees(role, scope)
                else "not found"
            )  # fmt: skip
    assert answers == wanted


def _outcome(status: int) -> str:
    """The door acted on it: moved it (200), or the state (409) or a guard (422) refused."""
    return {200: "acted", 409: "acted", 422: "acted", 403: "forbidden", 404: "not found"}.get(
        status, f"answered {status}"
    )


@pytest.mark.parametrize("role", HOLDERS)
def test_only_the_tables_roles_create_a_dossier_through_the_api(world, institution, role):
    unit = world.dossiers[OWN_UNIT].unit
    award = AwardType.objects.get(institution=institution, code="advanced_worker")
    nominee = nominee_for(award, unit, world.dossiers[OWN_UNIT].period)
    before = Dossier.objects.count()

    response = ApiClient(world.people[role]).post(
        "/api/v1/dossiers/",
        {"unit": unit.pk, "award_type": award.pk, "nominee_person": nominee.pk,
         "achievement_summary": "Hoàn thành tốt nhiệm vụ."},
    )  # fmt: skip

    if role in MAY["dossier.create"]:
        assert response.status_code == 201
        assert Dossier.objects.count() == before + 1
    else:
        assert response.status_code == 403
        assert Dossier.objects.count() == before
