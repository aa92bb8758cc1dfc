"""Where a signed decision's PDF is written: under a temporary name until the signing commits.

A signing that dies (an error, a rollback, a killed server) therefore never leaves a validly
signed PDF under a decision's name. `sweep` removes temporary files older than
SIGNING_LEFTOVER_MINUTES (finishing the rename instead when the signing did commit and only the
rename was lost), and final-named files that no decision refers to: they were never issued.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from decisions.models import Decision

PENDING_DIR = "decisions/.pending"
PREPARED_DIR = "decisions/.prepared"
FINAL_DIR = "decisions"


def storage():
    return Decision._meta.get_field("pdf").storage


def stage(final_name: str, data: bytes) -> str:
    """Write the signed PDF under a temporary name that records its final one; return it."""
    temporary = f"{PENDING_DIR}/{uuid.uuid4().hex}--{final_name.replace('/', '__')}"
    return storage().save(temporary, ContentFile(data))


def final_name_of(temporary: str) -> str:
    return os.path.basename(temporary).split("--", 1)[1].replace("__", "/")


def promote(temporary: str, final_name: str) -> None:
    """Give the staged file its final name (called once the signing has committed)."""
    files = storage()
    if isinstance(files, FileSystemStorage):
        target = files.path(final_name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(files.path(temporary), target)
    else:  # object storage has no rename
        with files.open(temporary, "rb") as staged:
            files.save(final_name, staged)
        files.delete(temporary)


def discard(temporary: str) -> None:
    storage().delete(temporary)


@dataclass
class Sweep:
    removed_temporary: int = 0
    renamed: int = 0
    removed_unissued: int = 0

    def __str__(self) -> str:
        return (
            f"Signing leftovers: {self.removed_temporary} temporary files removed, "
            f"{self.renamed} renamed to the decision they belong to, "
            f"{self.removed_unissued} signed files of no decision removed."
        )


def sweep(*, unissued: bool = True) -> Sweep:
    """Clear what interrupted signings left; with `unissued`, also final-named orphans."""
    result = Sweep()
    _sweep_temporary(result)
    _sweep_prepared(result)
    if unissued:
        _sweep_unissued(result)
    return result


def _sweep_temporary(result: Sweep) -> None:
    files = storage()
    if not files.exists(PENDING_DIR):
        return
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.SIGNING_LEFTOVER_MINUTES)
    for name in files.listdir(PENDING_DIR)[1]:
        temporary = f"{PENDING_DIR}/{name}"
        if files.get_modified_time(temporary) > cutoff:
            continue  # a signing may still be under way
        final = final_name_of(temporary)
        if not files.exists(final) and _issued_as(final, temporary):
            promote(temporary, final)
            result.renamed += 1
        else:
            discard(temporary)
            result.removed_temporary += 1


def _sweep_prepared(result: Sweep) -> None:
    """Documents prepared for signing at the signer's computer that no preparation names."""
    from decisions.models import PreparedSigning

    files = storage()
    if not files.exists(PREPARED_DIR):
        return
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.SIGNING_LEFTOVER_MINUTES)
    names = [f"{PREPARED_DIR}/{name}" for name in files.listdir(PREPARED_DIR)[1]]
    kept = set(PreparedSigning.objects.filter(pdf__in=names).values_list("pdf", flat=True))
    for name in names:
        if name not in kept and files.get_modified_time(name) <= cutoff:
            files.delete(name)
            result.removed_temporary += 1


def _issued_as(final: str, temporary: str) -> bool:
    """Whether a signed decision names this file, with the hash of the temporary one."""
    digest = Decision.objects.filter(pdf=final).values_list("pdf_sha256", flat=True).first()
    if not digest:
        return False
    with storage().open(temporary, "rb") as staged:
        return hashlib.sha256(staged.read()).hexdigest() == digest


def _sweep_unissued(result: Sweep) -> None:
    files = storage()
    if not files.exists(FINAL_DIR):
        return
    for folder in files.listdir(FINAL_DIR)[0]:
        if folder.startswith("."):
            continue
        names = [
            f"{FINAL_DIR}/{folder}/{name}" for name in files.listdir(f"{FINAL_DIR}/{folder}")[1]
        ]
        issued = set(Decision.objects.filter(pdf__in=names).values_list("pdf", flat=True))
        for name in names:
            if name not in issued:
                files.delete(name)
                result.removed_unissued += 1
