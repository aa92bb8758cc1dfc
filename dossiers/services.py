"""Writing dossiers and their documents. State changes go through workflow.services only."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from audit import log
from dossiers.models import (
    AwardType,
    Document,
    DocumentKind,
    Dossier,
    Movement,
    Period,
    Person,
    State,
    Unit,
)
from dossiers.uploads import check_upload
from workflow import permissions, process
from workflow.errors import DossierNotFound, IllegalTransition, NotPermitted, StaleVersion

EDITABLE_FIELDS = ("achievement_summary", "nominee_person_id", "nominee_unit_id", "award_type_id",
                   "movement_id")  # fmt: skip


def create_dossier(
    *,
    person: Person,
    unit: Unit,
    period: Period,
    award_type: AwardType,
    achievement_summary: str,
    nominee_person: Person | None = None,
    nominee_unit: Unit | None = None,
    documents: list[tuple[DocumentKind, object]] = (),
    movement: Movement | None = None,
    client_address: str = "",
) -> Dossier:
    """A new draft of the unit, with its first documents; audited as one event per write."""
    acting = permissions.may(person, "dossier.create", unit)
    if acting is None:
        raise NotPermitted()
    checked = [(kind, upload, check_upload(upload)) for kind, upload in documents]
    actor = log.Actor.acting(person, acting, client_address)
    with files_removed_on_failure() as stored:
        dossier = Dossier(
            institution_id=unit.institution_id,
            unit=unit,
            period=period,
            award_type=award_type,
            nominee_person=nominee_person,
            nominee_unit=nominee_unit,
            achievement_summary=achievement_summary,
            movement=movement,
            created_by=person,
        )
        dossier.full_clean()
        dossier.save()
        process.start(dossier)
        _audit_content_change(dossier, actor, "dossier.created", {"fields": _snapshot(dossier)})
        for kind, upload, check in checked:
            _store_document(dossier, kind, upload, check, actor, stored)
    return dossier


def update_dossier(
    *, dossier_id: int, person: Person, expected_version: int, client_address: str = "", **changes
) -> Dossier:
    """Change a draft or returned dossier's fields; the audit event holds the field diff."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        dossier, acting = _locked_for_edit(dossier_id, person, expected_version)
        before = _snapshot(dossier)
        for field, value in changes.items():
            setattr(dossier, field, value)
        dossier.full_clean()
        after = _snapshot(dossier)
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not diff:
            return dossier
        dossier.version += 1
        dossier.save()
        actor = log.Actor.acting(person, acting, client_address)
        _audit_content_change(dossier, actor, "dossier.edited", {"changes": diff})
        return dossier


def add_document(
    *,
    dossier_id: int,
    person: Person,
    expected_version: int,
    kind: DocumentKind,
    upload,
    client_address: str = "",
) -> Document:
    checked = check_upload(upload)
    with files_removed_on_failure() as stored:
        dossier, acting = _locked_for_edit(dossier_id, person, expected_version)
        actor = log.Actor.acting(person, acting, client_address)
        document = _store_document(dossier, kind, upload, checked, actor, stored)
        dossier.version += 1
        dossier.save(update_fields=["version", "updated_at"])
    return document


def remove_document(
    *, document_id: int, person: Person, expected_version: int, client_address: str = ""
) -> None:
    """Take a document out of the dossier.

    In draft nobody else has seen it: the row and its file go. Once the dossier has left draft
    the document is marked superseded and its file kept, so the history shows what was seen.
    """
    with transaction.atomic():
        document = (
            Document.objects.filter(
                pk=document_id, institution_id=person.institution_id, superseded_at__isnull=True
            )
            .select_related("kind")
            .first()
        )
        if document is None:
            raise DossierNotFound()
        dossier, acting = _locked_for_edit(document.dossier_id, person, expected_version)
        actor = log.Actor.acting(person, acting, client_address)
        payload = {"document": _describe(document)}
        if dossier.state == State.DRAFT:
            _audit_content_change(dossier, actor, "dossier.document_removed", payload)
            file = document.file
            document.delete()
            transaction.on_commit(lambda: file.storage.delete(file.name))
        else:
            document.superseded_at, document.superseded_by = timezone.now(), person
            document.save(update_fields=["superseded_at", "superseded_by"])
            _audit_content_change(dossier, actor, "dossier.document_superseded", payload)
        dossier.version += 1
        dossier.save(update_fields=["version", "updated_at"])


def _locked_for_edit(dossier_id: int, person: Person, expected_version: int):
    dossier = (
        Dossier.objects.select_for_update()
        .filter(pk=dossier_id, institution_id=person.institution_id)
        .first()
    )
    if dossier is None:
        raise DossierNotFound()
    acting = permissions.may(person, "dossier.edit", dossier)
    if acting is None:
        raise NotPermitted()
    if dossier.version != expected_version:
        raise StaleVersion()
    if not dossier.is_editable:
        raise IllegalTransition()
    return dossier, acting


def _store_document(dossier, kind, upload, checked, actor, stored: list) -> Document:
    """Write the file under a random name, then its row and audit event; `stored` tracks files."""
    document = Document(
        institution_id=dossier.institution_id,
        dossier=dossier,
        kind=kind,
        storage_name=f"{uuid.uuid4().hex}{checked.extension}",
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor.person,
    )
    upload.seek(0)
    document.file.save(document.storage_name, upload, save=False)
    stored.append(document)
    document.save()
    # The latest superseded document of the kind not yet replaced is replaced by this one.
    replaced = (
        Document.objects.filter(
            dossier=dossier, kind=kind, superseded_at__isnull=False, replaced_by__isnull=True
        )
        .order_by("-superseded_at", "-pk")
        .first()
    )
    if replaced is not None:
        replaced.replaced_by = document
        replaced.save(update_fields=["replaced_by"])
    _audit_content_change(
        dossier, actor, "dossier.document_added", {"document": _describe(document)}
    )
    return document


def _audit_content_change(dossier: Dossier, actor: log.Actor, action: str, payload: dict):
    """A change of a dossier's content; its state stays what it was (`created`: its first)."""
    return log.append(
        institution=dossier.institution,
        actor=actor,
        action=action,
        object_type="dossier",
        object_id=dossier.pk,
        from_state="" if action == "dossier.created" else dossier.state,
        to_state=dossier.state,
        payload=payload,
    )


class files_removed_on_failure:
    """A transaction that deletes the files it stored when it rolls back: no orphan files."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.stored: list = []
        return self.stored

    def __exit__(self, exc_type, exc, tb):
        try:
            self.atomic.__exit__(exc_type, exc, tb)
        except BaseException:
            self._remove_files()
            raise
        if exc_type is not None:
            self._remove_files()
        return False

    def _remove_files(self):
        for stored in self.stored:
            # A dossier's Document, or the FieldFile of another model's file (a movement's plan).
            field_file = stored.file if isinstance(stored, Document) else stored
            field_file.storage.delete(field_file.name)


def _snapshot(dossier: Dossier) -> dict:
    return {
        "award_type_id": dossier.award_type_id,
        "nominee_person_id": dossier.nominee_person_id,
        "nominee_unit_id": dossier.nominee_unit_id,
        "achievement_summary": dossier.achievement_summary,
        "movement_id": dossier.movement_id,
    }


def _describe(document: Document) -> dict:
    return {
        "id": document.pk,
        "name": document.original_name,
        "kind": document.kind.code,
        "sha256": document.sha256,
        "size": document.size,
    }
