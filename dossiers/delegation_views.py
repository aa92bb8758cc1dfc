"""Pages of delegations (ủy quyền): those I gave and received, a new one, ending one early."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers import delegations
from dossiers.delegation_forms import DelegationForm
from dossiers.views import client_address
from workflow.responses import page_status, perform, perform_then_redirect


@login_required
def delegation_list(request):
    person = request.person
    given, received = [], []
    if person is not None:
        given = _with_status(delegations.delegations_given(person))
        received = _with_status(delegations.delegations_received(person))
    return render(
        request,
        "dossiers/delegation_list.html",
        {
            "given": given,
            "received": received,
            "may_delegate": bool(delegations.delegable_roles(person)),
        },
    )


@login_required
def delegation_create(request):
    person = request.person
    roles = delegations.delegable_roles(person)
    if not roles:
        messages.error(request, _("None of your roles can be delegated."))
        return redirect("delegation_list")
    form = DelegationForm(request.POST or None, delegator=person, roles=roles)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request,
            delegations.create_delegation,
            form=form,
            success=_("The delegation was recorded."),
            delegator=person,
            delegate=data["delegate"],
            role=data["role"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
            client_address=client_address(request),
        )
        if outcome.ok:
            return redirect("delegation_list")
    return render(
        request,
        "dossiers/delegation_form.html",
        {"form": form},
        status=page_status(request, form, outcome),
    )


@login_required
@require_POST
def delegation_end(request, pk: int):
    return perform_then_redirect(
        request,
        delegations.end_delegation,
        to=redirect("delegation_list"),
        success=_("The delegation was ended."),
        delegation_id=pk,
        person=request.person,
        client_address=client_address(request),
    )


def _with_status(queryset) -> list:
    today = timezone.localdate()
    rows = list(queryset)
    for delegation in rows:
        delegation.status = delegations.status_of(delegation, today)
        delegation.status_label = delegations.STATUS_LABELS[delegation.status]
    return rows
