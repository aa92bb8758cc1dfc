"""The title history a signed decision writes and a revocation archives.

Later eligibility rules ("N consecutive years of …") read it, so a revoked title stays as a row,
marked with the decision that revoked it, and the change is audited like any record change.
"""

from __future__ import annotations

from django.utils import timezone

from audit import log
from dossiers import admin_changes
from dossiers.models import Dossier, TitleRecord


def _holder(dossier: Dossier) -> dict:
    return {"person": dossier.nominee_person, "unit": dossier.nominee_unit,
            "award_type_id": dossier.award_type_id, "year": dossier.period.year}  # fmt: skip


def active():
    """Titles in force: a revoked one no longer counts for anything."""
    return TitleRecord.objects.filter(revoked_at__isnull=True)


def grant(dossier: Dossier, *, reference: str) -> TitleRecord:
    """The dossier's award enters the history; it replaces an imported entry of the same year."""
    record, _created = active().update_or_create(
        **_holder(dossier),
        defaults={"institution_id": dossier.institution_id, "decision_reference": reference,
                  "source": TitleRecord.Source.GRANTED},
    )  # fmt: skip
    return record


def revoke(dossier: Dossier, *, reference: str, actor: log.Actor) -> TitleRecord | None:
    """Mark the granted title revoked by decision `reference`; audited with the field diff."""
    record = (
        active()
        .select_for_update()
        .filter(**_holder(dossier), source=TitleRecord.Source.GRANTED)
        .first()
    )
    if record is None:
        return None
    before = admin_changes.snapshot(record)
    record.revoked_at = timezone.now()
    record.revoked_by_reference = reference
    record.save(update_fields=["revoked_at", "revoked_by_reference"])
    admin_changes.record_change(
        record, actor=actor, changes=admin_changes.diff(before, admin_changes.snapshot(record))
    )
    return record
