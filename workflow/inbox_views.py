"""The inbox page and its buttons: take a task, put it back, hand it to someone else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers.client import client_address
from dossiers.forms import parse_id
from dossiers.models import AwardType, Person, Unit
from dossiers.pagination import limited_page
from workflow import assignment, inbox, steps
from workflow.responses import perform_then_redirect

PAGE_SIZE = 25
STEP_ORDER = {step: n for n, step in enumerate(steps.STEP_LABELS)}


@login_required
def inbox_page(request):
    """The person's open tasks grouped by step, oldest first, with filters and the buttons."""
    person = request.person
    filters = _filters(request.GET)
    page = limited_page(inbox.inbox(person, **filters), request.GET.get("page"), per_page=PAGE_SIZE)
    counts = inbox.inbox_counts(person)
    return render(
        request,
        "workflow/inbox.html",
        {
            "page": page,
            "groups": _grouped(inbox.entries(page.object_list, person), person),
            "counts": [(step, steps.STEP_LABELS[step], n) for step, n in counts.items()],
            "inbox_count": sum(counts.values()),
            "filters": filters,
            "steps": list(steps.STEP_LABELS.items()),
            "units": Unit.objects.of(request.institution).order_by("name"),
            "awards": AwardType.objects.of(request.institution).order_by("name_vi"),
            "query": request.GET.copy(),
        },
    )


@login_required
@require_POST
def take(request, task_id: int):
    return _act(
        request,
        lambda: assignment.take(
            task_id=task_id, person=request.person, client_address=client_address(request)
        ),
        _("You have taken the task."),
    )


@login_required
@require_POST
def release(request, task_id: int):
    return _act(
        request,
        lambda: assignment.release(
            task_id=task_id, person=request.person, client_address=client_address(request)
        ),
        _("The task is back in the shared queue."),
    )


@login_required
@require_POST
def reassign(request, task_id: int):
    to_person = (
        Person.objects.of(request.institution).filter(pk=parse_id(request.POST.get("to"))).first()
        if request.institution
        else None
    )
    if to_person is None:
        messages.error(request, _("Choose the person to hand the task to."))
        return _back(request)
    return _act(
        request,
        lambda: assignment.reassign(
            task_id=task_id,
            person=request.person,
            to_person=to_person,
            client_address=client_address(request),
        ),
        _("The task was handed to %(name)s.") % {"name": to_person.full_name},
    )


def _act(request, operation, success: str):
    return perform_then_redirect(request, operation, to=_back(request), success=success)


def _back(request):
    """Back to the inbox page the form was on (its filters and page), never off the site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("inbox")


def _filters(query) -> dict:
    step = query.get("step", "")
    return {
        "step": step if step in steps.STEP_LABELS else None,
        "unit_id": parse_id(query.get("unit")),
        "award_id": parse_id(query.get("award")),
        "overdue_only": query.get("overdue") == "1",
    }


def _grouped(rows, person) -> list[dict]:
    """The page's rows by step, in process order; reassignable groups carry who may take them."""
    groups = {}
    for row in sorted(rows, key=lambda r: STEP_ORDER[r.step]):
        groups.setdefault(row.step, []).append(row)
    may_reassign = inbox.is_lead_reviewer(person)
    return [
        {
            "step": step,
            "label": steps.STEP_LABELS[step],
            "rows": group,
            "people": (
                list(inbox.eligible_people(person.institution_id, step))
                if may_reassign and step in inbox.REASSIGNABLE_STEPS
                else []
            ),
        }
        for step, group in groups.items()
    ]
