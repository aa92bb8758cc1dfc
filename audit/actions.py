"""Every action the audit trail records, with the title people read: one list for the whole product.

Codes are stable (auditors filter on them and exports keep them forever); `log.append` refuses
a code that is not here, and `manage.py check` fails when a lifecycle transition has none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # A dossier's content
    DOSSIER_CREATED = "dossier.created", _("Dossier created")
    DOSSIER_EDITED = "dossier.edited", _("Dossier edited")
    DOCUMENT_ADDED = "dossier.document_added", _("Document added")
    DOCUMENT_REMOVED = "dossier.document_removed", _("Document removed")
    DOCUMENT_SUPERSEDED = "dossier.document_superseded", _("Document superseded")
    # The lifecycle (workflow.transitions names the action of each transition)
    DOSSIER_SUBMITTED = "dossier.submitted", _("Submitted")
    DOSSIER_RETURNED = "dossier.returned", _("Returned for revision")
    DOSSIER_RESUBMITTED = "dossier.resubmitted", _("Resubmitted")
    DOSSIER_APPROVED = "dossier.approved", _("Approved for the council")
    DOSSIER_DECLINED = "dossier.declined", _("Declined")
    DOSSIER_WITHDRAWN = "dossier.withdrawn", _("Withdrawn")
    DOSSIER_SUSPENDED = "dossier.suspended", _("Suspended")
    DOSSIER_RESUMED = "dossier.resumed", _("Resumed")
    DOSSIER_VOTE_OPENED = "dossier.vote_opened", _("Put to the council's vote")
    DOSSIER_VOTE_CLOSED = "dossier.vote_closed", _("Council's vote closed")
    DOSSIER_PUBLISHED = "dossier.published", _("Published for public notice")
    DOSSIER_SIGNED = "dossier.signed", _("Awarded by a signed decision")
    DOSSIER_SUBMITTED_UPWARD = "dossier.submitted_upward", _("Submitted to a higher authority")
    DOSSIER_OUTCOME_RECORDED = "dossier.outcome_recorded", _("Higher authority's decision recorded")
    DOSSIER_RETURNED_TO_COUNCIL = "dossier.returned_to_council", _("Returned to the council")
    DOSSIER_REVOKED = "dossier.revoked", _("Award revoked")
    # Tasks of the process
    TASK_TAKEN = "task.taken", _("Task taken")
    TASK_RELEASED = "task.released", _("Task put back")
    TASK_REASSIGNED = "task.reassigned", _("Task handed over")
    # Council meetings and ballots
    MEETING_CREATED = "meeting.created", _("Meeting planned")
    MEETING_AGENDA_SET = "meeting.agenda_set", _("Meeting agenda set")
    MEETING_ATTENDANCE_RECORDED = "meeting.attendance_recorded", _("Attendance recorded")
    MEETING_VOTE_OPENED = "meeting.vote_opened", _("Council vote opened")
    MEETING_VOTE_CLOSED = "meeting.vote_closed", _("Council vote closed")
    BALLOT_CAST = "ballot.cast", _("Ballot cast")
    BALLOT_RECORDED_IN_WRITING = "ballot.recorded_in_writing", _("Written opinion recorded")
    # The unit's evaluation meeting (họp bình xét)
    UNIT_MEETING_RECORDED = "unit_meeting.recorded", _("Unit evaluation meeting recorded")
    UNIT_MEETING_EDITED = "unit_meeting.edited", _("Unit evaluation meeting edited")
    # Decisions, public notices, proposals upward
    DECISION_PREPARED = "decision.prepared", _("Decision drafted")
    DECISION_REVOCATION_PREPARED = "decision.revocation_prepared", _("Revocation drafted")
    DECISION_ITEM_REMOVED = "decision.item_removed", _("Removed from a draft decision")
    DECISION_SIGNED = "decision.signed", _("Decision signed")
    DECISION_SIGNING_FAILED = "decision.signing_failed", _("Signing failed")
    DECISION_SIGNING_PREPARED = (
        "decision.signing_prepared",
        _("Prepared for signing at the signer's computer"),
    )
    SIGNING_CREDENTIAL_REGISTERED = (
        "signing_credential.registered",
        _("Signing certificate registered"),
    )
    SIGNING_CREDENTIAL_ARCHIVED = "signing_credential.archived", _("Signing certificate archived")
    OBJECTION_FILED = "notice.objection_filed", _("Objection filed")
    OBJECTION_RESOLVED = "notice.objection_resolved", _("Objection resolved")
    PROPOSAL_MEMO_CREATED = "proposal_memo.created", _("Proposal memo generated")
    # The commendation year: movements and what units register for
    MOVEMENT_LAUNCHED = "movement.launched", _("Emulation movement launched")
    REGISTRATION_CREATED = "registration.created", _("Registered for a title")
    REGISTRATION_WITHDRAWN = "registration.withdrawn", _("Registration withdrawn")
    # Who may act
    ROLE_ASSIGNED = "role.assigned", _("Role assigned")
    ROLE_CHANGED = "role.changed", _("Role changed")
    ROLE_REMOVED = "role.removed", _("Role removed")
    DELEGATION_CREATED = "delegation.created", _("Delegation given")
    DELEGATION_ENDED = "delegation.ended", _("Delegation ended")
    ACCOUNT_DEACTIVATED = "account.deactivated", _("Account deactivated")
    # Signing in (signin/)
    LOGIN_SUCCEEDED = "login.succeeded", _("Signed in")
    LOGIN_FAILED = "login.failed", _("Wrong password at sign-in")
    LOGIN_LOCKED_OUT = "login.locked_out", _("Account locked after wrong passwords")
    LOGIN_REFUSED_LOCKED = "login.refused_locked", _("Sign-in refused: account locked")
    LOGIN_CODE_ACCEPTED = "login.code_accepted", _("Second-factor code accepted")
    LOGIN_CODE_REFUSED = "login.code_refused", _("Wrong second-factor code")
    SESSIONS_ENDED = "login.sessions_ended", _("Logged out everywhere")
    TWO_FACTOR_DEVICE_ADDED = "two_factor.device_added", _("Authenticator app set up")
    TWO_FACTOR_DEVICE_REMOVED = "two_factor.device_removed", _("Authenticator app removed")
    SIGN_IN_POLICY_CHANGED = "signin.policy_changed", _("Sign-in policy changed")
    # Personal API tokens
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    # Separation of duties
    SEPARATION_RULE_CHANGED = "separation.rule_changed", _("Separation-of-duties rule changed")
    SEPARATION_WARNING = "separation.warning_recorded", _("Separation of duties overridden")
    # The administrator's data: the catalogue (award types, legal bases, document kinds, periods)
    # and the records eligibility is decided on (people, ratings, discipline, initiatives, titles)
    CATALOGUE_CREATED = "catalogue.created", _("Catalogue entry created")
    CATALOGUE_CHANGED = "catalogue.changed", _("Catalogue entry changed")
    CATALOGUE_ARCHIVED = "catalogue.archived", _("Catalogue entry archived")
    CATALOGUE_DELETED = "catalogue.deleted", _("Catalogue entry deleted")
    RECORD_CREATED = "record.created", _("Eligibility record created")
    RECORD_CHANGED = "record.changed", _("Eligibility record changed")
    RECORD_DELETED = "record.deleted", _("Eligibility record deleted")
    RECORDS_IMPORTED = "record.imported", _("Spreadsheet of records imported")
    # The auditor's workspace
    TRAIL_EXPORTED = "audit.exported", _("Trail exported")
    INTEGRITY_CHECKED = "audit.integrity_checked", _("Chain integrity checked")
    CHECKPOINT_SIGNED = "audit.checkpoint_signed", _("Chain head signed (checkpoint)")
    ANOMALY_RULES_CHANGED = "anomaly_rules.changed", _("Anomaly thresholds changed")
    OUTBOX_RETRIED = "outbox.retried", _("Undelivered message sent again")


# Built once: `AuditAction.values` and `.choices` are rebuilt on every access.
_TITLES = dict(AuditAction.choices)
CODES = frozenset(_TITLES)


def title_of(code: str) -> str:
    """The readable title of an action code; a code from an older release reads as itself."""
    return str(_TITLES.get(code, code))
