"""Every lifecycle action in every state: the design's table is the spec, written out here.

The allowed set below is copied from ../shared/design.md (the lifecycle table), never read from
the model, so a transition added to or dropped from the model makes these tests fail.
"""

from __future__ import annotations

import datetime

import pytest

from audit.log import verify_institution
from audit.models import AuditEvent
from dossiers.models import Dossier, State
from tests.conftest import make_dossier, put_in_signed_decision, put_on_agenda
from workflow import services, transitions
from workflow.errors import IllegalTransition

S = State

# "Any open state" a dossier may be suspended in: every state before signed.
BEFORE_SIGNED = (
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.REVIEWED, S.VOTING, S.RECOMMENDED, S.PUBLIC_NOTICE,
    S.SUBMITTED_UPWARD,
)  # fmt: skip

# (action, from state) -> to state, as design.md draws it. close_vote is attempted with
# recommended=True, record_outcome with granted=True, resume from a dossier suspended in "reviewed".
ALLOWED = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("return_for_revision", S.SUBMITTED): S.RETURNED,
    ("resubmit", S.RETURNED): S.SUBMITTED,
    ("approve", S.SUBMITTED): S.REVIEWED,
    ("decline", S.SUBMITTED): S.DECLINED,
    ("decline", S.SUSPENDED): S.DECLINED,
    ("withdraw", S.DRAFT): S.WITHDRAWN,
    ("withdraw", S.SUBMITTED): S.WITHDRAWN,
    ("withdraw", S.RETURNED): S.WITHDRAWN,
    **{("suspend", state): S.SUSPENDED for state in BEFORE_SIGNED},
    ("resume", S.SUSPENDED): S.REVIEWED,
    ("open_vote", S.REVIEWED): S.VOTING,
    ("close_vote", S.VOTING): S.RECOMMENDED,
    ("publish", S.RECOMMENDED): S.PUBLIC_NOTICE,
    ("sign", S.RECOMMENDED): S.SIGNED,
    ("sign", S.PUBLIC_NOTICE): S.SIGNED,
    ("submit_upward", S.RECOMMENDED): S.SUBMITTED_UPWARD,
    ("record_outcome", S.SUBMITTED_UPWARD): S.SIGNED,
    ("return_to_council", S.RECOMMENDED): S.REVIEWED,
    ("return_to_council", S.PUBLIC_NOTICE): S.REVIEWED,
    ("revoke", S.SIGNED): S.REVOKED,
}

# The audit action names auditors filter on; they must stay stable.
AUDIT_NAMES = {
    "submit": "dossier.submitted",
    "return_for_revision": "dossier.returned",
    "resubmit": "dossier.resubmitted",
    "approve": "dossier.approved",
    "decline": "dossier.declined",
    "withdraw": "dossier.withdrawn",
    "suspend": "dossier.suspended",
    "resume": "dossier.resumed",
    "open_vote": "dossier.vote_opened",
    "close_vote": "dossier.vote_closed",
    "publish": "dossier.published",
    "sign": "dossier.signed",
    "submit_upward": "dossier.submitted_upward",
    "record_outcome": "dossier.outcome_recorded",
    "return_to_council": "dossier.returned_to_council",
    "revoke": "dossier.revoked",
}

# The fixture of a person holding the role the design gives each action (dossiers are of unit_a).
ACTOR = {
    "submit": "head_a",
    "resubmit": "head_a",
    "withdraw": "head_a",
    "return_for_revision": "reviewer",
    "approve": "reviewer",
    "decline": "reviewer",
    "record_outcome": "reviewer",
    "suspend": "reviewer",
    "resume": "reviewer",
    "open_vote": "secretary",
    "close_vote": "secretary",
    "publish": "secretary",
    "sign": "principal",
    "submit_upward": "principal",
    "return_to_council": "principal",
    "revoke": "principal",
}

NEEDS_REASON = {
    "return_for_revision",
    "decline",
    "suspend",
    "resume",
    "return_to_council",
    "revoke",
}
REASON = "Lý do: theo kết luận của Hội đồng."
ARGUMENTS = {
    "close_vote": {"recommended": True},
    "publish": {"ends_on": datetime.date(2026, 12, 15)},
    "sign": {"decision": "01/QĐ-CĐTN"},
    "revoke": {"decision": "02/QĐ-CĐTN"},
    "submit_upward": {"memo_sha256": "0" * 64},
    "record_outcome": {
        "granted": True,
        "decision_number": "12/QĐ-UBND",
        "decision_date": datetime.date(2026, 12, 1),
    },
}

ACTIONS = list(transitions.TRANSITIONS)
ALLOWED_PAIRS = [
    (action, state) for action in ACTIONS for state in State if (action, state) in ALLOWED
]
ILLEGAL_PAIRS = [
    (action, state) for action in ACTIONS for state in State if (action, state) not in ALLOWED
]


def needs_documents(action: str) -> bool:
    """Whether the action's guard looks at the documents (saving files is slow, so only then)."""
    return action in {"submit", "resubmit"}


def award_for(action: str, state: str) -> str:
    """An award whose after-council path lets the action's guard pass."""
    if action == "publish" or (action == "sign" and state == S.PUBLIC_NOTICE):
        return "grassroots_emulation_fighter"  # has a public-notice period
    if action in {"submit_upward", "record_outcome"}:
        return "provincial_certificate_of_merit"  # decided by the province
    return "advanced_worker"  # decided by the principal, no public notice


def dossier_in(
    period, unit, state: str, award: str = "advanced_worker", *, documents: bool = True
) -> Dossier:
    """A dossier of an eligible nominee (with its required documents unless told otherwise),
    put straight into `state`; a suspended one remembers "reviewed" as the state to resume to."""
    dossier = make_dossier(
        period, unit, award=award, state=None if state == S.DRAFT else state, documents=documents
    )
    if state == S.SUSPENDED:
        Dossier.objects.filter(pk=dossier.pk).update(
            state=S.SUSPENDED, state_before_suspension=S.REVIEWED
        )
        dossier.refresh_from_db()
    return dossier


def act(dossier: Dossier, action: str, person, **overrides) -> Dossier:
    """The action as its permitted actor would ask for it, with what its guard needs."""
    kwargs = {
        "dossier_id": dossier.pk,
        "action": action,
        "person": person,
        "expected_version": dossier.version,
        "reason": REASON if action in NEEDS_REASON else "",
        "arguments": ARGUMENTS.get(action),
    }
    kwargs.update(overrides)
    if action == "open_vote":
        put_on_agenda(dossier, "open")
    if action == "close_vote":
        put_on_agenda(dossier, "closed", recommended=(kwargs["arguments"] or {}).get("recommended"))
    if action in ("sign", "revoke"):
        put_in_signed_decision(dossier, "award" if action == "sign" else "revocation")
    return services.transition(**kwargs)


def dossier_events(dossier: Dossier) -> list[tuple[str, str, str]]:
    events = AuditEvent.objects.filter(object_type="dossier", object_id=str(dossier.pk))
    return list(events.order_by("sequence").values_list("action", "from_state", "to_state"))


def test_the_matrix_names_every_lifecycle_action_with_its_stable_audit_name():
    registry = {action: t.audit_action for action, t in transitions.TRANSITIONS.items()}
    assert registry == AUDIT_NAMES


@pytest.mark.parametrize(
    ("action", "state"), ALLOWED_PAIRS, ids=[f"{a}-from-{s}" for a, s in ALLOWED_PAIRS]
)
def test_an_allowed_action_moves_the_dossier_bumps_its_version_and_is_audited_once(
    request, period, unit_a, action, state
):
    dossier = dossier_in(
        period, unit_a, state, award_for(action, state), documents=needs_documents(action)
    )
    person = request.getfixturevalue(ACTOR[action])

    moved = act(dossier, action, person)

    target = ALLOWED[(action, state)]
    dossier.refresh_from_db()
    assert moved.state == dossier.state == target
    assert dossier.version == 2
    assert dossier_events(dossier) == [(AUDIT_NAMES[action], state, target)]
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("action", "state"), ILLEGAL_PAIRS, ids=[f"{a}-refused-in-{s}" for a, s in ILLEGAL_PAIRS]
)
def test_an_action_not_allowed_in_the_state_is_refused_and_changes_nothing(
    request, period, unit_a, action, state
):
    dossier = dossier_in(
        period, unit_a, state, award_for(action, state), documents=needs_documents(action)
    )
    person = request.getfixturevalue(ACTOR[action])

    with pytest.raises(IllegalTransition):
        act(dossier, action, person)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (state, 1)
    assert not AuditEvent.objects.exists()


def test_the_audit_event_records_actor_role_and_reason(period, unit_a, reviewer):
    dossier = dossier_in(period, unit_a, S.SUBMITTED)

    act(dossier, "return_for_revision", reviewer, reason="  Thiếu minh chứng sáng kiến.  ")

    event = AuditEvent.objects.get()
    assert (event.actor, event.role, event.reason) == (
        reviewer,
        "reviewer",
        "Thiếu minh chứng sáng kiến.",
    )
    assert (event.object_type, event.object_id) == ("dossier", str(dossier.pk))


def test_a_vote_that_does_not_recommend_ends_not_recommended(period, unit_a, secretary):
    dossier = dossier_in(period, unit_a, S.VOTING)

    moved = act(dossier, "close_vote", secretary, arguments={"recommended": False})

    assert (moved.state, moved.version) == (S.NOT_RECOMMENDED, 2)
    assert dossier_events(dossier) == [("dossier.vote_closed", S.VOTING, S.NOT_RECOMMENDED)]


def test_a_higher_authority_refusing_the_award_ends_not_recommended(period, unit_a, reviewer):
    dossier = dossier_in(period, unit_a, S.SUBMITTED_UPWARD, "provincial_certificate_of_merit")
    refused = {**ARGUMENTS["record_outcome"], "granted": False}

    moved = act(dossier, "record_outcome", reviewer, arguments=refused)

    assert (moved.state, moved.version) == (S.NOT_RECOMMENDED, 2)
    assert dossier_events(dossier) == [
        ("dossier.outcome_recorded", S.SUBMITTED_UPWARD, S.NOT_RECOMMENDED)
    ]


@pytest.mark.parametrize(
    "state",
    [S.DRAFT, S.SUBMITTED, S.RETURNED, S.VOTING, S.PUBLIC_NOTICE, S.SUBMITTED_UPWARD],
    ids=lambda s: f"suspended-in-{s}",
)
def test_resume_returns_the_dossier_to_the_state_it_was_suspended_in(
    period, unit_a, reviewer, state
):
    dossier = dossier_in(period, unit_a, state, award_for("publish", state))
    suspended = act(dossier, "suspend", reviewer)

    resumed = act(suspended, "resume", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, dossier.state_before_suspension) == (state, 3, "")
    assert resumed.state == state
    assert dossier_events(dossier) == [
        ("dossier.suspended", state, S.SUSPENDED),
        ("dossier.resumed", S.SUSPENDED, state),
    ]


def test_a_suspended_dossier_can_be_declined_and_forgets_where_it_was(period, unit_a, reviewer):
    dossier = dossier_in(period, unit_a, S.VOTING)
    suspended = act(dossier, "suspend", reviewer)

    act(suspended, "decline", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, dossier.state_before_suspension) == (
        S.DECLINED,
        3,
        "",
    )
    assert dossier_events(dossier)[-1] == ("dossier.declined", S.SUSPENDED, S.DECLINED)


def test_a_declined_suspended_dossier_cannot_be_resumed(period, unit_a, reviewer):
    dossier = dossier_in(period, unit_a, S.VOTING)
    declined = act(act(dossier, "suspend", reviewer), "decline", reviewer)

    with pytest.raises(IllegalTransition):
        act(declined, "resume", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (S.DECLINED, 3)


def test_the_audit_chain_verifies_after_a_dossier_goes_from_submission_to_signature(
    period, unit_a, head_a, reviewer, secretary, principal
):
    dossier = dossier_in(period, unit_a, S.DRAFT)
    steps = [
        ("submit", head_a),
        ("approve", reviewer),
        ("open_vote", secretary),
        ("close_vote", secretary),
        ("sign", principal),
    ]

    for action, person in steps:
        dossier = act(dossier, action, person)

    assert (dossier.state, dossier.version) == (S.SIGNED, 6)
    assert [e[0] for e in dossier_events(dossier)] == [AUDIT_NAMES[a] for a, _ in steps]
    report = verify_institution(period.institution)
    assert report.intact, report.problem
    assert report.events == 5
