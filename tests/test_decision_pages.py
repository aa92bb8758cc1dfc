"""The decision pages: who may list, prepare, preview, sign and change a decision, and that the
pages reach the decision services and report their refusals without changing anything."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from pypdf import PdfReader

from audit.models import AuditEvent
from decisions import credentials, services
from decisions.models import Decision, DecisionCounter, DecisionItem
from dossiers.demo_certificate import create_demo_certificate
from dossiers.models import Delegation, Dossier, Period, Role, State
from tests.conftest import make_person, make_unit
from tests.factories import dossier_in, dossiers_in, login, own_certificate

# Queries of one page, whatever the number of decisions or awardees (measured, then fixed).
LIST_QUERY_BOUND = 8
DETAIL_QUERY_BOUND = 9


def vi(text: str) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text))


def page_text(response) -> str:
    return response.content.decode()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="session")
def signer_p12(tmp_path_factory) -> Path:
    """The demo certificate the principal signs with in these tests (no passphrase)."""
    path = tmp_path_factory.mktemp("signer") / "signer.p12"
    create_demo_certificate(path, passphrase="", common_name="Hiệu trưởng thử")
    return path


@pytest.fixture
def signing(settings, tmp_path, signer_p12, principal):
    """The demo PKCS#12 file as the system key, the principal's own certificate registered,
    and the signed files in a fresh folder."""
    settings.MEDIA_ROOT = tmp_path
    settings.DECISION_SIGNER = "pkcs12"
    settings.SIGNING_PKCS12_PATH = str(signer_p12)
    settings.SIGNING_PKCS12_PASSPHRASE = ""
    own_certificate(principal)
    return settings


@pytest.fixture
def vice_principal(institution, unit_b):
    """A vice principal with a signing certificate of his own."""
    vice = make_person(
        institution, unit_b, roles=[Role.VICE_PRINCIPAL], username="vice", full_name="Phạm Văn Phó"
    )
    own_certificate(vice)
    return vice


def lend_signature(principal, vice_principal) -> Delegation:
    today = timezone.localdate()
    return Delegation.objects.create(
        institution=principal.institution, delegator=principal, delegate=vice_principal,
        role=Role.PRINCIPAL, starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=7), reason="Hiệu trưởng đi công tác",
    )  # fmt: skip


def recommended(period, unit, names=("Nguyễn Thị Hương", "Trần Văn Bình")) -> list[Dossier]:
    """Advanced-worker dossiers the council recommended at one meeting (decided by the
    principal, no notice)."""
    institution = period.institution
    nominees = [make_person(institution, unit, full_name=name) for name in names]
    return dossiers_in(State.RECOMMENDED, period, unit, nominees=nominees)


def draft(person, dossiers) -> Decision:
    return services.prepare_decision(
        person=person, award_type=dossiers[0].award_type, dossier_ids=[d.pk for d in dossiers]
    )


def states(dossiers) -> set[str]:
    return set(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("state", flat=True)
    )


@pytest.fixture
def dossiers(period, unit_a):
    return recommended(period, unit_a)


@pytest.fixture
def decision(secretary, dossiers):
    return draft(secretary, dossiers)


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head_a", "staff_a"])
def test_unit_heads_and_staff_cannot_open_the_decision_list(request, who):
    response = login(request.getfixturevalue(who)).get(reverse("decision_list"))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["head_a", "staff_a"])
def test_unit_heads_and_staff_cannot_open_a_decision(request, who, decision):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("decision_detail", args=[decision.pk])).status_code == 404
    assert client.get(reverse("decision_preview", args=[decision.pk])).status_code == 404


@pytest.mark.parametrize("who", ["head_a", "staff_a", "auditor", "reviewer"])
def test_only_the_secretary_and_the_principal_may_open_the_prepare_page(request, who, period):
    response = login(request.getfixturevalue(who)).get(reverse("decision_new"))

    assert response.status_code == 403


def test_a_principal_of_another_institution_cannot_open_a_decision(other_institution, decision):
    stranger = make_person(
        other_institution, make_unit(other_institution, "khoa-x", "Khoa X"), roles=[Role.PRINCIPAL]
    )

    response = login(stranger).get(reverse("decision_detail", args=[decision.pk]))

    assert response.status_code == 404


def test_the_auditor_reads_the_list_and_the_decision_without_any_form(auditor, decision):
    client = login(auditor)

    listing = client.get(reverse("decision_list"))
    detail = client.get(reverse("decision_detail", args=[decision.pk]))

    assert listing.status_code == detail.status_code == 200
    assert reverse("decision_detail", args=[decision.pk]) in page_text(listing)
    assert reverse("decision_new") not in page_text(listing)
    assert reverse("decision_sign", args=[decision.pk]) not in page_text(detail)
    assert reverse("decision_remove_item", args=[decision.pk]) not in page_text(detail)


def test_the_auditor_cannot_sign_a_decision(auditor, decision, dossiers, signing):
    response = login(auditor).post(reverse("decision_sign", args=[decision.pk]))

    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.state == Decision.State.DRAFT
    assert states(dossiers) == {State.RECOMMENDED}


def test_the_auditor_cannot_prepare_a_decision(auditor, dossiers):
    award = dossiers[0].award_type

    response = login(auditor).post(
        f"{reverse('decision_new')}?award={award.pk}", {"dossiers": [d.pk for d in dossiers]}
    )

    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_auditor_cannot_remove_a_dossier_from_a_draft(auditor, decision, dossiers):
    response = login(auditor).post(
        reverse("decision_remove_item", args=[decision.pk]), {"dossier": dossiers[0].pk}
    )

    assert response.status_code == 403
    assert decision.items.count() == 2


def test_the_navigation_links_to_the_decisions(auditor):
    response = login(auditor).get(reverse("home"))

    assert reverse("decision_list") in page_text(response)


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_the_newest_decision_first_with_its_number_of_awardees(
    secretary, period, unit_a
):
    older = draft(secretary, recommended(period, unit_a, names=["Lê Thị Cũ"]))
    newer = draft(secretary, recommended(period, unit_a, names=["Hồ Văn Mới", "Đỗ Thị Hai"]))

    response = login(secretary).get(reverse("decision_list"))

    rows = list(response.context["page"].object_list)
    assert [d.pk for d in rows] == [newer.pk, older.pk]
    assert [d.awardees for d in rows] == [2, 1]


# --- Preparing ----------------------------------------------------------------------------------


def test_the_prepare_page_offers_only_recommended_dossiers_of_the_award_and_period_not_in_a_draft(
    secretary, institution, period, unit_a
):
    waiting = recommended(period, unit_a, names=["Nguyễn Thị Chờ"])[0]
    in_draft = recommended(period, unit_a, names=["Trần Văn Đã Có"])
    draft(secretary, in_draft)
    reviewed = dossier_in(State.REVIEWED, period, unit_a)
    last_year = Period.objects.create(
        institution=institution, name="Năm 2025", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    old = dossier_in(State.RECOMMENDED, last_year, unit_a)

    response = login(secretary).get(reverse("decision_new"), {"award": waiting.award_type_id})

    offered = {d.pk for d in response.context["form"].fields["dossiers"].queryset}
    assert offered == {waiting.pk}
    assert not offered & {in_draft[0].pk, reviewed.pk, old.pk}


def test_the_prepare_page_prefills_the_subject_and_the_recitals(secretary, dossiers, institution):
    award = dossiers[0].award_type

    response = login(secretary).get(reverse("decision_new"), {"award": award.pk})

    form = response.context["form"]
    assert form["subject"].value() == f"Về việc tặng danh hiệu “{award.name_vi}”"
    assert form["recitals"].value() == services.default_recitals(award, institution)


def test_the_secretary_prepares_a_draft_decision(secretary, dossiers):
    award = dossiers[0].award_type

    response = login(secretary).post(
        f"{reverse('decision_new')}?award={award.pk}",
        {"dossiers": [d.pk for d in dossiers], "subject": "Về việc tặng danh hiệu LĐTT",
         "recitals": "Căn cứ Luật Thi đua, khen thưởng;"},
    )  # fmt: skip

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("decision_detail", args=[decision.pk])
    assert decision.state == Decision.State.DRAFT
    assert decision.number is None
    assert decision.subject == "Về việc tặng danh hiệu LĐTT"
    assert list(decision.items.values_list("dossier_id", flat=True)) == [d.pk for d in dossiers]
    assert AuditEvent.objects.filter(action="decision.prepared", object_id=decision.pk).exists()


def test_preparing_without_choosing_a_dossier_stores_nothing_and_says_why(secretary, dossiers):
    award = dossiers[0].award_type

    response = login(secretary).post(f"{reverse('decision_new')}?award={award.pk}", {})

    assert response.status_code == 422  # refused by a guard
    assert escape(vi("Choose at least one dossier.")) in page_text(response)
    assert not Decision.objects.exists()
    assert not AuditEvent.objects.filter(action="decision.prepared").exists()


def test_preparing_with_a_dossier_that_is_not_offered_stores_nothing(secretary, dossiers, period):
    reviewed = dossier_in(State.REVIEWED, period, dossiers[0].unit)

    response = login(secretary).post(
        f"{reverse('decision_new')}?award={reviewed.award_type_id}", {"dossiers": [reviewed.pk]}
    )

    assert response.status_code == 400  # an invalid form
    assert response.context["form"].errors["dossiers"]
    assert not Decision.objects.exists()


# --- The draft ----------------------------------------------------------------------------------


def test_the_preview_is_an_inline_pdf_of_the_draft_without_a_number(secretary, decision):
    response = login(secretary).get(reverse("decision_preview", args=[decision.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    assert "DỰ THẢO" in text
    assert "Nguyễn Thị Hương" in text
    assert "Số: " in text and "Số: 01" not in text


def test_the_preview_of_an_unchanged_draft_is_rendered_only_once(secretary, decision, monkeypatch):
    from weasyprint import HTML

    cache.clear()  # an identical draft of an earlier test may be cached already
    renders = []
    write_pdf = HTML.write_pdf
    monkeypatch.setattr(HTML, "write_pdf", lambda self, *a, **k: renders.append(1)
                        or write_pdf(self, *a, **k))  # fmt: skip
    client = login(secretary)

    first = client.get(reverse("decision_preview", args=[decision.pk]))
    second = client.get(reverse("decision_preview", args=[decision.pk]))

    assert first.content == second.content
    assert len(renders) == 1


def test_the_secretary_removes_a_dossier_from_a_draft(secretary, decision, dossiers):
    response = login(secretary).post(
        reverse("decision_remove_item", args=[decision.pk]), {"dossier": dossiers[0].pk}
    )

    assert response.status_code == 302
    assert list(decision.items.values_list("dossier_id", flat=True)) == [dossiers[1].pk]
    event = AuditEvent.objects.get(action="decision.item_removed")
    assert (event.object_id, event.payload) == (str(decision.pk), {"dossier": dossiers[0].pk})


def test_a_removed_dossier_is_offered_again_for_a_new_decision(secretary, decision, dossiers):
    services.remove_from_draft(decision_id=decision.pk, dossier_id=dossiers[0].pk, person=secretary)

    response = login(secretary).get(reverse("decision_new"), {"award": dossiers[0].award_type_id})

    assert {d.pk for d in response.context["form"].fields["dossiers"].queryset} == {dossiers[0].pk}


def test_removing_a_dossier_that_is_not_in_the_draft_is_refused(
    secretary, decision, period, unit_a
):
    stranger = recommended(period, unit_a, names=["Vũ Thị Ngoài"])[0]

    response = login(secretary).post(
        reverse("decision_remove_item", args=[decision.pk]), {"dossier": stranger.pk}, follow=True
    )

    assert escape(str(vi("The conditions for this action are not met."))) in page_text(response)
    assert decision.items.count() == 2
    assert not AuditEvent.objects.filter(action="decision.item_removed").exists()


def test_a_dossier_cannot_be_removed_from_a_signed_decision(
    principal, secretary, decision, dossiers, signing
):
    services.sign_decision(decision_id=decision.pk, person=principal)

    login(secretary).post(
        reverse("decision_remove_item", args=[decision.pk]), {"dossier": dossiers[0].pk}
    )

    assert decision.items.count() == 2
    assert not AuditEvent.objects.filter(action="decision.item_removed").exists()


# --- Signing ------------------------------------------------------------------------------------


def test_the_principal_signs_a_draft_decision(
    principal, decision, dossiers, signing, django_capture_on_commit_callbacks
):
    client = login(principal)

    with django_capture_on_commit_callbacks(execute=True):  # the PDF gets its name on commit
        response = client.post(reverse("decision_sign", args=[decision.pk]))

    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == Decision.State.SIGNED
    assert decision.reference == f"01/{decision.institution.decision_series}"
    assert (decision.signer, decision.on_behalf_of) == (principal, None)
    assert states(dossiers) == {State.SIGNED}
    download = client.get(reverse("decision_pdf", args=[decision.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_signed_decision_page_shows_the_number_hash_chain_head_and_verification_link(
    principal, decision, signing
):
    services.sign_decision(decision_id=decision.pk, person=principal)
    decision.refresh_from_db()

    page = page_text(login(principal).get(reverse("decision_detail", args=[decision.pk])))

    assert decision.reference in page
    assert decision.pdf_sha256 in page
    assert decision.chain_head in page
    assert reverse("decision_pdf", args=[decision.pk]) in page
    assert reverse("verify_decision") in page
    assert reverse("decision_sign", args=[decision.pk]) not in page


def test_the_principal_sees_the_sign_form_with_his_own_certificate_on_a_draft(
    principal, decision, signing
):
    page = page_text(login(principal).get(reverse("decision_detail", args=[decision.pk])))

    assert reverse("decision_sign", args=[decision.pk]) in page
    assert reverse("decision_preview", args=[decision.pk]) in page
    assert principal.full_name in page  # the certificate offered is issued to him
    assert 'type="password"' in page


def test_a_principal_without_a_certificate_of_his_own_is_told_to_register_one(principal, decision):
    page = page_text(login(principal).get(reverse("decision_detail", args=[decision.pk])))

    assert reverse("decision_sign", args=[decision.pk]) not in page
    assert "signing_credential add" in page


def test_a_unit_head_cannot_sign_a_decision(head_a, decision, dossiers, signing):
    response = login(head_a).post(reverse("decision_sign", args=[decision.pk]))

    assert response.status_code == 404
    decision.refresh_from_db()
    assert (decision.state, decision.number) == (Decision.State.DRAFT, None)
    assert states(dossiers) == {State.RECOMMENDED}
    assert not DecisionCounter.objects.exists()


def test_the_secretary_cannot_sign_a_decision(secretary, decision, dossiers, signing):
    response = login(secretary).post(reverse("decision_sign", args=[decision.pk]))

    assert response.status_code == 403
    assert states(dossiers) == {State.RECOMMENDED}


def test_signing_with_a_missing_certificate_changes_nothing_but_records_the_failure(
    principal, decision, dossiers, signing, tmp_path
):
    credentials.active(principal).update(pkcs12_path=str(tmp_path / "no-such.p12"))
    before = set(Path(signing.MEDIA_ROOT).rglob("*"))

    response = login(principal).post(reverse("decision_sign", args=[decision.pk]), follow=True)

    assert escape(vi("The decision could not be signed; nothing was changed.")) in page_text(
        response
    )
    decision.refresh_from_db()
    assert (decision.state, decision.number, decision.pdf.name) == (Decision.State.DRAFT, None, "")
    assert not DecisionCounter.objects.exists()
    assert states(dossiers) == {State.RECOMMENDED}
    assert set(Path(signing.MEDIA_ROOT).rglob("*")) == before
    assert AuditEvent.objects.filter(action="decision.signing_failed").count() == 1
    assert not AuditEvent.objects.filter(action__in=["decision.signed", "dossier.signed"]).exists()


def test_after_a_failed_signing_the_decision_still_gets_the_first_number(
    principal, decision, signing, signer_p12
):
    client = login(principal)
    working = credentials.active(principal).get().pkcs12_path
    credentials.active(principal).update(pkcs12_path="/nonexistent/signer.p12")
    client.post(reverse("decision_sign", args=[decision.pk]))
    credentials.active(principal).update(pkcs12_path=working)

    client.post(reverse("decision_sign", args=[decision.pk]))

    decision.refresh_from_db()
    assert (decision.state, decision.number) == (Decision.State.SIGNED, 1)


def test_the_delegate_of_the_principal_signs_on_the_principals_behalf(
    principal, vice_principal, decision, dossiers, signing
):
    lend_signature(principal, vice_principal)

    response = login(vice_principal).post(reverse("decision_sign", args=[decision.pk]))

    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.state == Decision.State.SIGNED
    assert (decision.signer, decision.on_behalf_of) == (vice_principal, principal)
    assert states(dossiers) == {State.SIGNED}


def test_the_page_of_a_decision_signed_by_a_delegate_says_kt_and_on_whose_behalf(
    principal, vice_principal, decision, signing
):
    lend_signature(principal, vice_principal)
    services.sign_decision(decision_id=decision.pk, person=vice_principal)

    page = page_text(login(principal).get(reverse("decision_detail", args=[decision.pk])))

    assert "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG" in page
    assert vice_principal.full_name in page
    assert principal.full_name in page


def test_a_vice_principal_without_a_delegation_cannot_sign(vice_principal, decision, dossiers):
    client = login(vice_principal)

    page = page_text(client.get(reverse("decision_detail", args=[decision.pk])))
    response = client.post(reverse("decision_sign", args=[decision.pk]))

    assert reverse("decision_sign", args=[decision.pk]) not in page
    assert response.status_code == 403
    assert states(dossiers) == {State.RECOMMENDED}


# --- The dossier page ---------------------------------------------------------------------------


def test_the_dossier_page_links_to_the_decisions_that_include_it(secretary, decision, dossiers):
    response = login(secretary).get(reverse("dossier_detail", args=[dossiers[0].pk]))

    assert reverse("decision_detail", args=[decision.pk]) in page_text(response)


# --- Query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_the_decision_list_takes_the_same_number_of_queries_for_2_or_20_decisions(
    principal, auditor, period, unit_a, count, django_assert_max_num_queries
):
    dossier = recommended(period, unit_a, names=["Đặng Thị Một"])[0]
    for n in range(1, count + 1):
        signed = Decision.objects.create(
            institution=period.institution, award_type=dossier.award_type, subject=f"QĐ {n}",
            recitals="Căn cứ …;", created_by=principal, state=Decision.State.SIGNED,
            year=2026, number=n, series="QĐ-CĐTN", signed_on=datetime.date(2026, 5, 1),
            signer=principal, on_behalf_of=principal,
        )  # fmt: skip
        DecisionItem.objects.create(decision=signed, dossier=dossier, position=1)
        Decision.objects.create(
            institution=period.institution, award_type=dossier.award_type, revokes=signed,
            kind=Decision.Kind.REVOCATION, subject=f"Thu hồi {n}", recitals="Căn cứ …;",
            created_by=principal,
        )  # fmt: skip
    client = login(auditor)

    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = client.get(reverse("decision_list"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(2 * count, 25)


@pytest.mark.parametrize("count", [2, 20])
def test_the_decision_page_takes_the_same_number_of_queries_for_2_or_20_awardees(
    principal, secretary, period, unit_a, count, django_assert_max_num_queries, signing
):
    names = [f"Người Nhận {n}" for n in range(count)]
    decision = draft(secretary, recommended(period, unit_a, names=names))
    services.sign_decision(decision_id=decision.pk, person=principal)
    client = login(principal)

    with django_assert_max_num_queries(DETAIL_QUERY_BOUND):
        response = client.get(reverse("decision_detail", args=[decision.pk]))

    assert response.status_code == 200
    assert len(response.context["items"]) == count
    assert response.context["revocation_form"] is not None
