"""`pdf500_vs_weasyprint_pyhanko`: a 500-awardee decision rendered and signed as the product does,
against WeasyPrint alone on the same HTML plus pyHanko alone on the same PDF (goal: <= 1.15)."""

from __future__ import annotations

import statistics
import time
from io import BytesIO

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from bench.figures import Figure
from decisions import credentials
from decisions.rendering import decision_context
from decisions.signing import sign_pdf
from documents.rendering import SERIF_STACK
from tests.factories import own_certificate, signing_certificate
from tests.test_decision_rendering import SIGNED_ON, decision_with_awardees, render

AWARDEES = 500
ROUNDS = 3

pytestmark = pytest.mark.bench


def test_render_and_sign_against_the_libraries_alone(period, unit_a, figures):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from weasyprint import HTML

    signing_certificate()
    decision = decision_with_awardees(period, unit_a, AWARDEES)
    HTML(string="<p>Khởi động</p>").write_pdf()  # fonts load once per process: not counted
    context = decision_context(
        decision, number=5, signed_on=SIGNED_ON, signer=decision.created_by, on_behalf_of=None,
        chain_head="ab" * 32, verify_url="http://127.0.0.1:8000/verify/",
    )  # fmt: skip

    credential = own_certificate(decision.created_by)

    def ours():
        cache.clear()  # rendered anew each time, not served from the PDF cache
        return sign_pdf(render(decision), credential=credential, secret="",
                        reason="Quyết định số 05", location="Bắc Ninh")  # fmt: skip

    def libraries():
        with translation.override("vi"):
            html = render_to_string("decisions/decision.html", {**context, "serif": SERIF_STACK})
        pdf = HTML(string=html).write_pdf()
        meta = signers.PdfSignatureMetadata(field_name="Signature1",
                                            subfilter=fields.SigSeedSubFilter.PADES)  # fmt: skip
        with credentials.signer_for(credential, "") as signer:
            signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)

    # One untimed round warms both paths (templates, fonts, the signer); then ROUNDS rounds,
    # the two alternating so that a slower moment of the machine falls on both, medians kept.
    signed = ours()
    libraries()
    samples = {ours: [], libraries: []}
    for _ in range(ROUNDS):
        for work, taken in samples.items():
            started = time.perf_counter()
            work()
            taken.append(time.perf_counter() - started)
    ours_s, libraries_s = (statistics.median(taken) for taken in samples.values())

    assert signed.data.startswith(b"%PDF")
    figures.record(Figure(
        "pdf500_vs_weasyprint_pyhanko", round(ours_s, 2), "s",
        "WeasyPrint + pyHanko alone on the same HTML and PDF", round(libraries_s, 2),
        note=f"{AWARDEES} awardees; medians of {ROUNDS} alternating rounds after a warm-up",
    ))  # fmt: skip
