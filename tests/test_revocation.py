"""Revoking an award (Luật TĐKT, Điều 93): a new, numbered revocation decision whose signing moves
its dossiers to `revoked`, while the original decision stays signed as a record."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from audit.models import AuditEvent
from decisions import services
from decisions.models import Decision
from dossiers import titles
from dossiers.models import Dossier, State, TitleRecord
from tests.factories import dossier_in, login, sign_committed
from tests.test_decision_pages import (  # the signing set-up is shared with the decision pages
    draft,
    page_text,
    recommended,
    signer_p12,  # noqa: F401  (a fixture `signing` needs)
    signing,  # noqa: F401
    states,
    vi,
)
from workflow.errors import GuardFailed, IllegalTransition, NotPermitted, SigningError

pytestmark = pytest.mark.usefixtures("signing")
REASON = "Hồ sơ kê khai thành tích không trung thực."


@pytest.fixture
def awarded(period, unit_a) -> list[Dossier]:
    return recommended(period, unit_a, names=("Nguyễn Thị Hương", "Trần Văn Bình"))


@pytest.fixture
def original(principal, secretary, awarded) -> Decision:
    """A signed award decision over Hương and Bình."""
    decision = draft(secretary, awarded)
    return sign_committed(decision_id=decision.pk, person=principal)


def revoke(person, original, dossiers, reason=REASON) -> Decision:
    return services.prepare_revocation(
        person=person, decision_id=original.pk, dossier_ids=[d.pk for d in dossiers],
        reason=reason,
    )  # fmt: skip


def revocations() -> int:
    return Decision.objects.filter(kind=Decision.Kind.REVOCATION).count()


# --- Preparing ----------------------------------------------------------------------------------


def test_preparing_a_revocation_creates_a_draft_revocation_of_the_chosen_dossiers(
    secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded[:1])

    assert (revocation.kind, revocation.state) == (Decision.Kind.REVOCATION, Decision.State.DRAFT)
    assert (revocation.revokes, revocation.reason) == (original, REASON)
    assert revocation.subject.startswith("Về việc thu hồi danh hiệu")
    assert list(revocation.items.values_list("dossier_id", flat=True)) == [awarded[0].pk]
    assert states(awarded) == {State.SIGNED}
    event = AuditEvent.objects.get(action="decision.revocation_prepared")
    assert (event.object_id, event.reason) == (str(revocation.pk), REASON)


def test_a_revocation_without_a_reason_is_refused(secretary, original, awarded):
    with pytest.raises(GuardFailed) as refused:
        revoke(secretary, original, awarded, reason="   ")

    assert refused.value.reasons_en == ["A reason is required for this action."]
    assert revocations() == 0
    assert not AuditEvent.objects.filter(action="decision.revocation_prepared").exists()


def test_revoking_a_dossier_that_is_not_in_that_decision_is_refused(
    principal, secretary, original, period, unit_a
):
    elsewhere = recommended(period, unit_a, names=["Lê Văn Khác"])
    services.sign_decision(decision_id=draft(secretary, elsewhere).pk, person=principal)

    with pytest.raises(GuardFailed) as refused:
        revoke(secretary, original, elsewhere)

    assert refused.value.reasons_en == [f"Dossier {elsewhere[0].pk} is not in this decision."]
    assert revocations() == 0


def test_a_dossier_already_revoked_cannot_be_revoked_again(principal, secretary, original, awarded):
    first = revoke(secretary, original, awarded[:1])
    services.sign_decision(decision_id=first.pk, person=principal)

    with pytest.raises(GuardFailed) as refused:
        revoke(secretary, original, awarded[:1])

    assert refused.value.reasons_en == [f"Dossier {awarded[0].pk} is no longer signed."]
    assert revocations() == 1


def test_a_dossier_in_a_pending_revocation_cannot_be_put_in_a_second_one(
    secretary, original, awarded
):
    revoke(secretary, original, awarded[:1])

    with pytest.raises(GuardFailed) as refused:
        revoke(secretary, original, awarded)

    assert refused.value.reasons_en == [
        f"Dossier {awarded[0].pk} is already in another draft decision."
    ]
    assert revocations() == 1


def test_a_draft_decision_cannot_be_revoked(secretary, period, unit_a):
    dossiers = recommended(period, unit_a, names=["Hà Thị Nháp"])
    pending = draft(secretary, dossiers)

    with pytest.raises(IllegalTransition):
        revoke(secretary, pending, dossiers)

    assert revocations() == 0


def test_a_revocation_decision_cannot_itself_be_revoked(principal, secretary, original, awarded):
    revocation = revoke(secretary, original, awarded[:1])
    services.sign_decision(decision_id=revocation.pk, person=principal)

    with pytest.raises(IllegalTransition):
        revoke(secretary, revocation, awarded[:1])


@pytest.mark.parametrize("who", ["head_a", "auditor", "reviewer"])
def test_only_the_secretary_and_the_principal_may_prepare_a_revocation(
    request, who, original, awarded
):
    with pytest.raises(NotPermitted):
        revoke(request.getfixturevalue(who), original, awarded)

    assert revocations() == 0


# --- Signing ------------------------------------------------------------------------------------


def test_signing_a_revocation_revokes_its_dossiers_and_no_other(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded[:1])

    services.sign_decision(decision_id=revocation.pk, person=principal)

    assert states(awarded[:1]) == {State.REVOKED}
    assert states(awarded[1:]) == {State.SIGNED}


def test_a_signed_revocation_takes_the_next_number_of_the_year(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded[:1])

    signed = sign_committed(decision_id=revocation.pk, person=principal)

    assert (original.number, signed.number) == (1, 2)
    assert (signed.year, signed.series) == (original.year, original.series)


def test_the_original_decision_stays_signed_after_a_revocation(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded)

    services.sign_decision(decision_id=revocation.pk, person=principal)

    kept = Decision.objects.get(pk=original.pk)
    assert (kept.state, kept.number, kept.pdf_sha256) == (
        Decision.State.SIGNED, original.number, original.pdf_sha256,
    )  # fmt: skip
    assert kept.items.count() == 2


def test_signing_a_revocation_keeps_the_title_record_marked_revoked(
    principal, secretary, original, awarded
):
    huong, binh = (d.nominee_person for d in awarded)
    revocation = revoke(secretary, original, awarded[:1])

    services.sign_decision(decision_id=revocation.pk, person=principal)

    revoked = TitleRecord.objects.get(person=huong)
    revocation.refresh_from_db()
    assert revoked.revoked_at is not None
    assert (revoked.decision_reference, revoked.revoked_by_reference) == (
        original.citation, revocation.citation,
    )  # fmt: skip
    kept = TitleRecord.objects.get(person=binh)
    assert (kept.revoked_at, kept.decision_reference) == (None, original.citation)


def test_the_title_history_cites_each_decision_with_its_year(original, awarded):
    from documents.rendering import nd30_date

    record = TitleRecord.objects.get(person=awarded[0].nominee_person)

    assert record.decision_reference == f"{original.reference} {nd30_date(original.signed_on)}"
    assert str(original.signed_on.year) in record.decision_reference


def test_the_revoked_title_record_is_audited_with_its_diff(principal, secretary, original, awarded):
    revocation = revoke(secretary, original, awarded[:1])

    services.sign_decision(decision_id=revocation.pk, person=principal)

    record = TitleRecord.objects.get(person=awarded[0].nominee_person)
    event = AuditEvent.objects.get(action="record.changed", object_type="title_record")
    revocation.refresh_from_db()
    assert (event.object_id, event.actor_id) == (str(record.pk), principal.pk)
    assert event.payload["changes"]["revoked_by_reference"] == [None, revocation.citation]
    assert event.payload["changes"]["revoked_at"][0] is None


def test_a_revocation_that_fails_after_moving_its_dossiers_leaves_the_title_in_force(
    principal, secretary, original, awarded, monkeypatch
):
    revocation = revoke(secretary, original, awarded[:1])
    monkeypatch.setattr(services.checkpoints, "sign_checkpoint", _unplugged_token)

    with pytest.raises(SigningError):
        services.sign_decision(decision_id=revocation.pk, person=principal)

    assert TitleRecord.objects.get(person=awarded[0].nominee_person).revoked_at is None
    assert not AuditEvent.objects.filter(action="record.changed").exists()


def _unplugged_token(**kwargs):
    raise RuntimeError("the token was unplugged")


def test_each_revoked_dossier_records_the_reason_in_the_audit_trail(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded)

    services.sign_decision(decision_id=revocation.pk, person=principal)

    events = AuditEvent.objects.filter(action="dossier.revoked")
    assert sorted(int(e.object_id) for e in events) == sorted(d.pk for d in awarded)
    assert {e.reason for e in events} == {REASON}


def test_the_signed_revocation_names_the_original_decision_and_the_reason(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded[:1])

    signed = sign_committed(decision_id=revocation.pk, person=principal)

    with signed.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert f"Quyết định số {original.reference}" in text
    assert REASON in text
    assert "Nguyễn Thị Hương" in text and "Trần Văn Bình" not in text


def test_a_recommended_dossier_never_signed_cannot_be_revoked(
    principal, secretary, original, period, unit_a
):
    waiting = dossier_in(State.RECOMMENDED, period, unit_a)

    with pytest.raises(GuardFailed):
        revoke(secretary, original, [waiting])

    assert states([waiting]) == {State.RECOMMENDED}


# --- The page -----------------------------------------------------------------------------------


def test_the_principal_sees_the_revocation_form_on_a_signed_decision(principal, original):
    page = page_text(login(principal).get(reverse("decision_detail", args=[original.pk])))

    assert reverse("decision_revoke", args=[original.pk]) in page


def test_the_auditor_sees_no_revocation_form_and_cannot_post_one(auditor, original, awarded):
    client = login(auditor)

    page = page_text(client.get(reverse("decision_detail", args=[original.pk])))
    response = client.post(
        reverse("decision_revoke", args=[original.pk]),
        {"dossiers": [awarded[0].pk], "reason": REASON},
    )

    assert reverse("decision_revoke", args=[original.pk]) not in page
    assert response.status_code == 403
    assert revocations() == 0


def test_the_principal_prepares_and_signs_a_revocation_from_the_pages(principal, original, awarded):
    client = login(principal)

    prepared = client.post(
        reverse("decision_revoke", args=[original.pk]),
        {"dossiers": [awarded[0].pk], "reason": REASON},
    )
    revocation = Decision.objects.get(kind=Decision.Kind.REVOCATION)
    signed = client.post(reverse("decision_sign", args=[revocation.pk]))

    assert prepared.status_code == 302
    assert prepared.url == reverse("decision_detail", args=[revocation.pk])
    assert signed.status_code == 302
    assert states(awarded[:1]) == {State.REVOKED}
    assert Decision.objects.get(pk=original.pk).state == Decision.State.SIGNED


def test_the_revocation_page_links_to_the_decision_it_revokes_and_gives_the_reason(
    principal, secretary, original, awarded
):
    revocation = revoke(secretary, original, awarded[:1])

    page = page_text(login(principal).get(reverse("decision_detail", args=[revocation.pk])))

    assert reverse("decision_detail", args=[original.pk]) in page
    assert original.reference in page
    assert escape(REASON) in page


def test_the_revocation_form_without_a_reason_says_why_and_stores_nothing(
    principal, original, awarded
):
    response = login(principal).post(
        reverse("decision_revoke", args=[original.pk]), {"dossiers": [awarded[0].pk], "reason": ""}
    )

    assert response.status_code == 422  # a guard's refusal, shown on the form
    assert escape(vi("A reason is required for this action.")) in page_text(response)
    assert revocations() == 0


def test_the_revocation_form_refuses_a_dossier_not_in_that_decision(
    principal, original, period, unit_a
):
    stranger = dossier_in(State.SIGNED, period, unit_a)

    response = login(principal).post(
        reverse("decision_revoke", args=[original.pk]),
        {"dossiers": [stranger.pk], "reason": REASON},
    )

    assert response.status_code == 400  # not a choice the form offered
    assert response.context["revocation_form"].errors["dossiers"]
    assert revocations() == 0


def test_a_dossier_suspended_while_in_a_draft_decision_leaves_the_draft(
    period, unit_a, secretary, reviewer
):
    from decisions import services as decisions
    from dossiers.models import State as S
    from workflow import services as lifecycle

    dossier = dossier_in(S.RECOMMENDED, period, unit_a)
    draft = decisions.prepare_decision(
        person=secretary, award_type=dossier.award_type, dossier_ids=[dossier.pk]
    )
    lifecycle.transition(
        dossier_id=dossier.pk, action="suspend", person=reviewer,
        expected_version=dossier.version, reason="Đơn tố cáo đang được xác minh",
    )  # fmt: skip
    assert not draft.items.exists()


def test_a_revoked_title_leaves_room_for_a_new_grant_of_the_same_year(
    principal, secretary, original, awarded
):
    services.sign_decision(
        decision_id=revoke(secretary, original, awarded[:1]).pk, person=principal
    )
    revoked = TitleRecord.objects.get(person=awarded[0].nominee_person)

    titles.grant(awarded[0], reference="07/QĐ-CĐNGT")

    held = TitleRecord.objects.filter(person=awarded[0].nominee_person)
    assert sorted(held.values_list("decision_reference", "revoked_by_reference")) == sorted(
        [(original.citation, revoked.revoked_by_reference), ("07/QĐ-CĐNGT", "")]
    )


def test_the_database_refuses_two_titles_in_force_for_one_holder_and_year(original, awarded):
    record = TitleRecord.objects.get(person=awarded[0].nominee_person)
    record.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_the_revocation_cites_the_original_decision_in_the_decrees_date_style(
    principal, secretary, original, awarded
):
    from documents.rendering import nd30_date

    revocation = sign_committed(
        decision_id=revoke(secretary, original, awarded[:1]).pk, person=principal
    )
    with revocation.pdf.open("rb") as stored:
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(stored.read())).pages
        )

    original.refresh_from_db()
    assert f"Quyết định số {original.reference} {nd30_date(original.signed_on)}" in text
    assert "nộp lại giấy khen, giấy chứng nhận và tiền thưởng đã nhận" in text
