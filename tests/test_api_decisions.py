"""Decisions through the API: reading, preparing, taking a dossier out, signing, revoking, the PDFs,
and the public check of a decision PDF; each refusal as the pages refuse it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from decisions import services, verification
from decisions.models import Decision, DecisionCounter, DecisionItem
from dossiers.models import AwardType, Dossier, Period, Role, State
from tests.api_helpers import ApiClient, problem
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, dossiers_in, sign_committed

pytest_plugins = ["tests.signing_fixtures"]

LIST = "/api/v1/decisions/"
VERIFY = "/api/v1/decisions/verify/"
REASON = "Hồ sơ kê khai thành tích không trung thực."
# Queries of one page of the list, or of one decision, whatever the number of decisions or of
# awardees (measured, then fixed).
LIST_QUERY_BOUND = 5
DETAIL_QUERY_BOUND = 9


def url(decision, tail="") -> str:
    return f"/api/v1/decisions/{decision.pk}/{tail}"


def recommended(period, unit, names=("Nguyễn Thị Hương", "Trần Văn Bình")) -> list[Dossier]:
    """Advanced-worker dossiers the council recommended at one meeting (decided by the
    principal, no public notice)."""
    nominees = [make_person(period.institution, unit, full_name=name) for name in names]
    return dossiers_in(State.RECOMMENDED, period, unit, nominees=nominees)


def prepare(person, dossiers) -> Decision:
    return services.prepare_decision(
        person=person, award_type=dossiers[0].award_type, dossier_ids=[d.pk for d in dossiers]
    )


def states(dossiers) -> set[str]:
    return set(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state", flat=True)
    )


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def dossiers(period, unit_a, principal, secretary) -> list[Dossier]:
    return recommended(period, unit_a)


@pytest.fixture
def draft(secretary, dossiers) -> Decision:
    return prepare(secretary, dossiers)


@pytest.fixture
def signed(pkcs12_signing, principal, draft) -> Decision:
    return sign_committed(decision_id=draft.pk, person=principal)


def signed_via_api(principal, decision, capture, **body):
    """The principal signs through the API; the signed PDF gets its name when the commit runs."""
    with capture(execute=True):
        return ApiClient(principal).post(url(decision, "sign/"), body)


# --- Reading ------------------------------------------------------------------------------------


def test_without_a_token_the_decisions_are_refused(draft):
    assert problem(ApiClient(None).get(LIST), 401, "unauthenticated")
    assert problem(ApiClient(None).get(url(draft)), 401, "unauthenticated")


def test_the_auditor_lists_the_decisions_newest_first_with_their_number_of_awardees(
    auditor, secretary, period, unit_a, principal
):
    older = prepare(secretary, recommended(period, unit_a, names=["Lê Thị Cũ"]))
    newer = prepare(secretary, recommended(period, unit_a, names=["Hồ Văn Mới", "Đỗ Thị Hai"]))

    response = ApiClient(auditor).get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["id"], row["awardees"]) for row in rows] == [(newer.pk, 2), (older.pk, 1)]
    assert rows[0]["state"] == "draft" and rows[0]["reference"] == ""


@pytest.mark.parametrize("who", ["head_a", "staff_a"])
def test_staff_who_do_not_work_with_decisions_find_neither_the_list_nor_a_decision(
    request, who, draft
):
    client = ApiClient(request.getfixturevalue(who))

    problem(client.get(LIST), 404, "not-found")
    problem(client.get(url(draft)), 404, "not-found")
    problem(client.get(url(draft, "pdf/")), 404, "not-found")


def test_a_principal_of_another_institution_does_not_find_the_decision(other_institution, draft):
    stranger = make_person(
        other_institution, make_unit(other_institution, "khoa-x", "Khoa X"), roles=[Role.PRINCIPAL]
    )

    problem(ApiClient(stranger).get(url(draft)), 404, "not-found")


@pytest.mark.parametrize("pk", ["0", "99999999", str(2**63), str(2**70)])
def test_a_missing_or_impossible_decision_id_is_not_found(auditor, db, pk):
    problem(ApiClient(auditor).get(f"{LIST}{pk}/"), 404, "not-found")


def test_a_draft_names_its_awardees_legal_bases_and_what_the_principal_may_do(
    principal, draft, dossiers
):
    response = ApiClient(principal).get(url(draft))

    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["state"], body["number"], body["signer"]) == (
        "award", "draft", None, None,
    )  # fmt: skip
    assert [item["dossier"]["id"] for item in body["items"]] == [d.pk for d in dossiers]
    assert body["items"][0]["dossier"]["nominee"]["name"] == "Nguyễn Thị Hương"
    assert body["items"][0]["dossier"]["award_type"]["code"] == "advanced_worker"
    assert {basis["code"] for basis in body["legal_bases"]} == set(
        draft.citations.values_list("code", flat=True)
    )
    assert body["legal_bases"]
    assert body["actions"] == ["sign", "remove"]
    assert body["own_award"] is None


def test_the_secretary_may_change_a_draft_but_not_sign_it(secretary, draft):
    assert ApiClient(secretary).get(url(draft)).json()["actions"] == ["remove"]


def test_the_auditor_reads_a_draft_and_may_do_nothing_on_it(auditor, draft):
    assert ApiClient(auditor).get(url(draft)).json()["actions"] == []


def test_a_signed_decision_gives_its_number_signer_hash_and_verification_url(
    principal, signed, dossiers
):
    body = ApiClient(principal).get(url(signed)).json()

    assert body["state"] == "signed"
    assert body["reference"] == f"01/{signed.institution.decision_series}"
    assert (body["year"], body["number"]) == (signed.year, 1)
    assert body["signer"] == {"id": principal.pk, "name": principal.full_name}
    assert body["pdf_sha256"] == signed.pdf_sha256 and len(body["pdf_sha256"]) == 64
    assert body["chain_head"] == signed.chain_head
    assert body["verification_url"].endswith("/verify/")
    assert body["certificates"] == url(signed, "certificates/")
    assert {item["dossier"]["state"] for item in body["items"]} == {State.SIGNED}
    assert body["actions"] == ["revoke"]


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_takes_the_same_number_of_queries_for_2_or_20_decisions(
    principal, auditor, period, unit_a, count, django_assert_max_num_queries
):
    dossier = recommended(period, unit_a, names=["Đặng Thị Một"])[0]
    for n in range(1, count + 1):
        original = Decision.objects.create(
            institution=period.institution, award_type=dossier.award_type, subject=f"QĐ {n}",
            recitals="Căn cứ …;", created_by=principal, state=Decision.State.SIGNED,
            year=2026, number=n, series="QĐ-CĐTN", signed_on=datetime.date(2026, 5, 1),
            signer=principal, on_behalf_of=principal,
        )  # fmt: skip
        DecisionItem.objects.create(decision=original, dossier=dossier, position=1)
        Decision.objects.create(
            institution=period.institution, award_type=dossier.award_type, revokes=original,
            kind=Decision.Kind.REVOCATION, subject=f"Thu hồi {n}", recitals="Căn cứ …;",
            created_by=principal,
        )  # fmt: skip
    client = ApiClient(auditor)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2 * count


@pytest.mark.parametrize("count", [2, 8])
def test_a_decision_takes_the_same_number_of_queries_for_2_or_8_awardees(
    principal, secretary, period, unit_a, count, django_assert_max_num_queries
):
    names = [f"Người Nhận {n}" for n in range(count)]
    decision = prepare(secretary, recommended(period, unit_a, names=names))
    client = ApiClient(principal)

    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        response = client.get(url(decision))

    assert len(response.json()["items"]) == count
    assert response.json()["actions"] == ["sign", "remove"]


# --- Preparing ----------------------------------------------------------------------------------


def prepare_body(chosen, **changes) -> dict:
    return {"award_type": chosen[0].award_type_id, "dossiers": [d.pk for d in chosen],
            **changes}  # fmt: skip


def test_the_secretary_prepares_a_draft_from_an_award_and_its_recommended_dossiers(
    secretary, dossiers
):
    response = ApiClient(secretary).post(
        LIST, prepare_body(dossiers, subject="Về việc tặng danh hiệu LĐTT")
    )

    assert response.status_code == 201
    decision = Decision.objects.get()
    assert response["Location"] == url(decision)
    assert response.json()["id"] == decision.pk
    assert (decision.state, decision.number) == (Decision.State.DRAFT, None)
    assert decision.subject == "Về việc tặng danh hiệu LĐTT"
    assert decision.recitals == services.default_recitals(
        dossiers[0].award_type, secretary.institution
    )
    assert list(decision.items.values_list("dossier_id", flat=True)) == [d.pk for d in dossiers]
    event = AuditEvent.objects.get(action="decision.prepared")
    assert (event.object_id, event.actor_id) == (str(decision.pk), secretary.pk)


@pytest.mark.parametrize("who", ["auditor", "reviewer", "head_a"])
def test_only_the_secretary_and_the_principal_may_prepare(request, who, dossiers):
    response = ApiClient(request.getfixturevalue(who)).post(LIST, prepare_body(dossiers))

    problem(response, 403, "not-permitted")
    assert not Decision.objects.exists()


def test_preparing_without_any_dossier_is_refused_with_the_reason(secretary, dossiers):
    response = ApiClient(secretary, language="en").post(LIST, prepare_body(dossiers, dossiers=[]))

    body = problem(response, 422, "guard-failed")
    assert body["reasons"] == ["Choose at least one dossier."]
    assert body["reasons_vi"] and body["reasons_en"] == body["reasons"]
    assert not Decision.objects.exists()


def test_preparing_with_a_dossier_already_in_a_draft_is_malformed(secretary, draft, dossiers):
    body = problem(ApiClient(secretary).post(LIST, prepare_body(dossiers)), 400, "invalid-input")

    assert "dossiers" in body["errors"]
    assert Decision.objects.count() == 1


def test_preparing_with_a_dossier_the_council_did_not_recommend_is_malformed(
    secretary, period, unit_a, dossiers
):
    reviewed = dossier_in(State.REVIEWED, period, unit_a)

    response = ApiClient(secretary).post(LIST, prepare_body([reviewed]))

    assert "dossiers" in problem(response, 400, "invalid-input")["errors"]
    assert not Decision.objects.exists()


def test_preparing_a_decision_on_an_award_decided_upward_is_malformed(
    secretary, institution, dossiers
):
    upward = AwardType.objects.get(institution=institution, code="provincial_certificate_of_merit")

    response = ApiClient(secretary).post(LIST, prepare_body(dossiers, award_type=upward.pk))

    assert "award_type" in problem(response, 400, "invalid-input")["errors"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"award_type": "một", "dossiers": [1]},
        {"award_type": 1, "dossiers": "1,2"},
        {"award_type": 1, "dossiers": [2**63]},
        {"award_type": 2**64, "dossiers": [1]},
        {"award_type": 1, "dossiers": [0]},
        {"award_type": 1, "dossiers": [1], "subject": "x" * 301},
        {"award_type": None, "dossiers": None},
    ],
    ids=["empty", "text-id", "text-list", "huge-dossier", "huge-award", "zero", "long", "nulls"],
)
def test_malformed_input_to_prepare_is_refused_without_storing(secretary, dossiers, body):
    problem(ApiClient(secretary).post(LIST, body), 400, "invalid-input")
    assert not Decision.objects.exists()


def test_preparing_without_a_current_period_is_a_conflict(secretary, dossiers):
    Period.objects.update(is_current=False)

    problem(ApiClient(secretary).post(LIST, prepare_body(dossiers)), 409, "conflict")
    assert not Decision.objects.exists()


# --- The draft ----------------------------------------------------------------------------------


def test_the_pdf_of_a_draft_is_its_preview(auditor, draft):
    response = ApiClient(auditor).get(url(draft, "pdf/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert body_of(response).startswith(b"%PDF")


def test_the_secretary_takes_a_dossier_out_of_a_draft(secretary, draft, dossiers):
    response = ApiClient(secretary).post(url(draft, "remove/"), {"dossier": dossiers[0].pk})

    assert response.status_code == 200
    assert [item["dossier"]["id"] for item in response.json()["items"]] == [dossiers[1].pk]
    event = AuditEvent.objects.get(action="decision.item_removed")
    assert event.payload == {"dossier": dossiers[0].pk}


def test_taking_out_a_dossier_that_is_not_in_the_draft_is_refused_with_the_reason(
    secretary, draft, period, unit_a
):
    stranger = recommended(period, unit_a, names=["Vũ Thị Ngoài"])[0]

    response = ApiClient(secretary).post(url(draft, "remove/"), {"dossier": stranger.pk})

    problem(response, 422, "guard-failed")
    assert draft.items.count() == 2


def test_the_auditor_cannot_take_a_dossier_out_of_a_draft(auditor, draft, dossiers):
    response = ApiClient(auditor).post(url(draft, "remove/"), {"dossier": dossiers[0].pk})

    problem(response, 403, "not-permitted")
    assert draft.items.count() == 2


def test_a_dossier_cannot_be_taken_out_of_a_signed_decision(secretary, signed, dossiers):
    response = ApiClient(secretary).post(url(signed, "remove/"), {"dossier": dossiers[0].pk})

    problem(response, 409, "illegal-transition")
    assert signed.items.count() == 2


@pytest.mark.parametrize("body", [{}, {"dossier": "một"}, {"dossier": 2**63}, {"dossier": -1}])
def test_taking_out_needs_a_dossier_id(secretary, draft, body):
    problem(ApiClient(secretary).post(url(draft, "remove/"), body), 400, "invalid-input")
    assert draft.items.count() == 2


# --- Signing ------------------------------------------------------------------------------------


def test_the_principal_signs_a_draft_and_its_dossiers_are_signed(
    pkcs12_signing, principal, draft, dossiers, django_capture_on_commit_callbacks
):
    response = signed_via_api(principal, draft, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "signed"
    assert body["reference"] == f"01/{draft.institution.decision_series}"
    assert states(dossiers) == {State.SIGNED}
    event = AuditEvent.objects.get(action="decision.signed")
    assert (event.object_id, event.actor_id) == (str(draft.pk), principal.pk)


def test_the_signed_pdf_downloaded_is_the_file_issued_and_verify_pdf_finds_it_valid(
    pkcs12_signing, principal, auditor, draft, django_capture_on_commit_callbacks
):
    sha256 = signed_via_api(principal, draft, django_capture_on_commit_callbacks).json()[
        "pdf_sha256"
    ]

    response = ApiClient(auditor).get(url(draft, "pdf/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = body_of(response)
    verdict = verification.verify_pdf(data)
    assert verdict.valid
    assert verdict.sha256 == sha256
    assert verdict.decision.pk == draft.pk


def test_signing_a_signed_decision_again_is_a_conflict(pkcs12_signing, principal, signed):
    response = ApiClient(principal).post(url(signed, "sign/"))

    problem(response, 409, "illegal-transition")
    assert DecisionCounter.objects.get().last_number == 1


def test_the_secretary_sees_the_draft_but_may_not_sign_it(pkcs12_signing, secretary, draft):
    problem(ApiClient(secretary).post(url(draft, "sign/")), 403, "not-permitted")

    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.DRAFT, None)


def test_a_unit_head_signing_does_not_find_the_decision(pkcs12_signing, head_a, draft, dossiers):
    problem(ApiClient(head_a).post(url(draft, "sign/")), 404, "not-found")

    assert states(dossiers) == {State.RECOMMENDED}
    assert not DecisionCounter.objects.exists()


def test_signing_a_draft_that_names_no_dossier_is_refused_with_the_reason(
    pkcs12_signing, secretary, principal, draft, dossiers
):
    for dossier in dossiers:
        services.remove_from_draft(decision_id=draft.pk, dossier_id=dossier.pk, person=secretary)

    response = ApiClient(principal, language="en").post(url(draft, "sign/"))

    assert problem(response, 422, "guard-failed")["reasons"] == ["The decision names no dossier."]
    assert not DecisionCounter.objects.exists()


@pytest.mark.parametrize("value", ["có", 7, [True]])
def test_the_acknowledgement_must_be_a_boolean(pkcs12_signing, principal, draft, value):
    response = ApiClient(principal).post(url(draft, "sign/"), {"acknowledge_own_award": value})

    problem(response, 400, "invalid-input")
    draft.refresh_from_db()
    assert draft.state == Decision.State.DRAFT


def test_a_failed_signing_answers_502_and_changes_nothing(
    pkcs12_signing, settings, tmp_path, principal, draft, dossiers
):
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "no-such-certificate.p12")

    problem(ApiClient(principal).post(url(draft, "sign/")), 502, "signing-failed")

    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Decision.State.DRAFT, None)
    assert states(dossiers) == {State.RECOMMENDED}
    assert AuditEvent.objects.filter(action="decision.signing_failed").count() == 1


@pytest.fixture
def own_award(period, unit_b, principal, secretary) -> Decision:
    """A draft decision whose only awardee is the principal himself (a member of unit B)."""
    dossier = dossier_in(State.RECOMMENDED, period, unit_b, nominee=principal)
    return prepare(secretary, [dossier])


def test_the_draft_tells_a_principal_among_the_awardees_to_acknowledge_it(principal, own_award):
    body = ApiClient(principal, language="en").get(url(own_award)).json()

    assert body["own_award"]["blocks"] is False
    assert any("is the nominee" in reason for reason in body["own_award"]["reasons"])


def test_a_principal_among_the_awardees_signs_only_with_the_acknowledgement(
    pkcs12_signing, principal, own_award, django_capture_on_commit_callbacks
):
    refused = ApiClient(principal).post(url(own_award, "sign/"))
    signed = signed_via_api(
        principal, own_award, django_capture_on_commit_callbacks, acknowledge_own_award=True
    )

    problem(refused, 422, "guard-failed")
    assert signed.status_code == 200
    assert signed.json()["state"] == "signed"
    warning = AuditEvent.objects.get(action="separation.warning_recorded")
    assert warning.payload["acknowledged"] is True


# --- Revoking -----------------------------------------------------------------------------------


def test_the_secretary_prepares_a_revocation_and_the_principal_signs_it(
    pkcs12_signing, secretary, principal, signed, dossiers, django_capture_on_commit_callbacks
):
    response = ApiClient(secretary).post(
        url(signed, "revocations/"), {"dossiers": [dossiers[0].pk], "reason": REASON}
    )
    assert response.status_code == 201
    revocation = Decision.objects.get(kind=Decision.Kind.REVOCATION)
    assert response["Location"] == url(revocation)
    body = response.json()
    assert (body["kind"], body["state"], body["reason"]) == ("revocation", "draft", REASON)
    assert body["revokes"] == {"id": signed.pk, "reference": signed.reference, "state": "signed"}

    signing = signed_via_api(principal, revocation, django_capture_on_commit_callbacks)

    assert signing.status_code == 200
    assert Dossier.objects.get(pk=dossiers[0].pk).state == State.REVOKED
    assert Dossier.objects.get(pk=dossiers[1].pk).state == State.SIGNED


def test_a_revocation_without_a_reason_is_refused_with_the_reason(secretary, signed, dossiers):
    response = ApiClient(secretary, language="en").post(
        url(signed, "revocations/"), {"dossiers": [dossiers[0].pk], "reason": "  "}
    )

    body = problem(response, 422, "guard-failed")
    assert body["reasons"] == ["A reason is required for this action."]
    assert not Decision.objects.filter(kind=Decision.Kind.REVOCATION).exists()


def test_a_draft_decision_cannot_be_revoked(secretary, draft):
    response = ApiClient(secretary).post(
        url(draft, "revocations/"), {"dossiers": [], "reason": REASON}
    )

    problem(response, 409, "illegal-transition")
    assert not Decision.objects.filter(kind=Decision.Kind.REVOCATION).exists()


def test_revoking_a_dossier_that_is_not_an_awardee_is_malformed(secretary, signed, period, unit_a):
    stranger = recommended(period, unit_a, names=["Vũ Thị Ngoài"])[0]

    response = ApiClient(secretary).post(
        url(signed, "revocations/"), {"dossiers": [stranger.pk], "reason": REASON}
    )

    assert "dossiers" in problem(response, 400, "invalid-input")["errors"]


def test_the_auditor_cannot_prepare_a_revocation(auditor, signed, dossiers):
    response = ApiClient(auditor).post(
        url(signed, "revocations/"), {"dossiers": [dossiers[0].pk], "reason": REASON}
    )

    problem(response, 403, "not-permitted")
    assert not Decision.objects.filter(kind=Decision.Kind.REVOCATION).exists()


# --- Certificates and cover sheets ---------------------------------------------------------------


def test_the_certificates_of_a_signed_award_decision_are_a_pdf(auditor, signed):
    response = ApiClient(auditor).get(url(signed, "certificates/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body_of(response).startswith(b"%PDF")


def test_a_draft_has_no_certificates(auditor, draft):
    problem(ApiClient(auditor).get(url(draft, "certificates/")), 409, "illegal-transition")


def test_the_unit_head_gets_the_cover_sheet_of_a_dossier_of_the_unit(head_a, period, unit_a):
    dossier = dossier_in(State.DRAFT, period, unit_a)

    response = ApiClient(head_a).get(f"/api/v1/dossiers/{dossier.pk}/cover/")

    assert response.status_code == 200
    assert body_of(response).startswith(b"%PDF")


def test_another_units_head_does_not_find_the_cover_sheet(head_b, period, unit_a):
    dossier = dossier_in(State.DRAFT, period, unit_a)

    problem(ApiClient(head_b).get(f"/api/v1/dossiers/{dossier.pk}/cover/"), 404, "not-found")


# --- The public check ---------------------------------------------------------------------------


def check(data: bytes, name="quyet-dinh.pdf", **headers):
    """Anyone, without a token, hands a file to the check."""
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return ApiClient(None, language="en").upload(VERIFY, {"file": upload}, **headers)


def test_anyone_finds_the_issued_pdf_valid_and_learns_which_decision_it_is(
    signed, principal, institution
):
    response = check(Path(signed.pdf.path).read_bytes())

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["reasons"] == []
    assert body["sha256"] == signed.pdf_sha256
    assert body["decision"] == {
        "reference": signed.reference,
        "institution": institution.name,
        "signed_on": signed.signed_on.isoformat(),
        "signer": principal.full_name,
        "on_behalf_of": None,
        "chain_head": signed.chain_head,
    }
    assert body["certificate"]


def test_a_tampered_copy_is_not_valid(signed, pdf_tools):
    tampered = pdf_tools.flip_signed_byte(Path(signed.pdf.path).read_bytes())

    body = check(tampered).json()

    assert (body["valid"], body["signed"], body["intact"]) == (False, True, False)
    assert "The signature is broken: the content was changed after signing." in body["reasons"]


def test_a_pdf_not_issued_here_is_not_valid(db):
    from weasyprint import HTML

    body = check(HTML(string="<p>Quyết định giả</p>").write_pdf()).json()

    assert (body["valid"], body["is_pdf"], body["signed"], body["decision"]) == (
        False, True, False, None,
    )  # fmt: skip
    assert body["reasons"] == [
        "The PDF carries no signature.",
        "No decision with this exact file was issued here.",
    ]


@pytest.mark.parametrize("content", [b"Hello, this is not a PDF", b"\x00\xff" * 500])
def test_a_file_that_is_not_a_pdf_gets_a_verdict_saying_so(db, content):
    response = check(content, name="khong-phai-pdf.pdf")

    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["is_pdf"]) == (False, False)
    assert body["reasons"] == ["The file is not a readable PDF."]


def test_an_empty_file_is_malformed(db):
    assert "file" in problem(check(b""), 400, "invalid-input")["errors"]


def test_a_check_without_a_file_is_malformed(db):
    response = ApiClient(None).upload(VERIFY, {"note": "không có tệp"})

    assert "file" in problem(response, 400, "invalid-input")["errors"]


def test_a_request_larger_than_any_decision_is_refused(db):
    oversized = b"%PDF-1.7\n" + b"0" * (verification.MAX_VERIFY_BYTES + 100 * 1024)

    problem(check(oversized), 413, "payload-too-large")


def test_a_file_over_the_limit_in_a_small_request_is_refused(db, monkeypatch):
    monkeypatch.setattr(verification, "MAX_VERIFY_BYTES", 10)

    problem(check(b"%PDF-1.7\n" + b"0" * 20), 413, "payload-too-large")


def test_the_check_ignores_a_bad_token_and_stores_nothing(signed, media_files):
    before, decisions = media_files(), Decision.objects.count()

    response = check(Path(signed.pdf.path).read_bytes(), HTTP_AUTHORIZATION="Bearer tdkt_wrong")

    assert response.status_code == 200 and response.json()["valid"] is True
    assert media_files() == before
    assert Decision.objects.count() == decisions


def test_the_check_lists_the_awards_revoked_since_with_the_revoking_decision(
    signed, principal, secretary
):
    from decisions import services as decision_services

    dossier = signed.items.order_by("position").first().dossier
    revocation = sign_committed(
        decision_id=decision_services.prepare_revocation(
            person=secretary, decision_id=signed.pk, dossier_ids=[dossier.pk],
            reason="Hồ sơ kê khai thành tích không trung thực.",
        ).pk,
        person=principal,
    )  # fmt: skip

    body = check(Path(signed.pdf.path).read_bytes()).json()

    assert body["valid"] is True
    assert body["revoked"] == [{
        "awardee": str(dossier.nominee), "revoked_by": revocation.reference,
        "revoked_on": revocation.signed_on.isoformat(),
    }]  # fmt: skip
