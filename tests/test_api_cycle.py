"""A whole commendation, driven only through the API, as each person's script would drive it.

The unit head creates a dossier and uploads its documents, submits it; the reviewer returns it
with a reason; the head fixes it and resubmits; the reviewer approves; the council secretary
plans a meeting, puts the dossier on the agenda and opens the vote; every member votes; the
secretary closes the vote; the decision is prepared and the principal signs it; the signed PDF
is downloaded and verified, and the auditor verifies the audit chain. Nothing is set up in the
database after the people and their roles.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dossiers.models import AnnualRating, AwardType, Rating, Role
from tests.api_helpers import ApiClient
from tests.conftest import PDF_BYTES, make_person
from tests.factories import own_certificate

pytest_plugins = ["tests.signing_fixtures"]


def ok(response, status=200) -> dict | list:
    assert response.status_code == status, response.content[:800]
    return response.json()


def test_a_dossier_goes_from_creation_to_a_verified_signed_decision_through_the_api_alone(
    institution, period, unit_a, unit_b, pkcs12_signing, django_capture_on_commit_callbacks
):
    head = ApiClient(make_person(institution, unit_a, roles=[Role.UNIT_HEAD]))
    reviewer = ApiClient(make_person(institution, unit_b, roles=[Role.REVIEWER]))
    principal_person = make_person(institution, unit_b, roles=[Role.PRINCIPAL, Role.COUNCIL_MEMBER])
    own_certificate(principal_person)
    principal = ApiClient(principal_person)
    secretary = ApiClient(
        make_person(institution, unit_b, roles=[Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER])
    )
    members = [ApiClient(make_person(institution, unit_b, roles=[Role.COUNCIL_MEMBER]))
               for _ in range(3)]  # fmt: skip
    auditor = ApiClient(make_person(institution, unit_b, roles=[Role.AUDITOR]))
    nominee = make_person(institution, unit_a, full_name="Nguyễn Thị Lan")
    AnnualRating.objects.create(
        institution=institution, person=nominee, period=period, rating=Rating.COMPLETED_WELL
    )
    award = AwardType.objects.get(institution=institution, code="advanced_worker")

    # The unit head: a draft, its documents, submitted.
    dossier = ok(
        head.post("/api/v1/dossiers/", {"award_type": award.pk, "nominee_person": nominee.pk,
                                        "achievement_summary": "Hoàn thành tốt nhiệm vụ."}),
        201,
    )  # fmt: skip
    path = f"/api/v1/dossiers/{dossier['id']}/"
    version = dossier["version"]
    for kind in dossier["missing_documents"]:
        upload = SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES, content_type="application/pdf")
        response = head.upload(f"{path}documents/",
                               {"kind": kind, "version": version, "file": upload})  # fmt: skip
        ok(response, 201)
        version = int(response["ETag"].strip('"'))
    dossier = ok(head.post(f"{path}transitions/", {"action": "submit", "version": version}))
    assert dossier["state"] == "submitted"

    # The reviewer returns it; the head fixes it and resubmits; the reviewer approves.
    dossier = ok(reviewer.post(f"{path}transitions/", {
        "action": "return_for_revision", "version": dossier["version"],
        "reason": "Bổ sung số liệu giờ giảng."}))  # fmt: skip
    assert dossier["state"] == "returned"
    fixed = {"achievement_summary": "Hoàn thành tốt nhiệm vụ; 320 giờ giảng."}
    dossier = ok(head.patch(path, fixed, HTTP_IF_MATCH=f'"{dossier["version"]}"'))
    dossier = ok(head.post(f"{path}transitions/", {"action": "resubmit",
                                                   "version": dossier["version"]}))  # fmt: skip
    dossier = ok(reviewer.post(f"{path}transitions/", {"action": "approve",
                                                       "version": dossier["version"]}))  # fmt: skip
    assert dossier["state"] == "reviewed"

    # The council: a meeting, its agenda, the vote opened, every member votes, the vote closed.
    meeting = ok(secretary.post("/api/v1/meetings/", {
        "title": "Phiên họp xét thi đua năm 2026", "held_on": timezone.now().isoformat(),
        "place": "Phòng họp A", "chair": principal_person.pk}), 201)  # fmt: skip
    meeting_path = f"/api/v1/meetings/{meeting['id']}/"
    ok(secretary.client.put(f"{meeting_path}agenda/", {"dossiers": [dossier["id"]]},
                            content_type="application/json", **secretary.headers))  # fmt: skip
    ok(secretary.post(f"{meeting_path}open/"))
    voters = [principal, secretary, *members]
    receipts = []
    for voter in voters:
        seen = ok(voter.get(meeting_path))
        assert seen["may_vote"], seen["why_cannot_vote"]
        choices = [{"item": item["id"], "choice": "agree"} for item in seen["agenda"]]
        receipts.append(ok(voter.post(f"{meeting_path}ballot/", {"choices": choices}), 201)
                        ["receipt"])  # fmt: skip
    closed = ok(secretary.post(f"{meeting_path}close/"))
    assert sorted(closed["results"]["receipts"]) == sorted(receipts)
    assert ok(reviewer.get(path))["state"] == "recommended"

    # The decision: prepared, signed by the principal, downloaded and verified by anyone.
    prepared = {"award_type": award.pk, "dossiers": [dossier["id"]]}
    decision = ok(principal.post("/api/v1/decisions/", prepared), 201)
    with django_capture_on_commit_callbacks(execute=True):
        signed = ok(principal.post(f"/api/v1/decisions/{decision['id']}/sign/", {}))
    assert ok(reviewer.get(path))["state"] == "signed"
    pdf = principal.get(f"/api/v1/decisions/{signed['id']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    signed_pdf = b"".join(pdf.streaming_content)
    verdict = ok(ApiClient(None).upload(
        "/api/v1/decisions/verify/",
        {"file": SimpleUploadedFile("quyet-dinh.pdf", signed_pdf, content_type="application/pdf")},
    ))  # fmt: skip
    assert verdict["valid"], verdict

    # The auditor: the whole history holds together.
    chain = ok(auditor.get("/api/v1/audit/verify/"))
    assert chain["intact"], chain
