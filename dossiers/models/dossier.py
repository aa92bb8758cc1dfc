"""The nomination dossier and its documents; `state` moves only through workflow.services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from dossiers.choices import EDITABLE, TERMINAL, State
from dossiers.models.catalogue import AwardType, DocumentKind, MovementKind
from dossiers.models.organisation import Period, Person, Unit
from dossiers.models.tenancy import InstitutionOwned
from workflow import transitions as lifecycle

S = State


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
    achievement_summary = models.TextField(_("summary of achievements"), max_length=20000)
    state = FSMField(_("state"), default=S.DRAFT, choices=State.choices, protected=True)
    movement = models.ForeignKey(
        "dossiers.Movement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="dossiers", verbose_name=_("movement"),
        help_text=_("An ad hoc movement's award takes the award type's short path."),
    )  # fmt: skip
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
        # The lists read a page of the latest changes (of one state, or one unit) from an index
        # in its order rather than sorting every dossier of the institution for each page.
        indexes = [
            models.Index(fields=["institution", "updated_at", "id"]),
            models.Index(fields=["institution", "state", "updated_at", "id"]),
            models.Index(fields=["institution", "unit", "state"]),
            models.Index(fields=["unit", "updated_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.nominee} — {self.award_type}"

    def clean(self) -> None:
        movement = self.movement if self.movement_id else None
        if movement is not None and self.period_id and movement.period_id != self.period_id:
            raise ValidationError({"movement": _("The movement belongs to another period.")})
        if (
            movement is not None
            and self.award_type_id
            and not self.award_type.allows(movement.kind)
        ):
            raise ValidationError({"movement": _(
                "“%(award)s” is not awarded in a movement of this kind (%(kind)s)."
            ) % {"award": self.award_type, "kind": movement.get_kind_display()}})  # fmt: skip

    def clean_fields(self, exclude=None):
        # The protected state field refuses even the value it has; only transitions set it.
        super().clean_fields(exclude={*(exclude or ()), "state"})

    @property
    def nominee(self) -> Person | Unit | None:
        return self.nominee_person or self.nominee_unit

    @property
    def is_ad_hoc(self) -> bool:
        """An ad hoc award (a sudden achievement) takes its award type's short path."""
        return self.movement_id is not None and self.movement.kind == MovementKind.AD_HOC

    def required_document_kinds(self):
        """The documents this dossier needs: the award's usual ones, or its short path's."""
        award = self.award_type
        return (
            award.ad_hoc_document_kinds if self.is_ad_hoc else award.required_document_kinds
        ).all()

    @property
    def public_notice_applies(self) -> bool:
        """The short path of an ad hoc award has no public-notice period."""
        return self.award_type.public_notice_applies and not self.is_ad_hoc

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    def current_documents(self) -> list[Document]:
        """The documents the dossier has now (superseded ones aside; uses prefetched rows)."""
        return [d for d in self.documents.all() if d.superseded_at is None]

    def superseded_documents(self) -> list[Document]:
        return [d for d in self.documents.all() if d.superseded_at is not None]

    # The lifecycle: sources and targets come from the registry (workflow.transitions). Call
    # these only through workflow.services.transition, which locks the row and checks permission
    # and guards; the bodies change nothing else.

    @transition(field=state, **lifecycle.fsm("submit"))
    def submit(self):
        pass

    @transition(field=state, **lifecycle.fsm("return_for_revision"))
    def return_for_revision(self):
        pass

    @transition(field=state, **lifecycle.fsm("resubmit"))
    def resubmit(self):
        pass

    @transition(field=state, **lifecycle.fsm("approve"))
    def approve(self):
        pass

    @transition(field=state, **lifecycle.fsm("decline"))
    def decline(self):
        self.state_before_suspension = ""

    @transition(field=state, **lifecycle.fsm("withdraw"))
    def withdraw(self):
        pass

    @transition(field=state, **lifecycle.fsm("suspend"))
    def suspend(self):
        self.state_before_suspension = self.state

    @transition(field=state, **lifecycle.fsm("resume"))
    def resume(self):
        resumed, self.state_before_suspension = self.state_before_suspension, ""
        return resumed

    @transition(field=state, **lifecycle.fsm("open_vote"))
    def open_vote(self):
        pass

    @transition(field=state, **lifecycle.fsm("close_vote"))
    def close_vote(self, *, recommended: bool):
        return S.RECOMMENDED if recommended else S.NOT_RECOMMENDED

    @transition(field=state, **lifecycle.fsm("publish"))
    def publish(self):
        pass

    @transition(field=state, **lifecycle.fsm("sign"))
    def sign(self):
        pass

    @transition(field=state, **lifecycle.fsm("submit_upward"))
    def submit_upward(self):
        pass

    @transition(field=state, **lifecycle.fsm("record_outcome"))
    def record_outcome(self, *, granted: bool):
        return S.SIGNED if granted else S.NOT_RECOMMENDED

    @transition(field=state, **lifecycle.fsm("return_to_council"))
    def return_to_council(self):
        pass

    @transition(field=state, **lifecycle.fsm("revoke"))
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
    # Once a dossier has left draft, someone else has seen its documents: removing one marks it
    # superseded and keeps its file.
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind__code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None
