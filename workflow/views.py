"""The HTTP door to the one transition service: parse, call, report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers.choices import STATE_LABELS
from dossiers.client import client_address
from dossiers.forms import ActionForm
from dossiers.selectors import is_visible, visible_dossier
from workflow import services, transitions
from workflow.chart import flow_svg
from workflow.responses import perform


@login_required
@require_POST
def act(request, pk: int, action: str):
    spec = transitions.get(action)
    if spec is None or spec.button is None:
        raise Http404
    form = ActionForm(request.POST, transition=spec)
    if not form.is_valid():
        if not is_visible(request.person, pk):
            raise Http404
        for message in form.non_field_errors() or [
            _("The form was incomplete. Reload the page and try again.")
        ]:
            messages.error(request, message)
        return redirect("dossier_detail", pk=pk)
    outcome = perform(
        request,
        services.transition,
        dossier_id=pk,
        action=action,
        person=request.person,
        expected_version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
        client_address=client_address(request),
        visible=lambda: is_visible(request.person, pk),
    )
    if outcome.ok:
        state = STATE_LABELS[outcome.result.state]
        messages.success(request, _("Done: the dossier is now “%(state)s”.") % {"state": state})
    return redirect("dossier_detail", pk=pk)


@login_required
def dossier_flow(request, pk: int):
    """The process as a picture, with this dossier's current step highlighted."""
    dossier = visible_dossier(request.person, pk)
    if dossier is None:
        raise Http404
    return render(
        request,
        "workflow/dossier_flow.html",
        {"dossier": dossier, "svg": mark_safe(flow_svg(dossier))},  # noqa: S308 - our template  # nosec B308 B703
    )
