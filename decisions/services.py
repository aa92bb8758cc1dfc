"""Preparing and signing decisions. Dossiers move only through workflow.services.transition."""

from __future__ import annotations

import hashlib
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import log
from decisions import checkpoints, credentials, files, two_step
from decisions.models import (
    CitedLegalBasis,
    Decision,
    DecisionCounter,
    DecisionItem,
    PreparedSigning,
)
from decisions.rendering import decision_context
from decisions.signing import SigningFailed, sign_pdf
from documents.rendering import render_pdf
from dossiers import titles
from dossiers.models import AwardType, Dossier, LegalBasis, Person, State
from dossiers.reasons import Reason
from workflow import notifications, permissions, separation
from workflow import services as lifecycle
from workflow.errors import (
    DecisionNotFound,
    DomainError,
    GuardFailed,
    IllegalTransition,
    SeparationRefused,
    SigningError,
)

logger = logging.getLogger(__name__)
SIGNABLE = (State.RECOMMENDED, State.PUBLIC_NOTICE)


def default_recitals(award: AwardType, institution) -> str:
    """The institution's own authority, then a 'Căn cứ …' line per legal basis of the award in
    force (in the decree's wording, from the texts' data), then the proposal line."""
    today = timezone.localdate()
    lines = [institution.authority_recital.strip()] if institution.authority_recital.strip() else []
    lines += [
        basis.recital
        for basis in award.legal_bases.filter(archived_at__isnull=True).order_by("valid_from")
        if basis.in_force_on(today)
    ]
    lines.append(f"Theo đề nghị của Hội đồng Thi đua - Khen thưởng {institution.name}.")
    return "\n".join(lines)


def default_subject(award: AwardType) -> str:
    """'Về việc tặng danh hiệu “Lao động tiên tiến”', or 'Về việc tặng Giấy khen …' for a form
    of award."""
    return f"Về việc tặng {award.as_given}"


def prepare_decision(
    *, person: Person, award_type: AwardType, dossier_ids: list[int], subject: str = "",
    recitals: str = "", client_address: str = "",
) -> Decision:  # fmt: skip
    """A draft decision over recommended dossiers of one award type."""
    acting = permissions.require(person, "decision.prepare")
    with transaction.atomic():
        dossiers = list(
            Dossier.objects.select_for_update(of=("self",)).filter(
                pk__in=dossier_ids, institution_id=person.institution_id
            )
        )
        problems = _unsignable(dossiers, dossier_ids, award_type)
        if problems:
            raise GuardFailed(problems)
        decision = Decision.objects.create(
            institution_id=person.institution_id,
            award_type=award_type,
            subject=subject or default_subject(award_type),
            recitals=recitals or default_recitals(award_type, person.institution),
            created_by=person,
        )
        cite_legal_bases(decision, award_type)
        DecisionItem.objects.bulk_create(
            DecisionItem(decision=decision, dossier_id=pk, position=n)
            for n, pk in enumerate(dict.fromkeys(dossier_ids), start=1)
        )
        log.append(
            institution=person.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="decision.prepared", object_type="decision", object_id=decision.pk,
            payload={"dossiers": list(dict.fromkeys(dossier_ids)), "award": award_type.code},
        )  # fmt: skip
    return decision


def cite_legal_bases(decision: Decision, award_type: AwardType) -> None:
    """The award's legal texts (archived ones aside), each as it reads now."""
    bases = LegalBasis.objects.filter(award_types=award_type, archived_at__isnull=True)
    CitedLegalBasis.objects.bulk_create(CitedLegalBasis.of(decision, basis) for basis in bases)


def _cite_as_signed(decision: Decision) -> None:
    """Refresh each citation to the text as it reads at signing; from then on it never changes."""
    citations = list(decision.citations.select_related("legal_basis"))
    for citation in citations:
        fresh = CitedLegalBasis.of(decision, citation.legal_basis)
        citation.code, citation.title = fresh.code, fresh.title
        citation.valid_from, citation.valid_to = fresh.valid_from, fresh.valid_to
    CitedLegalBasis.objects.bulk_update(citations, ["code", "title", "valid_from", "valid_to"])


def _unsignable(dossiers, dossier_ids, award_type) -> list[Reason]:
    found = {d.pk: d for d in dossiers}
    problems = []
    if award_type.decided_by == AwardType.DecidedBy.UPWARD:
        # The principal may only propose it (decisions.upward), never give it.
        problems.append(Reason(_("This award is decided by a higher authority: submit it upward.")))
    if not dossier_ids:
        problems.append(Reason(_("Choose at least one dossier.")))
    for pk in dossier_ids:
        dossier = found.get(pk)
        if dossier is None or dossier.state not in SIGNABLE:
            problems.append(Reason(_("Dossier {id} is not recommended for signing."), {"id": pk}))
        elif dossier.award_type_id != award_type.pk:
            problems.append(Reason(_("Dossier {id} is for another award."), {"id": pk}))
    pending = DecisionItem.objects.filter(
        dossier_id__in=dossier_ids, decision__state=Decision.State.DRAFT
    ).values_list("dossier_id", flat=True)
    problems += [
        Reason(_("Dossier {id} is already in another draft decision."), {"id": pk})
        for pk in sorted(set(pending))
    ]
    return problems


def next_number(institution, year: int) -> int:
    """The next number of the year, gap-free: the counter row stays locked until commit."""
    DecisionCounter.objects.bulk_create(
        [DecisionCounter(institution=institution, year=year)], ignore_conflicts=True
    )
    counter = DecisionCounter.objects.select_for_update().get(institution=institution, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def verification_url() -> str:
    return settings.SITE_URL + reverse("verify_decision")


def sign_decision(
    *, decision_id: int, person: Person, credential_id: int | None = None, secret: str = "",
    client_address: str = "", acknowledge_own_award=False,
) -> Decision:  # fmt: skip
    """Number, render, sign with the signer's own key and store the decision; move its dossiers
    to signed — or nothing.

    The key is the signer's own credential (`credential_id`, or their only one), opened with the
    PIN or passphrase they type (`secret`, never stored). A failure leaves no number used, no
    file and no moved dossier; only an audit event saying that signing failed. The signed PDF
    gets its final name only once the signing commits (decisions/files.py), so even a server
    killed half way leaves no signed file of no decision. A signer among the awardees must
    acknowledge it (`acknowledge_own_award`) where the institution's rule only warns; where it
    blocks, they cannot sign.
    """
    try:
        return _sign(decision_id, person, client_address, acknowledge_own_award,
                     credential_id, secret)  # fmt: skip
    except DomainError:
        raise  # refused before anything was attempted: not a failed signing
    except SigningFailed as exc:
        _record_failure(decision_id, person, client_address, str(exc))
        raise SigningError() from exc
    except Exception as exc:
        # Rendering or storing failed: the same outcome for the user, and the same trace.
        _record_failure(decision_id, person, client_address, f"{exc.__class__.__name__}: {exc}")
        raise SigningError() from exc


def signer_conflict(decision: Decision, person: Person, on_behalf_of=None):
    """The rule about signing one's own award: the signer, or whoever they sign for (KT.), is
    an awardee of this award decision."""
    if decision.kind != Decision.Kind.AWARD:
        return None
    dossiers = [item.dossier for item in decision.items.select_related("dossier")]
    reasons = [
        reason
        for signer in filter(None, (person, on_behalf_of))
        for dossier in dossiers
        for reason in separation.nominee_reasons(dossier, signer)
    ]
    return separation.conflict(decision.institution_id, separation.SIGNER_AWARDED, reasons)


def _check_signer(found, acknowledged: bool) -> None:
    if found is None:
        return
    if found.blocks:
        reasons = [*found.reasons, Reason(_("Such an award is proposed to the higher authority."))]
        raise SeparationRefused(reasons)
    if not acknowledged:
        raise GuardFailed(
            [*found.reasons, Reason(_("Tick the acknowledgement to sign an award that includes "
                                      "you; it is recorded and shown to the auditor."))]
        )  # fmt: skip


def _locked_draft(decision_id: int, person: Person) -> Decision:
    """The draft to sign, locked; refused when it is not one this person can sign now."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("institution", "award_type", "revokes")
        .filter(pk=decision_id, institution_id=person.institution_id)
        .first()
    )
    if decision is None:
        raise DecisionNotFound()
    if decision.state != Decision.State.DRAFT:
        raise IllegalTransition(_("This decision is already signed."))
    if not decision.items.exists():
        raise GuardFailed([Reason(_("The decision names no dossier."))])
    return decision


def _own_credential(person: Person, credential_id: int | None, *, two_steps: bool):
    """The signer's credential, checked to be theirs: issued to the name printed as signer."""
    kinds = credentials.OWN_COMPUTER_KINDS if two_steps else credentials.SERVER_KINDS
    credential = credentials.choose(person, credential_id, kinds)
    problems = credentials.problems(credential, person)
    if problems:
        raise GuardFailed(problems)
    return credential


def _reserved_number(decision: Decision, year: int) -> int:
    """A number prepared for this decision earlier in the year is its own; else the next one."""
    prepared = PreparedSigning.objects.filter(decision=decision).first()
    if prepared is not None:
        name = prepared.pdf.name
        prepared.delete()
        transaction.on_commit(lambda: files.storage().delete(name))
        if prepared.year == year:
            return prepared.number
    return next_number(decision.institution, year)


def _render(decision, *, number, signed_on, person, on_behalf_of, chain_head) -> bytes:
    pdf, _key = render_pdf(
        "decisions/decision.html",
        decision_context(
            decision, number=number, signed_on=signed_on, signer=person,
            on_behalf_of=on_behalf_of, chain_head=chain_head, verify_url=verification_url(),
        ),
    )  # fmt: skip
    return pdf


def _sign(decision_id: int, person: Person, client_address: str, acknowledged: bool,
          credential_id: int | None, secret: str) -> Decision:  # fmt: skip
    acting = permissions.require(person, "decision.sign")
    files.sweep(unissued=False)  # what earlier interrupted signings left behind
    staged = []
    try:
        with transaction.atomic():
            decision = _locked_draft(decision_id, person)
            own_award = signer_conflict(decision, person, acting.on_behalf_of)
            _check_signer(own_award, acknowledged)
            credential = _own_credential(person, credential_id, two_steps=False)
            institution = decision.institution
            signed_at = timezone.now()
            year = timezone.localdate(signed_at).year
            # The counter row stays locked until commit: it serialises this institution's
            # signings of the year, and nothing else. The chain head is only read, not locked:
            # any head read is one the chain contains, and the institution's other writes go on.
            number = _reserved_number(decision, year)
            chain_head = log.head_hash(institution)
            pdf = _render(
                decision, number=number, signed_on=timezone.localdate(signed_at), person=person,
                on_behalf_of=acting.on_behalf_of, chain_head=chain_head,
            )  # fmt: skip
            signed = sign_pdf(
                pdf, credential=credential, secret=secret,
                reason=f"Quyết định số {number:02d}/{institution.decision_series}",
                location=institution.place,
            )  # fmt: skip
            _issue(
                decision, signed.data, staged=staged, person=person, acting=acting,
                client_address=client_address, credential=credential, number=number,
                year=year, signed_at=signed_at, chain_head=chain_head, own_award=own_award,
            )  # fmt: skip
    except BaseException:
        for name in staged:
            files.discard(name)
        raise
    return decision


def _issue(decision: Decision, data: bytes, *, staged: list, person, acting, client_address,
           credential, number, year, signed_at, chain_head, own_award) -> None:  # fmt: skip
    """Store the signed PDF and record the signing: the decision, its dossiers, the trail."""
    institution = decision.institution
    digest = hashlib.sha256(data).hexdigest()
    final = decision.pdf.field.generate_filename(decision, f"{year}-{number:03d}-{digest[:12]}.pdf")
    staged.append(files.stage(final, data))
    decision.pdf.name = final
    transaction.on_commit(lambda: files.promote(staged[0], final))
    decision.state = Decision.State.SIGNED
    decision.year, decision.number = year, number
    decision.series = institution.decision_series
    decision.signed_at, decision.signed_on = signed_at, timezone.localdate(signed_at)
    decision.signer, decision.on_behalf_of = person, acting.on_behalf_of
    decision.pdf_sha256, decision.chain_head = digest, chain_head
    decision.save()
    _cite_as_signed(decision)
    # The audit head is locked only when the block ends and writes the signing's events.
    with log.deferred():
        actor = log.Actor.acting(person, acting, client_address)
        _move_dossiers(decision, person, client_address, actor)
        log.append(
            institution=institution,
            actor=actor,
            action="decision.signed", object_type="decision", object_id=decision.pk,
            payload={"reference": decision.reference, "citation": decision.citation,
                     "pdf_sha256": digest, "chain_head": chain_head,
                     "printed_signer": person.full_name,
                     "signer_certificate": credential.subject_name,
                     "certificate_sha256": credential.fingerprint,
                     "certificate_serial": credential.serial, "credential": credential.pk,
                     "timestamped": bool(settings.SIGNING_TSA_URL),
                     "dossiers": [i.dossier_id for i in decision.items.all()]},
        )  # fmt: skip
        if own_award is not None:
            separation.record_warning(
                own_award, institution=institution, actor=actor,
                object_type="decision", object_id=decision.pk, action="sign",
                details={"acknowledged": True, "reference": decision.reference},
            )  # fmt: skip
        notifications.notify_decision_signed([i.dossier for i in decision.items.all()])
    # The checkpoint covers every event of the signing, the acknowledgement included.
    checkpoints.sign_checkpoint(
        institution=institution, actor=log.Actor.acting(person, acting, client_address)
    )


def prepare_signing(
    *, decision_id: int, person: Person, credential_id: int | None = None,
    client_address: str = "", acknowledge_own_award=False,
) -> PreparedSigning:  # fmt: skip
    """The first of two steps at the signer's own computer: number and render the decision and
    keep it with its empty signature field; the signer's tool signs `document_digest`.

    Everything is checked now (role, separation, that the certificate is theirs) so that the
    second step only has to check the signature. The number stays reserved for the decision.
    """
    acting = permissions.require(person, "decision.sign")
    with transaction.atomic():
        decision = _locked_draft(decision_id, person)
        _check_signer(signer_conflict(decision, person, acting.on_behalf_of),
                      acknowledge_own_award)  # fmt: skip
        credential = _own_credential(person, credential_id, two_steps=True)
        institution = decision.institution
        today = timezone.localdate()
        number = _reserved_number(decision, today.year)
        chain_head = log.head_hash(institution)
        pdf = _render(decision, number=number, signed_on=today, person=person,
                      on_behalf_of=acting.on_behalf_of, chain_head=chain_head)  # fmt: skip
        certificate = credentials.of(credential)
        prepared = two_step.prepare(
            pdf, certificate, reason=f"Quyết định số {number:02d}/{institution.decision_series}",
            location=institution.place,
        )  # fmt: skip
        signing = PreparedSigning(
            institution=institution, decision=decision, credential=credential, signer=person,
            on_behalf_of=acting.on_behalf_of, acknowledged_own_award=acknowledge_own_award,
            year=today.year, number=number, signed_on=today, chain_head=chain_head,
            document_digest=prepared.digest.hex(), region_start=prepared.region_start,
            region_end=prepared.region_end,
        )  # fmt: skip
        signing.pdf.save(f"{today.year}-{number:03d}-{uuid.uuid4().hex[:12]}.pdf",
                         ContentFile(prepared.pdf), save=False)  # fmt: skip
        name = signing.pdf.name
        try:
            signing.save()
            log.append(
                institution=institution, actor=log.Actor.acting(person, acting, client_address),
                action="decision.signing_prepared", object_type="decision",
                object_id=decision.pk,
                payload={"number": number, "year": today.year,
                         "document_digest": signing.document_digest,
                         "certificate_sha256": credential.fingerprint},
            )  # fmt: skip
        except BaseException:
            files.storage().delete(name)
            raise
    return signing


def signing_request(signing: PreparedSigning) -> dict:
    """The file the signer's tool reads (signing_tool/sign_digest.py)."""
    reference = f"{signing.number:02d}/{signing.decision.institution.decision_series}"
    return two_step.request(reference=reference, digest=signing.document_digest,
                            certificate=credentials.of(signing.credential))  # fmt: skip


def complete_signing(
    *, decision_id: int, person: Person, signature: bytes, client_address: str = ""
) -> Decision:
    """The second step: embed the signer's CMS signature, validate it, issue the decision.

    A signature that is not over the prepared digest, or not by the registered certificate, is
    refused and changes nothing: the preparation stays for a correct signature.
    """
    acting = permissions.require(person, "decision.sign")
    staged = []
    try:
        with transaction.atomic():
            decision = _locked_draft(decision_id, person)
            signing = (
                PreparedSigning.objects.select_related("credential")
                .filter(decision=decision).first()
            )  # fmt: skip
            if signing is None:
                raise GuardFailed([Reason(_("This decision is not prepared for signing."))])
            if signing.signer_id != person.pk:
                raise GuardFailed([Reason(_("{name} prepared this decision for signing; only "
                                            "they can complete it."),
                                          {"name": signing.signer.full_name})])  # fmt: skip
            if signing.signed_on != timezone.localdate():
                raise GuardFailed([Reason(
                    _("It was prepared on {day}, and the date printed on a decision is the day "
                      "it is signed: prepare it again."),
                    {"day": signing.signed_on.strftime("%d/%m/%Y")},
                )])  # fmt: skip
            if signing.on_behalf_of_id != getattr(acting.on_behalf_of, "pk", None):
                raise GuardFailed([Reason(_("It was prepared to be signed in another capacity "
                                            "(KT.) than the one you hold now: prepare it "
                                            "again."))])  # fmt: skip
            credential = signing.credential
            problems = credentials.problems(credential, person)
            if problems:
                raise GuardFailed(problems)
            own_award = signer_conflict(decision, person, acting.on_behalf_of)
            _check_signer(own_award, signing.acknowledged_own_award)
            certificate = credentials.of(credential)
            with signing.pdf.open("rb") as handle:
                prepared = two_step.Prepared(
                    pdf=handle.read(), digest=bytes.fromhex(signing.document_digest),
                    region_start=signing.region_start, region_end=signing.region_end,
                )  # fmt: skip
            content = two_step.parse_signature(
                signature, digest=prepared.digest, certificate=certificate
            )
            try:
                content = two_step.add_timestamp(content)
            except Exception as exc:
                raise SigningFailed(f"the timestamp authority did not answer: {exc}") from exc
            data = two_step.embed(prepared, content, certificate)
            name = signing.pdf.name
            signing.delete()
            transaction.on_commit(lambda: files.storage().delete(name))
            _issue(
                decision, data, staged=staged, person=person, acting=acting,
                client_address=client_address, credential=credential, number=signing.number,
                year=signing.year, signed_at=timezone.now(), chain_head=signing.chain_head,
                own_award=own_award,
            )  # fmt: skip
    except DomainError:
        for name in staged:
            files.discard(name)
        raise
    except BaseException as exc:
        for name in staged:
            files.discard(name)
        _record_failure(decision_id, person, client_address, f"{exc.__class__.__name__}: {exc}")
        raise SigningError() from exc
    return decision


def _move_dossiers(
    decision: Decision, person: Person, client_address: str, actor: log.Actor
) -> None:
    action = "revoke" if decision.kind == Decision.Kind.REVOCATION else "sign"
    for item in decision.items.select_related("dossier"):
        dossier = lifecycle.transition(
            dossier_id=item.dossier_id, action=action, person=person,
            expected_version=None, client_address=client_address,
            reason=decision.reason if action == "revoke" else "",
            arguments={"decision": decision.reference},
        )  # fmt: skip
        # The title history cites the decision with its date: numbers restart each year.
        if action == "sign":
            titles.grant(dossier, reference=decision.citation)
        else:
            titles.revoke(dossier, reference=decision.citation, actor=actor)


def _record_failure(decision_id: int, person: Person, client_address: str, error: str) -> None:
    """The one trace a failed signing leaves, written after everything else rolled back."""
    logger.warning("signing decision %s failed: %s", decision_id, error)
    acting = permissions.may(person, "decision.sign")
    # Whoever tried, even if they no longer hold the role that let them.
    actor = (
        log.Actor.acting(person, acting, client_address)
        if acting
        else log.Actor(person=person, client_address=client_address)
    )
    with transaction.atomic():
        log.append(
            institution=person.institution,
            actor=actor,
            action="decision.signing_failed", object_type="decision", object_id=decision_id,
            payload={"error": error[:500]},
        )  # fmt: skip


def remove_from_draft(
    *, decision_id: int, dossier_id: int, person: Person, client_address: str = ""
) -> Decision:
    """Take one dossier out of a draft decision, so that it can be decided separately."""
    acting = permissions.require(person, "decision.prepare")
    with transaction.atomic():
        decision = _locked_decision(decision_id, person)
        if decision.state != Decision.State.DRAFT:
            raise IllegalTransition(_("Only a draft decision can be changed."))
        removed, _counts = decision.items.filter(dossier_id=dossier_id).delete()
        if not removed:
            raise GuardFailed([Reason(_("Dossier {id} is not in this decision."),
                                      {"id": dossier_id})])  # fmt: skip
        log.append(
            institution=person.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="decision.item_removed", object_type="decision", object_id=decision.pk,
            payload={"dossier": dossier_id},
        )  # fmt: skip
    return decision


def prepare_revocation(
    *, person: Person, decision_id: int, dossier_ids: list[int], reason: str,
    client_address: str = "",
) -> Decision:  # fmt: skip
    """A draft revocation decision over dossiers signed in `decision` (Luật TĐKT, Điều 93).

    Signing it (sign_decision) revokes the dossiers; the original decision stays as a record.
    """
    acting = permissions.require(person, "decision.prepare")
    reason = reason.strip()
    with transaction.atomic():
        original = _locked_decision(decision_id, person)
        if original.kind != Decision.Kind.AWARD or original.state != Decision.State.SIGNED:
            raise IllegalTransition(_("Only a signed award decision can be revoked."))
        dossier_ids = list(dict.fromkeys(dossier_ids))
        problems = _unrevocable(original, dossier_ids)
        if not reason:
            problems.insert(0, Reason(_("A reason is required for this action.")))
        if problems:
            raise GuardFailed(problems)
        award_type = original.award_type
        revocation = Decision.objects.create(
            institution_id=person.institution_id,
            kind=Decision.Kind.REVOCATION,
            revokes=original,
            reason=reason,
            award_type=award_type,
            subject=f"Về việc thu hồi danh hiệu “{award_type.name_vi}”",
            recitals=default_recitals(award_type, person.institution),
            created_by=person,
        )
        cite_legal_bases(revocation, award_type)
        DecisionItem.objects.bulk_create(
            DecisionItem(decision=revocation, dossier_id=pk, position=n)
            for n, pk in enumerate(dossier_ids, start=1)
        )
        log.append(
            institution=person.institution,
            actor=log.Actor.acting(person, acting, client_address),
            action="decision.revocation_prepared", object_type="decision",
            object_id=revocation.pk, reason=reason,
            payload={"revokes": original.reference, "dossiers": dossier_ids},
        )  # fmt: skip
    return revocation


def _locked_decision(decision_id: int, person: Person) -> Decision:
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("award_type")
        .filter(pk=decision_id, institution_id=person.institution_id)
        .first()
    )
    if decision is None:
        raise DecisionNotFound()
    return decision


def _unrevocable(original: Decision, dossier_ids: list[int]) -> list[Reason]:
    """Why these dossiers cannot be revoked by a decision on `original`; the rows stay locked."""
    if not dossier_ids:
        return [Reason(_("Choose at least one dossier."))]
    included = set(original.items.values_list("dossier_id", flat=True))
    states = dict(
        Dossier.objects.select_for_update()
        .filter(pk__in=included.intersection(dossier_ids))
        .values_list("pk", "state")
    )
    problems = []
    for pk in dossier_ids:
        if pk not in included:
            problems.append(Reason(_("Dossier {id} is not in this decision."), {"id": pk}))
        elif states.get(pk) != State.SIGNED:
            problems.append(Reason(_("Dossier {id} is no longer signed."), {"id": pk}))
    pending = DecisionItem.objects.filter(
        dossier_id__in=dossier_ids, decision__state=Decision.State.DRAFT
    ).values_list("dossier_id", flat=True)
    problems += [
        Reason(_("Dossier {id} is already in another draft decision."), {"id": pk})
        for pk in sorted(set(pending))
    ]
    return problems
