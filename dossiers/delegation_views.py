"""Pages of delegations (ủy quyền): those I gave and received, a new one, ending one early."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers import delegations
from dossiers.delegation_forms import DelegationForm
from dossiers.views import client_address
from workflow.errors import DomainError, describe


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegations.create_delegation(
                delegator=person,
                delegate=data["delegate"],
                role=data["role"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                client_address=client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The delegation was recorded."))
            return redirect("delegation_list")
    return render(request, "dossiers/delegation_form.html", {"form": form})


@login_required
@require_POST
def delegation_end(request, pk: int):
    try:
        delegations.end_delegation(
            delegation_id=pk, person=request.person, client_address=client_address(request)
        )
    except DomainError as error:
        messages.error(request, describe(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delegation was ended."))
    return redirect("delegation_list")


def _with_status(queryset) -> list:
    today = timezone.localdate()
    rows = list(queryset)
    for delegation in rows:
        delegation.status = delegations.status_of(delegation, today)
        delegation.status_label = delegations.STATUS_LABELS[delegation.status]
    return rows
