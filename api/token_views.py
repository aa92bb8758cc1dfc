"""The page where a person makes and revokes their personal API tokens.

A new token's secret is shown once, in the answer to the POST that made it: it is never kept
in the session or the database, and the page is never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.token_forms import RevokeForm, TokenForm
from dossiers.views import client_address
from workflow.errors import NotPermitted
from workflow.responses import page_status, perform


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The person's tokens and the form of a new one; after making one, its secret, once."""
    person = _person(request)
    form = TokenForm(request.POST or None)
    outcome, secret = None, None
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request,
            tokens.issue,
            form=form,
            person=person,
            name=form.cleaned_data["name"],
            expires_on=form.cleaned_data["expires_on"],
            client_address=client_address(request),
        )
        if outcome.ok:
            _token, secret = outcome.result
            form = TokenForm()
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "secret": secret,
            "tokens": _with_status(tokens.tokens_of(person)),
            "revoke_form": RevokeForm(),
        },
        status=page_status(request, form, outcome),
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    person = _person(request)
    if not RevokeForm(request.POST).is_valid():
        get_object_or_404(tokens.tokens_of(person), pk=pk)  # another's token: 404, as a missing one
        messages.error(request, _("Tick the box to confirm revoking the token."))
        return redirect("api_tokens")
    token = tokens.revoke(person=person, token_id=pk, client_address=client_address(request))
    messages.success(
        request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("api_tokens")


def _person(request):
    if request.person is None:
        raise NotPermitted(_("Only a member of staff may have API tokens."))
    return request.person


def _with_status(queryset) -> list:
    today = timezone.localdate()
    rows = list(queryset)
    for token in rows:
        token.status = tokens.status_of(token, today)
        token.status_label = tokens.STATUS_LABELS[token.status]
    return rows
