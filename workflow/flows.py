"""The human process of a dossier as a viewflow Flow: one task per step, routed by the state.

The django-fsm state says what is legal; this flow says whose inbox the dossier is in. Only
workflow.process (called by the one transition service) advances it: each step's task is
completed when the dossier's state leaves that step, and the router opens the next step's task.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UpdateProcessView

from workflow import steps
from workflow.models import DossierProcess


def _in_step(step):
    def condition(activation) -> bool:
        return steps.step_for(activation.process.dossier.state) == step

    return condition


def _permission(step):
    def permission(activation) -> str:
        dossier = activation.process.dossier
        return steps.step_permission(
            step, institution_id=dossier.institution_id, unit_id=dossier.unit_id
        )

    return permission


def _task(step):
    # Work happens on the dossier page, not in viewflow's task view.
    return (
        flow.View(UpdateProcessView.as_view(fields=[]))
        .Annotation(title=steps.STEP_LABELS[step])
        .Permission(_permission(step))
        .Next(this.route)
    )


class DossierFlow(flow.Flow):
    process_class = DossierProcess
    process_title = _("Nomination dossier")
    # Row lock on the process, waiting rather than failing: the service already holds the
    # dossier's row lock, so waits are short and never circular.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle(this.start_process).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.prepare, _in_step(steps.PREPARE))
        .Case(this.review, _in_step(steps.REVIEW))
        .Case(this.council, _in_step(steps.COUNCIL))
        .Case(this.decide, _in_step(steps.DECIDE))
        .Case(this.upward, _in_step(steps.UPWARD))
        .Case(this.suspended, _in_step(steps.SUSPENDED))
        .Default(this.end)
    )
    prepare = _task(steps.PREPARE)
    review = _task(steps.REVIEW)
    council = _task(steps.COUNCIL)
    decide = _task(steps.DECIDE)
    upward = _task(steps.UPWARD)
    suspended = _task(steps.SUSPENDED)
    end = flow.End()

    def start_process(self, activation, dossier):
        activation.process.dossier = dossier
        return activation.process
