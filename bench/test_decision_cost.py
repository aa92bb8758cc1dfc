"""`pdf500_vs_weasyprint_pyhanko`: a 500-awardee decision rendered and signed as the product does,
against WeasyPrint alone on the same HTML plus pyHanko alone on the same PDF (goal: <= 1.15)."""

from __future__ import annotations

import time
from io import BytesIO

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from bench.figures import Figure
from decisions.rendering import decision_context
from decisions.signing import configured_signer, sign_pdf
from documents.rendering import SERIF_STACK
from tests.factories import signing_certificate
from tests.test_decision_rendering import SIGNED_ON, decision_with_awardees, render

AWARDEES = 500

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

    cache.clear()
    started = time.perf_counter()
    signed = sign_pdf(render(decision), reason="Quyết định số 05", location="Bắc Ninh")
    ours = time.perf_counter() - started

    started = time.perf_counter()
    with translation.override("vi"):
        html = render_to_string("decisions/decision.html", {**context, "serif": SERIF_STACK})
    pdf = HTML(string=html).write_pdf()
    meta = signers.PdfSignatureMetadata(field_name="Signature1",
                                        subfilter=fields.SigSeedSubFilter.PADES)  # fmt: skip
    with configured_signer() as signer:
        signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer)
    libraries = time.perf_counter() - started

    assert signed.data.startswith(b"%PDF")
    figures.record(Figure(
        "pdf500_vs_weasyprint_pyhanko", round(ours, 2), "s",
        "WeasyPrint + pyHanko alone on the same HTML and PDF", round(libraries, 2),
        note=f"{AWARDEES} awardees, rendered and signed once each",
    ))  # fmt: skip
