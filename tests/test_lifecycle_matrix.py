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
from tests import factories
from tests.factories import AWARD_REACHING, Cast, audit_mark, dossier_in, events_after
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

LIFECYCLE_NAMES = set(AUDIT_NAMES.values())

NEEDS_REASON = {
    "return_for_revision",
    "decline",
    "suspend",
    "resume",
    "return_to_council",
    "revoke",
}
REASON = "Lý do: theo kết luận của Hội đồng."
LONG_AGO = datetime.date(2026, 1, 5)  # a notice opened then has long ended
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


def award_for(action: str, state: str) -> str:
    """An award whose path reaches `state` and lets the action's guard pass."""
    notice, province = "grassroots_emulation_fighter", "provincial_certificate_of_merit"
    if state == S.PUBLIC_NOTICE:
        return notice  # has a public-notice period
    if state == S.SUBMITTED_UPWARD:
        return province  # decided by the province
    if state == S.REVOKED:
        return "advanced_worker"  # only the institution's own decisions are revoked here
    if action == "publish":
        return notice
    if action in {"submit_upward", "record_outcome"}:
        return province
    return "advanced_worker"  # decided by the principal, no public notice


@pytest.fixture(autouse=True)
def cast(head_a, reviewer, secretary, principal):
    """The people of ACTOR are the ones who brought the dossiers where they are."""


def start_in(period, unit, state: str, award: str = "advanced_worker") -> Dossier:
    """A dossier brought to `state` through the services. A suspended one was suspended in
    "reviewed" (so resume has somewhere to go); a public notice opened long ago has ended."""
    if state == S.SUSPENDED:
        reviewed = dossier_in(S.REVIEWED, period, unit, award=award)
        return factories.act(reviewed, "suspend", Cast(unit.institution).reviewer, reason=REASON)
    if state == S.PUBLIC_NOTICE:
        return factories.publish(dossier_in(S.RECOMMENDED, period, unit, award=award),
                                 today=LONG_AGO)  # fmt: skip
    return dossier_in(state, period, unit, award=award)


def act(dossier: Dossier, action: str, person, **overrides) -> Dossier:
    """The action through the one door, as its permitted actor would ask for it."""
    kwargs = {
        "dossier_id": dossier.pk,
        "action": action,
        "person": person,
        "expected_version": dossier.version,
        "reason": REASON if action in NEEDS_REASON else "",
        "arguments": ARGUMENTS.get(action),
    }
    kwargs.update(overrides)
    return services.transition(**kwargs)


def perform(dossier: Dossier, action: str, person, **arguments) -> Dossier:
    """The action as people do it (see tests.factories.perform), with what its guard needs."""
    arguments = {**(ARGUMENTS.get(action) or {}), **arguments}
    reason = REASON if action in NEEDS_REASON else ""
    return factories.perform(dossier, action, person, reason=reason, **arguments)


def dossier_events(dossier: Dossier, after: int = 0) -> list[tuple[str, str, str]]:
    events = AuditEvent.objects.filter(
        object_type="dossier", object_id=str(dossier.pk), pk__gt=after
    )
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
    dossier = start_in(period, unit_a, state, award_for(action, state))
    person = request.getfixturevalue(ACTOR[action])
    version, mark = dossier.version, audit_mark()

    moved = perform(dossier, action, person)

    target = ALLOWED[(action, state)]
    dossier.refresh_from_db()
    assert moved.state == dossier.state == target
    assert dossier.version == version + 1
    assert dossier_events(dossier, after=mark) == [(AUDIT_NAMES[action], state, target)]
    # Besides the dossier's one event, only the meeting's, notice's, decision's or memo's own.
    assert events_after(mark).filter(object_type="dossier").count() == 1


@pytest.mark.parametrize("state", list(State), ids=lambda s: f"refused-in-{s}")
def test_an_action_not_allowed_in_the_state_is_refused_and_changes_nothing(
    request, subtests, period, unit_a, state
):
    """Each action the design does not allow in the state, tried in turn on one dossier brought
    there (one per state, not per action: each refusal must leave it exactly as it was)."""
    dossier = start_in(period, unit_a, state, AWARD_REACHING.get(state, "advanced_worker"))
    for action in [a for a, s in ILLEGAL_PAIRS if s == state]:
        with subtests.test(msg=f"{action}-refused-in-{state}"):
            person = request.getfixturevalue(ACTOR[action])
            version, mark = dossier.version, audit_mark()

            with pytest.raises(IllegalTransition):
                act(dossier, action, person)

            dossier.refresh_from_db()
            assert (dossier.state, dossier.version) == (state, version)
            assert not events_after(mark).exists()


def test_the_audit_event_records_actor_role_and_reason(period, unit_a, reviewer):
    dossier = dossier_in(S.SUBMITTED, period, unit_a)
    mark = audit_mark()

    act(dossier, "return_for_revision", reviewer, reason="  Thiếu minh chứng sáng kiến.  ")

    event = events_after(mark).get()
    assert (event.actor, event.role, event.reason) == (
        reviewer,
        "reviewer",
        "Thiếu minh chứng sáng kiến.",
    )
    assert (event.object_type, event.object_id) == ("dossier", str(dossier.pk))


def test_a_vote_that_does_not_recommend_ends_not_recommended(period, unit_a, secretary):
    dossier = dossier_in(S.VOTING, period, unit_a)
    version, mark = dossier.version, audit_mark()

    moved = perform(dossier, "close_vote", secretary, recommended=False)

    assert (moved.state, moved.version) == (S.NOT_RECOMMENDED, version + 1)
    assert dossier_events(dossier, after=mark) == [
        ("dossier.vote_closed", S.VOTING, S.NOT_RECOMMENDED)
    ]


def test_a_higher_authority_refusing_the_award_ends_not_recommended(period, unit_a, reviewer):
    dossier = dossier_in(
        S.SUBMITTED_UPWARD, period, unit_a, award="provincial_certificate_of_merit"
    )
    version, mark = dossier.version, audit_mark()

    moved = perform(dossier, "record_outcome", reviewer, granted=False)

    assert (moved.state, moved.version) == (S.NOT_RECOMMENDED, version + 1)
    assert dossier_events(dossier, after=mark) == [
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
    dossier = start_in(period, unit_a, state, award_for("suspend", state))
    version, mark = dossier.version, audit_mark()
    suspended = act(dossier, "suspend", reviewer)

    resumed = act(suspended, "resume", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, dossier.state_before_suspension) == (
        state,
        version + 2,
        "",
    )
    assert resumed.state == state
    assert dossier_events(dossier, after=mark) == [
        ("dossier.suspended", state, S.SUSPENDED),
        ("dossier.resumed", S.SUSPENDED, state),
    ]


def test_a_suspended_dossier_can_be_declined_and_forgets_where_it_was(period, unit_a, reviewer):
    dossier = dossier_in(S.VOTING, period, unit_a)
    version = dossier.version
    suspended = act(dossier, "suspend", reviewer)

    act(suspended, "decline", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, dossier.state_before_suspension) == (
        S.DECLINED,
        version + 2,
        "",
    )
    assert dossier_events(dossier)[-1] == ("dossier.declined", S.SUSPENDED, S.DECLINED)


def test_a_declined_suspended_dossier_cannot_be_resumed(period, unit_a, reviewer):
    dossier = dossier_in(S.VOTING, period, unit_a)
    version = dossier.version
    declined = act(act(dossier, "suspend", reviewer), "decline", reviewer)

    with pytest.raises(IllegalTransition):
        act(declined, "resume", reviewer)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == (S.DECLINED, version + 2)


def test_the_audit_chain_verifies_after_a_dossier_goes_from_submission_to_signature(
    period, unit_a, head_a, reviewer, secretary, principal
):
    dossier = dossier_in(S.DRAFT, period, unit_a)
    version = dossier.version
    steps = [
        ("submit", head_a),
        ("approve", reviewer),
        ("open_vote", secretary),
        ("close_vote", secretary),
        ("sign", principal),
    ]

    for action, person in steps:
        dossier = perform(dossier, action, person)

    assert (dossier.state, dossier.version) == (S.SIGNED, version + 5)
    moves = [action for action, _f, _t in dossier_events(dossier) if action in LIFECYCLE_NAMES]
    assert moves == [AUDIT_NAMES[a] for a, _ in steps]  # after its creation and documents
    report = verify_institution(period.institution)
    assert report.intact, report.problem
    assert report.events == AuditEvent.objects.filter(institution=period.institution).count()
