"""Decision pages: the list, preparing, the decision with its signing and revoking, the draft
preview; the public verification page and the signed files. Rules live in the services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.models import Checkpoint
from decisions import services
from decisions.forms import (
    AwardChoiceForm,
    ChooseCredentialForm,
    CompleteSigningForm,
    ItemForm,
    PrepareDecisionForm,
    RevocationForm,
    SignForm,
)
from decisions.models import Decision, PreparedSigning
from decisions.rendering import draft_pdf
from decisions.selectors import (
    decidable_awards,
    decision_actions,
    decision_candidates,
    decision_rows,
    own_award,
    own_computer_credentials,
    server_credentials,
    signing_context,
    visible_decisions,
)
from decisions.verification import MAX_VERIFY_BYTES, published_checkpoints, verify_pdf
from documents.rendering import inline_pdf
from dossiers.limits import limited
from dossiers.models import Period, State
from dossiers.views import client_address
from workflow import permissions
from workflow.errors import DecisionNotFound, InvalidInput
from workflow.responses import page_status, perform, perform_then_redirect

PAGE_SIZE = 25
ITEM_JOINS = ("dossier__nominee_person", "dossier__nominee_unit", "dossier__unit",
              "dossier__award_type")  # fmt: skip


def _may_prepare(person) -> bool:
    """Preparing, changing and revoking drafts (the services check the same roles)."""
    return permissions.may(person, "decision.prepare") is not None


def _visible(request, pk: int) -> Decision:
    decision = (
        visible_decisions(request.person)
        .select_related("institution", "on_behalf_of", "revokes", "created_by")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise DecisionNotFound()
    return decision


@login_required
def decision_list(request):
    if not permissions.may(request.person, "decision.read"):
        raise Http404
    page = Paginator(decision_rows(request.person), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "decisions/decision_list.html",
        {"page": page, "may_prepare": _may_prepare(request.person), "query": request.GET.copy()},
    )


@login_required
def decision_new(request):
    """Choose an award, then its dossiers that the council recommended; a draft comes out."""
    person = request.person
    permissions.require(person, "decision.prepare")
    period = Period.objects.of(person.institution).filter(is_current=True).first()
    if period is None:
        messages.error(request, _("There is no current period. Ask the administrator to open one."))
        return redirect("decision_list")
    awards = decidable_awards(person).order_by("name_vi")
    chooser = AwardChoiceForm(request.GET or None, awards=awards)
    award = chooser.cleaned_data["award"] if chooser.is_valid() else None
    form = None
    if award is not None:
        form = PrepareDecisionForm(
            request.POST if request.method == "POST" else None,
            candidates=decision_candidates(person, period, award),
            initial={
                "subject": services.default_subject(award),
                "recitals": services.default_recitals(award, person.institution),
            },
        )
    outcome = None
    if form is not None and request.method == "POST" and form.is_valid():
        outcome = perform(
            request, services.prepare_decision, form=form,
            success=_("The draft decision was prepared."),
            person=person, award_type=award, dossier_ids=form.dossier_ids(),
            subject=form.cleaned_data["subject"], recitals=form.cleaned_data["recitals"],
            client_address=client_address(request),
        )  # fmt: skip
        if outcome.ok:
            return redirect("decision_detail", pk=outcome.result.pk)
    return render(
        request,
        "decisions/decision_new.html",
        {"chooser": chooser, "award": award, "form": form, "period": period},
        status=page_status(request, form, outcome),
    )


@login_required
def decision_detail(request, pk: int):
    decision = _visible(request, pk)
    return render(request, "decisions/decision_detail.html", _detail_context(request, decision))


def _detail_context(request, decision: Decision, *, revocation_form=None, sign_form=None) -> dict:
    """The decision, its items and the forms this person may use on it now."""
    person = request.person
    items = list(decision.items.select_related(*ITEM_JOINS))
    actions = decision_actions(person, decision, items)
    if revocation_form is None and "revoke" in actions:
        revocable = [item for item in items if item.dossier.state == State.SIGNED]
        revocation_form = RevocationForm(items=revocable)
    may_sign = "sign" in actions
    signing = signing_context(person, decision, sign_form) if may_sign else {}
    return {
        **signing,
        "decision": decision,
        "items": items,
        "may_sign": may_sign,
        # The signer among the awardees: the reasons, and whether the rule blocks or asks.
        "own_award": own_award(person, decision) if may_sign else None,
        "may_remove": "remove" in actions,
        "revocation_form": revocation_form,
        "revocations": decision.revocations.order_by("created_at")
        if decision.kind == Decision.Kind.AWARD
        else [],
    }


@login_required
@require_POST
def decision_sign(request, pk: int):
    """Number, render, sign with the signer's own key and store the decision; its dossiers move
    to signed — or nothing."""
    decision = _visible(request, pk)
    permissions.require(request.person, "decision.sign", decision)
    form = SignForm(request.POST, credentials=server_credentials(request.person))
    credential = form.chosen() if "credential" in request.POST else None
    outcome = perform(
        request, services.sign_decision,
        decision_id=pk, person=request.person, client_address=client_address(request),
        credential_id=credential, secret=request.POST.get("secret", ""),
        acknowledge_own_award=request.POST.get("acknowledge_own_award") == "on",
    )  # fmt: skip
    if not outcome.ok:  # the draft again, with why it was not signed
        context = _detail_context(request, decision, sign_form=form)
        return render(request, "decisions/decision_detail.html", context, status=outcome.status)
    return _signed(request, outcome.result)


def _signed(request, decision: Decision):
    messages.success(
        request, _("Decision No. %(reference)s was signed.") % {"reference": decision.reference}
    )
    return redirect("decision_detail", pk=decision.pk)


@login_required
@require_POST
def decision_prepare_signing(request, pk: int):
    """The first of two steps at the signer's own computer: the document and its digest."""
    decision = _visible(request, pk)
    permissions.require(request.person, "decision.sign", decision)
    form = ChooseCredentialForm(request.POST, credentials=own_computer_credentials(request.person))
    return perform_then_redirect(
        request, services.prepare_signing, to=redirect("decision_detail", pk=pk),
        success=_("The decision is prepared: sign it with your token, then upload the signature."),
        credential_id=form.chosen() if "credential" in request.POST else None,
        decision_id=pk, person=request.person, client_address=client_address(request),
        acknowledge_own_award=request.POST.get("acknowledge_own_award") == "on",
    )  # fmt: skip


def _own_preparation(request, pk: int) -> PreparedSigning:
    decision = _visible(request, pk)
    permissions.require(request.person, "decision.sign", decision)
    prepared = PreparedSigning.objects.filter(decision=decision, signer=request.person).first()
    if prepared is None:
        raise Http404
    return prepared


@login_required
def decision_prepared_pdf(request, pk: int):
    """The document exactly as the signer's tool signs it (its signature field still empty)."""
    prepared = _own_preparation(request, pk)
    return FileResponse(prepared.pdf.open("rb"), as_attachment=True,
                        filename=f"chuan-bi-ky-{prepared.year}-{prepared.number:03d}.pdf",
                        content_type="application/pdf")  # fmt: skip


@login_required
def decision_signing_request(request, pk: int):
    """The signing request the signer's tool reads (signing_tool/sign_digest.py)."""
    prepared = _own_preparation(request, pk)
    response = JsonResponse(services.signing_request(prepared), json_dumps_params={"indent": 2})
    name = f"yeu-cau-ky-{prepared.year}-{prepared.number:03d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@limited(body=CompleteSigningForm.MAX_BYTES)
@login_required
@require_POST
def decision_complete_signing(request, pk: int):
    """The second step: the signer uploads the signature their tool made; the server issues."""
    decision = _visible(request, pk)
    permissions.require(request.person, "decision.sign", decision)
    form = CompleteSigningForm(request.POST, request.FILES)
    if not form.is_valid():
        context = _detail_context(request, decision)
        context["complete_form"] = form
        return render(request, "decisions/decision_detail.html", context, status=400)
    outcome = perform(
        request, services.complete_signing,
        decision_id=pk, person=request.person, signature=form.cleaned_data["signature"],
        client_address=client_address(request),
    )  # fmt: skip
    if not outcome.ok:
        context = _detail_context(request, decision)
        return render(request, "decisions/decision_detail.html", context, status=outcome.status)
    return _signed(request, outcome.result)


@login_required
@require_POST
def decision_remove_item(request, pk: int):
    permissions.require(request.person, "decision.prepare", _visible(request, pk))
    form = ItemForm(request.POST)
    if not form.is_valid():
        raise InvalidInput()
    return perform_then_redirect(
        request, services.remove_from_draft, to=redirect("decision_detail", pk=pk),
        success=_("The dossier was removed from the draft decision."),
        decision_id=pk, dossier_id=form.cleaned_data["dossier"], person=request.person,
        client_address=client_address(request),
    )  # fmt: skip


@login_required
@require_POST
def decision_revoke(request, pk: int):
    """Prepare a revocation decision over some of this decision's awardees (the principal signs)."""
    decision = _visible(request, pk)
    permissions.require(request.person, "decision.prepare", decision)
    revocable = decision.items.select_related(*ITEM_JOINS).filter(dossier__state=State.SIGNED)
    form = RevocationForm(request.POST, items=revocable)
    status = 400
    if form.is_valid():
        outcome = perform(
            request, services.prepare_revocation, form=form,
            success=_("The draft revocation decision was prepared."),
            person=request.person, decision_id=pk,
            dossier_ids=form.cleaned_data["dossiers"], reason=form.cleaned_data["reason"],
            client_address=client_address(request),
        )  # fmt: skip
        if outcome.ok:
            return redirect("decision_detail", pk=outcome.result.pk)
        status = outcome.status
    context = _detail_context(request, decision, revocation_form=form)
    return render(request, "decisions/decision_detail.html", context, status=status)


@login_required
def decision_preview(request, pk: int):
    """The draft as it will be printed, without number or signature, marked "DỰ THẢO"."""
    decision = _visible(request, pk)
    if decision.state != Decision.State.DRAFT:
        return redirect("decision_pdf", pk=pk)
    pdf = draft_pdf(decision, verify_url=services.verification_url())
    return inline_pdf(pdf, f"du-thao-quyet-dinh-{pk}.pdf")


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Decision (PDF)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(_("The file is too large to be a decision."))
        return upload


@csrf_exempt  # public and stateless: it reads a file and changes nothing
@limited(body=MAX_VERIFY_BYTES, rate="verify")
def verify_decision(request):
    """Anyone uploads a PDF and learns whether it is intact, who signed, and whether it is ours."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = verify_pdf(form.cleaned_data["file"].read())
    context = {"form": form, "verdict": verdict, "checkpoints": published_checkpoints()}
    return render(request, "decisions/verify.html", context)


@limited(rate="public_files")
def checkpoint_file(request, pk: int):
    """A signed checkpoint as its JSON file, for anyone (verify_audit --checkpoint reads it)."""
    checkpoint = Checkpoint.objects.select_related("institution").filter(pk=pk).first()
    if checkpoint is None:
        raise Http404
    response = HttpResponse(
        checkpoint.document(checkpoint.institution.code), content_type="application/json"
    )
    name = f"checkpoint-{checkpoint.institution.code}-{checkpoint.sequence}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def decision_pdf(request, pk: int):
    """The signed file, for anyone in the institution who may see decisions."""
    decision = visible_decisions(request.person).filter(pk=pk, state="signed").first()
    if decision is None or not decision.pdf:
        raise Http404
    return FileResponse(decision.pdf.open("rb"), as_attachment=True,
                        filename=f"QD-{decision.year}-{decision.number:03d}.pdf",
                        content_type="application/pdf")  # fmt: skip
