"""Domain errors of the whole product, each carrying its meaning once.

Services raise them; workflow.responses turns them into a page response (a message on the form or
after a redirect, or an error page with the status below), the API into problem details with the
stable `type`, and management commands into the exit code. The statuses: 404 for anything missing
or outside the caller's scope, 403 for a visible object the person may not act on, 409 for a
state or version conflict, 422 for guard failures with their reasons, 400 for malformed input.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from dossiers.reasons import Reason


class DomainError(Exception):
    http_status = 400
    exit_code = 1
    type = "domain-error"
    default_message = _("The action could not be performed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    """Malformed input: a value of the wrong kind, or one the action does not take."""

    http_status = 400
    exit_code = 2
    type = "invalid-input"
    default_message = _("The request was malformed.")


class NotFound(DomainError):
    """Missing, or outside the caller's scope: both answer alike, so nothing leaks."""

    http_status = 404
    exit_code = 7
    type = "not-found"
    default_message = _("Not found, or you may not see it.")


class DossierNotFound(NotFound):
    default_message = _("No such dossier, or you may not see it.")


class MeetingNotFound(NotFound):
    default_message = _("No such meeting, or you may not see it.")


class DecisionNotFound(NotFound):
    default_message = _("No such decision, or you may not see it.")


class NoticeNotFound(NotFound):
    default_message = _("No such public notice or objection, or you may not see it.")


class UnitMeetingNotFound(NotFound):
    default_message = _("No such unit evaluation meeting, or you may not see it.")


class NotPermitted(DomainError):
    http_status = 403
    exit_code = 3
    type = "not-permitted"
    default_message = _("You are not permitted to do this.")


class SeparationRefused(NotPermitted):
    """A separation-of-duties rule blocks this person from acting on their own case."""

    type = "separation-of-duties"
    default_message = _("You may not act on this: it is your own case.")

    def __init__(self, reasons: Sequence[Reason]):
        self.reasons = list(reasons)
        super().__init__("; ".join(r.text("en") for r in self.reasons))

    @property
    def reasons_vi(self) -> list[str]:
        return [r.text("vi") for r in self.reasons]

    @property
    def reasons_en(self) -> list[str]:
        return [r.text("en") for r in self.reasons]


class Conflict(DomainError):
    """The object is not in a state (or version) where this can happen."""

    http_status = 409
    exit_code = 4
    type = "conflict"
    default_message = _("This is not possible in the current state.")


class IllegalTransition(Conflict):
    type = "illegal-transition"
    default_message = _("This action is not possible in the dossier's current state.")


class StaleVersion(Conflict):
    exit_code = 6
    type = "stale-version"
    default_message = _(
        "Someone else changed this dossier in the meantime. Reload the page and try again."
    )


class BallotRefused(Conflict):
    type = "ballot-refused"
    default_message = _("Your ballot was not accepted.")


class GuardFailed(DomainError):
    http_status = 422
    exit_code = 5
    type = "guard-failed"
    default_message = _("The conditions for this action are not met.")

    def __init__(self, reasons: Sequence[Reason]):
        self.reasons = list(reasons)
        super().__init__("; ".join(r.text("en") for r in self.reasons))

    @property
    def reasons_vi(self) -> list[str]:
        return [r.text("vi") for r in self.reasons]

    @property
    def reasons_en(self) -> list[str]:
        return [r.text("en") for r in self.reasons]


class SigningError(DomainError):
    """The signing credential or device failed: nothing was signed, numbered or moved."""

    http_status = 502
    exit_code = 8
    type = "signing-failed"
    default_message = _("The decision could not be signed; nothing was changed.")


class BulkTransitionFailed(DomainError):
    """One dossier of a bulk action failed, so none of them moved."""

    def __init__(self, dossier_id: int, error: DomainError):
        self.dossier_id = dossier_id
        self.error = error
        self.http_status = error.http_status
        self.exit_code = error.exit_code
        self.type = error.type
        super().__init__(
            _("Dossier {id}: {error} Nothing was changed.").format(
                id=dossier_id, error=error.message
            )
        )


def describe(error: DomainError) -> str:
    """The message a person sees, in the active language."""
    if isinstance(error, BulkTransitionFailed):
        return _("Dossier {id}: {error} Nothing was changed.").format(
            id=error.dossier_id, error=describe(error.error)
        )
    if isinstance(error, GuardFailed | SeparationRefused):
        return " ".join([str(error.default_message), *(r.text() for r in error.reasons)])
    return str(error.message)
