"""Pages of movements (every member of staff reads them) and of registrations (per unit)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossiers.forms import parse_id
from dossiers.limits import limited
from dossiers.models import Period
from dossiers.views import client_address
from emulation import exports, selectors, services
from emulation.forms import MovementForm, RegistrationForm
from workflow import permissions
from workflow.responses import page_status, perform, perform_then_redirect


def _readable(request):
    if permissions.may(request.person, "movement.read") is None:
        raise Http404
    return request.person


@login_required
def movement_list(request):
    person = _readable(request)
    return render(request, "emulation/movement_list.html", {
        "movements": selectors.movements(person),
        "may_launch": permissions.may(person, "movement.launch") is not None,
        "sees_registrations": bool(selectors.registration_units(person)),
    })  # fmt: skip


@login_required
def movement_detail(request, pk: int):
    person = _readable(request)
    movement = get_object_or_404(selectors.movements(person), pk=pk)
    return render(request, "emulation/movement_detail.html", {"movement": movement})


@login_required
def movement_plan(request, pk: int):
    person = _readable(request)
    movement = get_object_or_404(selectors.movements(person), pk=pk)
    return FileResponse(movement.plan.open("rb"), as_attachment=True, filename=movement.plan_name)


@limited(body="UPLOAD_MAX_BYTES")
@login_required
def movement_launch(request):
    person = request.person
    if permissions.may(person, "movement.launch") is None:
        raise Http404
    form = MovementForm(request.POST or None, request.FILES or None,
                        institution=person.institution)  # fmt: skip
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request, services.launch_movement, form=form,
            success=_("The movement was launched."), person=person,
            client_address=client_address(request), **form.cleaned_data,
        )  # fmt: skip
        if outcome.ok:
            return redirect("movement_detail", outcome.result.pk)
    return render(request, "emulation/movement_form.html", {"form": form},
                  status=page_status(request, form, outcome))  # fmt: skip


def _period(request, person) -> Period:
    periods = Period.objects.of(person.institution)
    chosen = parse_id(request.GET.get("period"))
    period = (
        periods.filter(pk=chosen).first() if chosen else periods.filter(is_current=True).first()
    )
    if period is None:
        raise Http404
    return period


@login_required
def registration_list(request):
    person = request.person
    if person is None:
        raise Http404
    units = selectors.registration_units(person)
    if not units:
        raise Http404
    period = _period(request, person)
    return render(request, "emulation/registration_list.html", {
        "period": period,
        "periods": Period.objects.of(person.institution),
        "registrations": selectors.registrations(period, units),
        "own_units": [u for u in units if permissions.may(person, "registration.manage", u)],
    })  # fmt: skip


@login_required
def registration_export(request):
    person = request.person
    units = selectors.registration_units(person) if person else []
    if not units:
        raise Http404
    period = _period(request, person)
    return exports.registrations_xlsx(period, selectors.registrations(period, units))


@login_required
def registration_create(request, unit_id: int):
    person = request.person
    units = {u.pk: u for u in selectors.registration_units(person)} if person else {}
    unit = units.get(unit_id)
    if unit is None or permissions.may(person, "registration.manage", unit) is None:
        raise Http404
    period = _period(request, person)
    form = RegistrationForm(request.POST or None, unit=unit, period=period)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request, services.register, form=form, success=_("The registration was recorded."),
            person=person, period=period, unit=unit, award_type=data["award_type"],
            targets=data["targets"], nominees=list(data["nominees"]),
            the_unit_itself=data["the_unit_itself"], movement=data["movement"],
            client_address=client_address(request),
        )  # fmt: skip
        if outcome.ok:
            return redirect(f"{_list_url()}?period={period.pk}")
    return render(request, "emulation/registration_form.html",
                  {"form": form, "unit": unit, "period": period},
                  status=page_status(request, form, outcome))  # fmt: skip


def _list_url() -> str:
    return reverse("registration_list")


@login_required
@require_POST
def registration_withdraw(request, pk: int):
    return perform_then_redirect(
        request, services.withdraw_registration, to=redirect("registration_list"),
        success=_("The registration was withdrawn."), person=request.person,
        registration_id=pk, client_address=client_address(request),
    )  # fmt: skip
