"""The audit trail: append-only, hash-chained per institution, guarded by database triggers.

The tables keep the names they were created with (workflow_…): the triggers that refuse UPDATE
and DELETE are attached to them.
"""

from __future__ import annotations

import base64

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit import checkpoints, hashchain


class AuditEvent(models.Model):
    """One thing that happened, who did it in which role, and the hash linking it to the last."""

    # No index of its own: every index below starts with the institution.
    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sequence = models.PositiveBigIntegerField(_("sequence number"))
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        "dossiers.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    on_behalf_of = models.ForeignKey(
        "dossiers.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf_of_name = models.CharField(_("on behalf of"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=40)
    from_state = models.CharField(_("from state"), max_length=20, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict)
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "workflow_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["institution_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "sequence"], name="audit_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "prev_hash"], name="audit_chain_never_forks"
            ),
            # A constraint, not unique=True: that would add a second, LIKE-pattern index on
            # PostgreSQL that no query uses and every append maintains.
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
        ]
        # The auditor's trail is keyset-paginated on sequence within each filter.
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            models.Index(fields=["institution", "action", "sequence"]),
            models.Index(fields=["institution", "actor", "sequence"]),
            models.Index(fields=["institution", "on_behalf_of", "sequence"]),
            models.Index(fields=["institution", "to_state", "sequence"]),
            models.Index(fields=["institution", "from_state", "sequence"]),
            models.Index(fields=["institution", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def as_chain_event(self, institution_code: str) -> dict:
        """The event as hashed and exported (see audit.hashchain)."""
        return chain_event(institution_code, tuple(getattr(self, c) for c in CHAIN_COLUMNS))


# The columns an event is hashed and exported from, in the order `chain_event` reads them: a
# whole chain is read as tuples of these (audit.log.chain_events), never as model instances.
CHAIN_COLUMNS = (
    "sequence", "created_at", "actor_id", "actor_name", "role", "on_behalf_of_id",
    "on_behalf_of_name", "action", "object_type", "object_id", "from_state", "to_state", "reason",
    "payload", "client_address", "prev_hash", "hash",
)  # fmt: skip


def chain_event(institution_code: str, row: tuple) -> dict:
    """One event as hashed and exported, from its CHAIN_COLUMNS values."""
    (sequence, created_at, actor_id, actor_name, role, on_behalf_of_id, on_behalf_of_name,
     action, object_type, object_id, from_state, to_state, reason, payload, client_address,
     prev_hash, hash_) = row  # fmt: skip
    return {
        "institution": institution_code,
        "sequence": sequence,
        "created_at": hashchain.format_timestamp(created_at),
        "actor_id": actor_id,
        "actor": actor_name,
        "role": role,
        "on_behalf_of_id": on_behalf_of_id,
        "on_behalf_of": on_behalf_of_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "from_state": from_state,
        "to_state": to_state,
        "reason": reason,
        "payload": payload,
        "client_address": client_address,
        "prev_hash": prev_hash,
        "hash": hash_,
    }


class AuditChainHead(models.Model):
    """The last event of an institution's chain; locking this row serialises appends."""

    institution = models.OneToOneField(
        "dossiers.Institution", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=hashchain.GENESIS)

    class Meta:
        db_table = "workflow_auditchainhead"
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.institution_id}: #{self.sequence} {self.hash[:12]}"


class Checkpoint(models.Model):
    """An institution's chain head signed with its signing key (see audit.checkpoints).

    Append-only like the events: the database refuses UPDATE, DELETE and TRUNCATE.
    """

    institution = models.ForeignKey(
        "dossiers.Institution", on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(_("sequence number"))
    hash = models.CharField(_("head hash"), max_length=64)
    created_at = models.DateTimeField(_("time"))
    signature = models.TextField(_("signature (base64 CMS)"))
    signer = models.CharField(_("signer"), max_length=200)

    class Meta:
        db_table = "audit_checkpoint"
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["institution_id", "-created_at"]
        indexes = [models.Index(fields=["institution", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.institution_id}: #{self.sequence} {self.hash[:12]}"

    def body(self, institution_code: str) -> dict:
        return checkpoints.body(
            institution=institution_code, sequence=self.sequence, hash=self.hash,
            time=hashchain.format_timestamp(self.created_at),
        )  # fmt: skip

    def document(self, institution_code: str) -> str:
        """The checkpoint file anyone can download and check offline."""
        return checkpoints.document(self.body(institution_code), base64.b64decode(self.signature))
