"""The nomination dossier and its documents; `state` moves only through workflow.services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from dossiers.models.catalogue import AwardType, DocumentKind
from dossiers.models.organisation import Period, Person, Unit
from dossiers.models.tenancy import InstitutionOwned


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    REVIEWED = "reviewed", _("Reviewed")
    VOTING = "voting", _("Council voting")
    RECOMMENDED = "recommended", _("Recommended by the council")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    PUBLIC_NOTICE = "public_notice", _("Public notice")
    SUBMITTED_UPWARD = "submitted_upward", _("Submitted to a higher authority")
    SIGNED = "signed", _("Signed")
    REVOKED = "revoked", _("Revoked")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUSPENDED = "suspended", _("Suspended")


S = State
# States a dossier may be suspended from, and resumed to (every state before signed).
SUSPENDABLE = [
    S.DRAFT, S.SUBMITTED, S.RETURNED, S.REVIEWED, S.VOTING, S.RECOMMENDED, S.PUBLIC_NOTICE,
    S.SUBMITTED_UPWARD,
]  # fmt: skip
TERMINAL = frozenset({S.SIGNED, S.REVOKED, S.DECLINED, S.WITHDRAWN, S.NOT_RECOMMENDED})
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


class Dossier(FSMModelMixin, InstitutionOwned):
    """One nominee (a person or a collective) for one award in one period, with its documents."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("period")
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("award")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("submitting unit")
    )
    nominee_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("nominated person"),
    )
    nominee_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("nominated collective"),
    )
    achievement_summary = models.TextField(_("summary of achievements"))
    state = FSMField(_("state"), default=S.DRAFT, choices=State.choices, protected=True)
    state_before_suspension = models.CharField(max_length=20, blank=True, choices=State.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("nomination dossier")
        verbose_name_plural = _("nomination dossiers")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(nominee_person__isnull=False, nominee_unit__isnull=True)
                    | Q(nominee_person__isnull=True, nominee_unit__isnull=False)
                ),
                name="dossier_has_exactly_one_nominee",
                violation_error_message=_("Choose either a person or a collective as nominee."),
            ),
            models.UniqueConstraint(
                fields=["period", "award_type", "nominee_person"],
                condition=~Q(state__in=["withdrawn", "declined"]),
                name="one_open_dossier_per_person_award_period",
                violation_error_message=_(
                    "This nominee already has a dossier for this award in this period."
                ),
            ),
            models.UniqueConstraint(
                fields=["period", "award_type", "nominee_unit"],
                condition=~Q(state__in=["withdrawn", "declined"]),
                name="one_open_dossier_per_unit_award_period",
                violation_error_message=_(
                    "This nominee already has a dossier for this award in this period."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "state"]),
            models.Index(fields=["institution", "unit", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.nominee} — {self.award_type}"

    def clean_fields(self, exclude=None):
        # The protected state field refuses even the value it has; only transitions set it.
        super().clean_fields(exclude={*(exclude or ()), "state"})

    @property
    def nominee(self) -> Person | Unit | None:
        return self.nominee_person or self.nominee_unit

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    # The lifecycle (../shared/design.md). Call these only through workflow.services.transition,
    # which locks the row and checks permission and guards; the bodies change nothing else.

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.RETURNED)
    def return_for_revision(self):
        pass

    @transition(field=state, source=S.RETURNED, target=S.SUBMITTED)
    def resubmit(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.REVIEWED)
    def approve(self):
        pass

    @transition(field=state, source=[S.SUBMITTED, S.SUSPENDED], target=S.DECLINED)
    def decline(self):
        self.state_before_suspension = ""

    @transition(field=state, source=[S.DRAFT, S.SUBMITTED, S.RETURNED], target=S.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=SUSPENDABLE, target=S.SUSPENDED)
    def suspend(self):
        self.state_before_suspension = self.state

    @transition(field=state, source=S.SUSPENDED, target=RETURN_VALUE(*SUSPENDABLE))
    def resume(self):
        resumed, self.state_before_suspension = self.state_before_suspension, ""
        return resumed

    @transition(field=state, source=S.REVIEWED, target=S.VOTING)
    def open_vote(self):
        pass

    @transition(field=state, source=S.VOTING, target=RETURN_VALUE(S.RECOMMENDED, S.NOT_RECOMMENDED))
    def close_vote(self, *, recommended: bool):
        return S.RECOMMENDED if recommended else S.NOT_RECOMMENDED

    @transition(field=state, source=S.RECOMMENDED, target=S.PUBLIC_NOTICE)
    def publish(self):
        pass

    @transition(field=state, source=[S.RECOMMENDED, S.PUBLIC_NOTICE], target=S.SIGNED)
    def sign(self):
        pass

    @transition(field=state, source=S.RECOMMENDED, target=S.SUBMITTED_UPWARD)
    def submit_upward(self):
        pass

    @transition(
        field=state, source=S.SUBMITTED_UPWARD, target=RETURN_VALUE(S.SIGNED, S.NOT_RECOMMENDED)
    )
    def record_outcome(self, *, granted: bool):
        return S.SIGNED if granted else S.NOT_RECOMMENDED

    @transition(field=state, source=[S.RECOMMENDED, S.PUBLIC_NOTICE], target=S.REVIEWED)
    def return_to_council(self):
        pass

    @transition(field=state, source=S.SIGNED, target=S.REVOKED)
    def revoke(self):
        pass


def document_path(document: Document, filename: str) -> str:
    """Stored under a random name: the uploader's file name is data, never a path."""
    return f"documents/{document.institution_id}/{document.dossier_id}/{document.storage_name}"


class Document(InstitutionOwned):
    """A file of a dossier, checked by content and identified by its SHA-256."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents", verbose_name=_("dossier")
    )
    kind = models.ForeignKey(
        DocumentKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    storage_name = models.CharField(max_length=80, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind__code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
