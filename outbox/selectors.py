"""Reads of the outbox for the pages that show what could not be done."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from outbox.models import OutboxMessage

LISTED = 200


def undelivered(institution_id: int) -> QuerySet[OutboxMessage]:
    """The institution's failed rows and those pending for longer than they should, newest first."""
    stale = timezone.now() - datetime.timedelta(minutes=settings.OUTBOX_STALE_MINUTES)
    return OutboxMessage.objects.filter(
        Q(state=OutboxMessage.State.FAILED)
        | Q(state=OutboxMessage.State.PENDING, created_at__lt=stale),
        institution_id=institution_id,
    ).order_by("-created_at", "-pk")[:LISTED]
