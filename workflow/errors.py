"""Domain errors of the workflow, each mapped to a message, an HTTP status and an exit code once."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from dossiers.reasons import Reason


class WorkflowError(Exception):
    http_status = 400
    exit_code = 1
    default_message = _("The action could not be performed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class DossierNotFound(WorkflowError):
    http_status = 404
    default_message = _("No such dossier, or you may not see it.")


class NotPermitted(WorkflowError):
    http_status = 403
    exit_code = 3
    default_message = _("You are not permitted to do this.")


class IllegalTransition(WorkflowError):
    http_status = 409
    exit_code = 4
    default_message = _("This action is not possible in the dossier's current state.")


class GuardFailed(WorkflowError):
    http_status = 422
    exit_code = 5
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


class StaleVersion(WorkflowError):
    http_status = 409
    exit_code = 6
    default_message = _(
        "Someone else changed this dossier in the meantime. Reload the page and try again."
    )


class BulkTransitionFailed(WorkflowError):
    """One dossier of a bulk action failed, so none of them moved."""

    def __init__(self, dossier_id: int, error: WorkflowError):
        self.dossier_id = dossier_id
        self.error = error
        self.http_status = error.http_status
        self.exit_code = error.exit_code
        super().__init__(
            _("Dossier {id}: {error} Nothing was changed.").format(
                id=dossier_id, error=error.message
            )
        )


def describe(error: WorkflowError) -> str:
    """The message a person sees, in the active language."""
    if isinstance(error, GuardFailed):
        return " ".join([str(error.default_message), *(r.text() for r in error.reasons)])
    return str(error.message)
