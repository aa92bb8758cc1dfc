"""Mails and checks the outbox could not deliver: the council secretary's page, and "retry now".

The rows are the institution's failed ones and those pending for longer than they should be
(outbox.selectors.undelivered), each with its last error.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audit import log
from dossiers.client import client_address
from dossiers.models import Person
from outbox import selectors
from outbox import services as outbox
from outbox.models import OutboxMessage
from workflow import permissions
from workflow.errors import NotFound


def retry_message(*, person: Person, message_id: int, client_address: str = "") -> OutboxMessage:
    """Try an undelivered row of the person's institution again now, with every attempt."""
    acting = permissions.require(person, "outbox.view")
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, institution_id=person.institution_id)
            .exclude(state=OutboxMessage.State.SENT)
            .first()
        )
        if message is None:
            raise NotFound()
        attempts = message.attempts
        outbox.retry_now(message)
        log.append(
            institution=person.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="outbox.retried", object_type="outbox_message", object_id=message.pk,
            payload={"kind": message.kind, "attempts": attempts, "last_error": message.last_error},
        )  # fmt: skip
    return message


@login_required
@require_safe
def undelivered_page(request):
    permissions.require(request.person, "outbox.view")
    rows = selectors.undelivered(request.person.institution_id)
    return render(request, "workflow/undelivered.html", {"rows": rows})


@login_required
@require_POST
def retry(request, pk: int):
    """A refusal is an error page with its status (403, 404), through DomainErrorMiddleware."""
    retry_message(person=request.person, message_id=pk, client_address=client_address(request))
    messages.success(request, _("It will be sent again in a moment."))
    return redirect("undelivered")
