"""Public verification of decision PDFs (no login), and the signed decision files."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from workflow.decisions.verification import verify_pdf

MAX_VERIFY_BYTES = 30 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Decision (PDF)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(_("The file is too large to be a decision."))
        return upload


@csrf_exempt  # public and stateless: it reads a file and changes nothing
def verify_decision(request):
    """Anyone uploads a PDF and learns whether it is intact, who signed, and whether it is ours."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    verdict = None
    if request.method == "POST" and form.is_valid():
        verdict = verify_pdf(form.cleaned_data["file"].read())
    return render(request, "decisions/verify.html", {"form": form, "verdict": verdict})


def decision_pdf(request, pk: int):
    """The signed file, for anyone in the institution who may see decisions."""
    from workflow.decisions.selectors import visible_decisions

    decision = visible_decisions(request.person).filter(pk=pk, state="signed").first()
    if decision is None or not decision.pdf:
        raise Http404
    return FileResponse(decision.pdf.open("rb"), as_attachment=True,
                        filename=f"QD-{decision.year}-{decision.number:03d}.pdf",
                        content_type="application/pdf")  # fmt: skip
