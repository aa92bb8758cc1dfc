"""Pages of the public notice, the objections, publishing, proposals upward and their outcome.

Thin: parse, call one service of decisions.notices or .upward, show the outcome. A page
refuses with 404 what the person may not see and with 403 what they see but may not do.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from decisions import notices, upward
from decisions.models import Objection, PublicNotice
from decisions.notice_forms import (
    DossierSelectionForm,
    ObjectionForm,
    OutcomeForm,
    ResolutionForm,
)
from dossiers import workdays
from dossiers.models import Period
from dossiers.views import client_address
from workflow import permissions
from workflow.errors import DossierNotFound, NoticeNotFound
from workflow.responses import perform

PAGE_SIZE = 50


def _person(request):
    """Every notice page is for staff of an institution; an account without a person sees none."""
    if request.person is None:
        raise Http404
    return request.person


@login_required
def notice_board(request, failed: PublicNotice | None = None, status: int = 200):
    """Open notices, each with an objection form; the period's closed notices below."""
    person = _person(request)
    period = Period.objects.of(person.institution_id).filter(is_current=True).first()
    running = list(notices.open_notices(person))
    for notice in running:
        notice.objection_form = failed.objection_form if notice == failed else ObjectionForm()
    closed = Paginator(notices.closed_notices(person, period.pk if period else None), PAGE_SIZE)
    return render(
        request,
        "notices/notice_board.html",
        {
            "period": period,
            "running": running,
            "closed": closed.get_page(request.GET.get("page")),
            "mine": notices.objections_filed_by(person),
            "manages": notices.may_manage_notices(person),
            "may_submit_upward": upward.may_submit_upward(person),
            "reads_upward": permissions.may(person, "upward.read") is not None,
            "may_object": permissions.may(person, "notice.object") is not None,
            "query": request.GET.copy(),
        },
        status=status,
    )


@login_required
@require_POST
def objection_file(request, notice_id: int):
    person = _person(request)
    notice = PublicNotice.objects.of(person.institution_id).filter(pk=notice_id).first()
    if notice is None:
        raise NoticeNotFound()
    form = ObjectionForm(request.POST)
    status = 400
    if form.is_valid():
        outcome = perform(
            request, notices.file_objection, form=form,
            notice_id=notice_id, person=person, text=form.cleaned_data["text"],
            client_address=client_address(request),
        )  # fmt: skip
        status = outcome.status
        if outcome.ok:
            messages.success(request, _("Your objection was filed. The council secretary will "
                                        "resolve it before the decision is signed."))  # fmt: skip
            return redirect("notice_board")
    notice.objection_form = form
    messages.error(request, " ".join([_("Your objection was not filed."), *_errors(form)]))
    return notice_board(request, failed=notice, status=status)


def _errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def _secretary(request):
    person = _person(request)
    permissions.require(person, "notice.manage")
    return person


@login_required
def objection_list(request, failed: Objection | None = None, status: int = 200):
    """The secretary's open objections, each with a resolve form; resolved ones with their note."""
    person = _secretary(request)
    waiting = list(notices.objections(person, resolved=False))
    for objection in waiting:
        objection.form = failed.form if objection == failed else ResolutionForm()
    resolved = Paginator(notices.objections(person, resolved=True), PAGE_SIZE)
    return render(
        request,
        "notices/objection_list.html",
        {
            "waiting": waiting,
            "resolved": resolved.get_page(request.GET.get("page")),
            "query": request.GET.copy(),
        },
        status=status,
    )


@login_required
@require_POST
def objection_resolve(request, objection_id: int):
    person = _secretary(request)
    objection = Objection.objects.of(person.institution_id).filter(pk=objection_id).first()
    if objection is None:
        raise NoticeNotFound()
    form = ResolutionForm(request.POST)
    status = 400
    if form.is_valid():
        outcome = perform(
            request, notices.resolve_objection, form=form,
            objection_id=objection_id, person=person,
            resolution=form.cleaned_data["resolution"], client_address=client_address(request),
        )  # fmt: skip
        status = outcome.status
        if outcome.ok:
            messages.success(request, _("The objection was resolved."))
            return redirect("notice_objections")
    objection.form = form
    messages.error(request, " ".join([_("The objection was not resolved."), *_errors(form)]))
    return objection_list(request, failed=objection, status=status)


@login_required
def publish(request):
    """The secretary ticks recommended dossiers whose award asks for a notice and publishes them."""
    person = _secretary(request)
    form = DossierSelectionForm(request.POST or None, candidates=notices.publishable(person))
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request, notices.publish, form=form,
            dossier_ids=form.dossier_ids(), person=person,
            client_address=client_address(request),
        )  # fmt: skip
        status = outcome.status
        if outcome.ok:
            published = outcome.result
            count = len(published)
            messages.success(request, ngettext("%(count)d dossier is now on public notice.",
                                               "%(count)d dossiers are now on public notice.",
                                               count) % {"count": count})  # fmt: skip
            latest = max(notice.ends_on for notice in published)
            warning = workdays.deadline_until(timezone.localdate(), latest).warning()
            if warning:
                messages.warning(request, warning)
            return redirect("notice_board")
    elif request.method == "POST":
        status = 400
    return render(request, "notices/publish.html", {"form": form}, status=status)


@login_required
def submit_upward(request):
    """Proposals upward: the principal's form, what awaits the higher decision, and the memos."""
    person = _person(request)
    permissions.require(person, "upward.read")
    may_submit = upward.may_submit_upward(person)
    if request.method == "POST":
        permissions.require(person, "upward.submit")
    form = DossierSelectionForm(request.POST or None, candidates=upward.proposable(person))
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            request, upward.submit_upward, form=form,
            dossier_ids=form.dossier_ids(), person=person,
            client_address=client_address(request),
        )  # fmt: skip
        status = outcome.status
        if outcome.ok:
            memo = outcome.result
            count = memo.dossiers.count()
            messages.success(request, ngettext(
                "The proposal memo was generated and %(count)d dossier was submitted upward.",
                "The proposal memo was generated and %(count)d dossiers were submitted upward.",
                count) % {"count": count})  # fmt: skip
            return redirect("notice_upward")
    elif request.method == "POST":
        status = 400
    memos = Paginator(upward.memos(person), PAGE_SIZE)
    return render(
        request,
        "notices/upward.html",
        {
            "form": form if may_submit else None,
            "awaiting": upward.awaiting_outcome(person),
            "may_record": upward.may_record_outcome(person),
            "memos": memos.get_page(request.GET.get("page")),
            "query": request.GET.copy(),
        },
        status=status,
    )


@login_required
def memo_pdf(request, pk: int):
    memo = upward.readable_memo(request.person, pk)
    if memo is None:
        raise Http404
    return FileResponse(memo.pdf.open("rb"), as_attachment=True,
                        filename=f"to-trinh-{memo.pk}.pdf",
                        content_type="application/pdf")  # fmt: skip


@login_required
def record_outcome(request, dossier_id: int):
    """The reviewer records the higher authority's decision on a dossier submitted upward."""
    person = _person(request)
    dossier = upward.submitted_upward_dossier(person, dossier_id)
    if dossier is None:
        raise DossierNotFound()
    permissions.require(person, "record_outcome", dossier)
    form = OutcomeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request, upward.record_outcome, form=form,
            dossier_id=dossier_id, person=person, granted=data["granted"],
            decision_number=data["decision_number"], decision_date=data["decision_date"],
            client_address=client_address(request),
        )  # fmt: skip
        status = outcome.status
        if outcome.ok:
            messages.success(request, _("The higher authority's decision was recorded."))
            return redirect("dossier_detail", pk=dossier_id)
    elif request.method == "POST":
        status = 400
    return render(
        request, "notices/outcome_form.html", {"form": form, "dossier": dossier}, status=status
    )
