from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from bench.peer.approvals.models import Item


@require_POST
@login_required
def approve(request, pk: int):
    """Lock the row, move it, save it; django-fsm-log adds its StateLog row in the transaction."""
    with transaction.atomic():
        item = get_object_or_404(Item.objects.select_for_update(), pk=pk)
        if not can_proceed(item.approve):
            return HttpResponse(f"item {pk} is {item.state}", status=409)
        item.approve(by=request.user)
        item.save(update_fields=["state"])
    return redirect("item_detail", pk=pk)


@login_required
def detail(request, pk: int):
    return HttpResponse(get_object_or_404(Item, pk=pk).state, content_type="text/plain")
