"""Decisions (quyết định): numbered per year in the institution's series, rendered, signed.

A draft decision groups recommended dossiers; signing gives it the next number of the year
(gap-free: the counter row is locked in the signing transaction, so a failed signing uses no
number), stores the signed PDF and its hash, and moves every dossier to `signed`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents.rendering import nd30_date
from dossiers.models import AwardType, Dossier, LegalBasis, Person
from dossiers.models.tenancy import InstitutionOwned


class DecisionCounter(InstitutionOwned):
    """The last number issued in a year; locking this row serialises numbering."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Decision(InstitutionOwned):
    class Kind(models.TextChoices):
        AWARD = "award", _("Award decision")
        REVOCATION = "revocation", _("Revocation decision")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AWARD)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("award"))  # fmt: skip
    subject = models.CharField(_("subject"), max_length=300)
    recitals = models.TextField(
        _("legal bases and recitals"),
        max_length=20000,
        help_text=_("One “Căn cứ …” line per row; the last one “Theo đề nghị của …”."),
    )
    legal_bases = models.ManyToManyField(
        LegalBasis, through="CitedLegalBasis", blank=True, related_name="+"
    )
    dossiers = models.ManyToManyField(Dossier, through="DecisionItem", related_name="decisions")
    revokes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="revocations",
                                verbose_name=_("decision revoked"))  # fmt: skip
    reason = models.TextField(_("reason"), max_length=5000, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when signed.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    series = models.CharField(max_length=40, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")  # fmt: skip
    on_behalf_of = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")  # fmt: skip
    pdf = models.FileField(upload_to="decisions/%Y/", blank=True, max_length=300)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    chain_head = models.CharField(_("audit chain head at signing"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-year", "-number", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "number"],
                condition=Q(number__isnull=False),
                name="decision_number_unique_per_year",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("Draft decision: %(subject)s") % {"subject": self.subject})

    @property
    def reference(self) -> str:
        """'Số: 05/QĐ-CĐNGT' style number; numbers below 10 get a leading zero (NĐ 30/2020)."""
        if self.number is None:
            return ""
        return f"{self.number:02d}/{self.series}"

    @property
    def citation(self) -> str:
        """The reference with its date, as records cite it: numbers restart each year, so
        "01/QĐ-CĐNGT" alone is ambiguous ("01/QĐ-CĐNGT ngày 05 tháng 01 năm 2027")."""
        if not self.reference or self.signed_on is None:
            return self.reference
        return f"{self.reference} {nd30_date(self.signed_on)}"


class DecisionItem(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="decision_items")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "dossier"], name="dossier_once_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}.{self.position}"


class CitedLegalBasis(models.Model):
    """A legal text a decision cites, as it read when cited: later edits do not change it.

    The text itself is protected: it cannot be deleted while a decision cites it.
    """

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="citations")
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("number"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal basis cited")
        verbose_name_plural = _("legal bases cited")
        ordering = ["decision", "valid_from", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "legal_basis"], name="legal_basis_cited_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @classmethod
    def of(cls, decision: Decision, basis: LegalBasis) -> CitedLegalBasis:
        return cls(
            decision=decision, legal_basis=basis, code=basis.code, title=basis.title,
            valid_from=basis.valid_from, valid_to=basis.valid_to,
        )  # fmt: skip


class PublicNotice(InstitutionOwned):
    """A results notice (công khai) before signing; staff may object until it ends."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="notices")
    opened_at = models.DateTimeField(auto_now_add=True)
    ends_on = models.DateField(_("notice ends on"))

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.ends_on}"


class Objection(InstitutionOwned):
    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    filed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"), max_length=5000)
    filed_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    resolution = models.TextField(_("resolution"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at"]

    def __str__(self) -> str:
        return f"{self.filed_by}: {self.text[:40]}"


class ProposalMemo(InstitutionOwned):
    """A proposal memo (tờ trình) sending recommended dossiers to the higher authority."""

    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    pdf = models.FileField(upload_to="proposal_memos/%Y/", max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    dossiers = models.ManyToManyField(Dossier, related_name="proposal_memos")

    class Meta:
        verbose_name = _("proposal memo")
        verbose_name_plural = _("proposal memos")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('Proposal memo')} {self.created_at:%d/%m/%Y} ({self.sha256[:12]})"


class SigningCredential(InstitutionOwned):
    """One person's own signing certificate, and where its private key is.

    Decisions are signed with the signer's own certificate (Luật Giao dịch điện tử: each leader
    signs with theirs, usually on a USB token). The server keeps only the public certificate and
    how to reach the key: a PKCS#12 file on the server, a PKCS#11 token slot and key label, or
    nothing (`external`: the key is at the signer's own computer, signing is in two steps). The
    PIN or passphrase is typed by the signer at each signing and never stored.
    """

    class Kind(models.TextChoices):
        PKCS12 = "pkcs12", _("PKCS#12 file on the server")
        PKCS11 = "pkcs11", _("PKCS#11 token or HSM on the server")
        EXTERNAL = "external", _("At the signer's own computer (two steps)")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="signing_credentials",
                               verbose_name=_("person"))  # fmt: skip
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    subject_name = models.CharField(_("issued to"), max_length=255)
    issuer_name = models.CharField(_("issued by"), max_length=255)
    serial = models.CharField(_("serial number"), max_length=80)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    pkcs12_path = models.CharField(_("PKCS#12 file"), max_length=500, blank=True)
    pkcs11_library = models.CharField(_("PKCS#11 library"), max_length=500, blank=True)
    token_label = models.CharField(_("token label"), max_length=100, blank=True)
    key_label = models.CharField(_("key label"), max_length=100, blank=True)
    cert_label = models.CharField(_("certificate label"), max_length=100, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["person_id", "-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "fingerprint"],
                condition=Q(archived_at__isnull=True),
                name="one_active_credential_per_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.subject_name}"


class PreparedSigning(InstitutionOwned):
    """A decision rendered, numbered and waiting for its signer's signature (the first step).

    The PDF with its empty signature field is kept under `pdf`; `document_digest` is what the
    signer's own tool signs, and the reserved region is where the signature goes. The number is
    reserved for the decision: preparing it again the same year reuses it.
    """

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="prepared")
    credential = models.ForeignKey(SigningCredential, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")  # fmt: skip
    acknowledged_own_award = models.BooleanField(default=False)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    signed_on = models.DateField()
    chain_head = models.CharField(max_length=64)
    pdf = models.FileField(upload_to="decisions/.prepared/", max_length=300)
    document_digest = models.CharField(max_length=64)
    region_start = models.PositiveIntegerField()
    region_end = models.PositiveIntegerField()
    prepared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "number"], name="prepared_number_unique_per_year"
            ),
        ]
