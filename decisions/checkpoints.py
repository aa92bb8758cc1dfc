"""Signing checkpoints: the institution's chain head, signed with its signing key.

Daily (Celery beat, `decisions.background.sign_checkpoints_task`, or cron running
`manage.py sign_checkpoints`) and whenever a decision is signed (`decisions.services`, in the
signing's transaction). The format and its verification
are audit's (`audit.checkpoints`); the key is the one decisions are signed with.
"""

from __future__ import annotations

import asyncio
import base64
import logging

from django.db import transaction
from django.utils import timezone

from audit import checkpoints, hashchain, log
from audit.models import AuditEvent, Checkpoint
from decisions.signing import SigningFailed, configured_signer
from dossiers.models import Institution

logger = logging.getLogger(__name__)


def sign_checkpoint(*, institution: Institution, actor: log.Actor = log.SYSTEM) -> Checkpoint:
    """Sign the current head and record that it was; inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sign_checkpoint must run inside a transaction")
    head = log.locked_head(institution)
    checkpoint = Checkpoint(
        institution=institution, sequence=head.sequence, hash=head.hash,
        created_at=timezone.now(),
    )  # fmt: skip
    der, signer = _sign(checkpoints.canonical_bytes(checkpoint.body(institution.code)))
    checkpoint.signature, checkpoint.signer = base64.b64encode(der).decode("ascii"), signer
    checkpoint.save(force_insert=True)
    log.append(
        institution=institution, actor=actor, action="audit.checkpoint_signed",
        object_type="checkpoint", object_id=checkpoint.pk,
        payload={"sequence": checkpoint.sequence, "hash": checkpoint.hash,
                 "time": hashchain.format_timestamp(checkpoint.created_at), "signer": signer},
    )  # fmt: skip
    return checkpoint


def _sign(data: bytes) -> tuple[bytes, str]:
    """A detached CMS signature (SHA-256) over the data, carrying the signer's certificate."""
    try:
        with configured_signer() as signer:
            content = asyncio.run(signer.async_sign_general_data(data, "sha256", detached=True))
            name = signer.signing_cert.subject.human_friendly
    except SigningFailed:
        raise
    except Exception as exc:
        raise SigningFailed(f"signing the checkpoint failed: {exc.__class__.__name__}") from exc
    return content.dump(), name


class CheckpointsFailed(Exception):
    """Some institutions' heads could not be signed; the others were."""

    def __init__(self, signed: int, failures: dict[str, str]):
        self.signed, self.failures = signed, failures
        listed = "; ".join(f"{code}: {error}" for code, error in failures.items())
        super().__init__(f"{signed} checkpoint(s) signed, {len(failures)} failed ({listed})")


def sign_daily() -> int:
    """One checkpoint for each institution whose chain moved since its last one; how many.

    Each institution in its own transaction: one that fails is reported (CheckpointsFailed,
    after the rest were signed) and does not keep the others unsigned.
    """
    signed, failures = 0, {}
    for institution in Institution.objects.order_by("code"):
        try:
            signed += _sign_if_moved(institution)
        except Exception as error:
            logger.exception("checkpoint of %s failed", institution.code)
            failures[institution.code] = str(error) or error.__class__.__name__
    if failures:
        raise CheckpointsFailed(signed, failures)
    return signed


def _sign_if_moved(institution: Institution) -> int:
    with transaction.atomic():
        head = log.locked_head(institution)
        last = Checkpoint.objects.filter(institution=institution).order_by("-created_at")
        last = last.values_list("sequence", flat=True).first()
        if head.sequence == 0 or _only_checkpoint_since(institution, last, head.sequence):
            return 0
        sign_checkpoint(institution=institution)
        return 1


def _only_checkpoint_since(institution: Institution, last: int | None, head: int) -> bool:
    """Nothing happened since the last checkpoint but the recording of that checkpoint."""
    if last is None:
        return False
    later = AuditEvent.objects.filter(institution=institution, sequence__gt=last)
    return not later.exclude(action="audit.checkpoint_signed").exists() and head <= last + 1
