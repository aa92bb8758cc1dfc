"""The administrator's changes to the catalogue and the eligibility records are audited with a diff;
legal texts and granted titles are kept, and a decision keeps the legal bases as it cited them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from audit import log
from audit.models import AuditEvent
from decisions.models import Decision
from dossiers import admin_changes
from dossiers.models import (
    AnnualRating,
    AwardType,
    DisciplinaryRecord,
    DisciplineLevel,
    DocumentKind,
    LegalBasis,
    Period,
    Rating,
    RecognisedInitiative,
    State,
    TitleRecord,
)
from tests.conftest import make_person
from tests.factories import audit_mark, dossier_in, events_after, login


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", password="pw-for-tests")


@pytest.fixture
def client(admin_user):
    return login(admin_user)


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def form_data(client, url: str, **changes) -> dict:
    """What the admin's form would send back unchanged, with `changes` applied."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            value = "on" if value else None
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        if value not in (None, ""):
            data[name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def award(institution, code="advanced_worker") -> AwardType:
    return AwardType.objects.get(institution=institution, code=code)


def test_changing_an_award_types_threshold_in_the_admin_records_old_and_new_values(
    institution, client
):
    advanced = award(institution)
    mark = audit_mark()

    response = client.post(
        change_url(advanced), form_data(client, change_url(advanced), vote_threshold_percent="60")
    )

    assert response.status_code == 302
    event = events_after(mark).get()
    assert event.action == "catalogue.changed"
    assert (event.object_type, event.object_id) == ("award_type", str(advanced.pk))
    assert event.payload["changes"] == {"vote_threshold_percent": ["50.00", "60.00"]}
    assert event.actor_name == "admin" and event.role == "administrator"


def test_changing_the_quorum_and_the_required_documents_is_one_event_with_both_diffs(
    institution, client
):
    advanced = award(institution)
    before = sorted(advanced.required_document_kinds.values_list("pk", flat=True))
    extra = DocumentKind.objects.exclude(pk__in=before).order_by("pk").first()
    mark = audit_mark()

    client.post(
        change_url(advanced),
        form_data(
            client, change_url(advanced), quorum_percent="75",
            required_document_kinds=[str(pk) for pk in [*before, extra.pk]],
        ),
    )  # fmt: skip

    (event,) = events_after(mark)
    assert event.payload["changes"] == {
        "quorum_percent": ["50.00", "75.00"],
        "required_document_kinds": [before, sorted([*before, extra.pk])],
    }


def test_saving_an_award_type_unchanged_records_nothing(institution, client):
    advanced = award(institution)
    mark = audit_mark()

    client.post(change_url(advanced), form_data(client, change_url(advanced)))

    assert not events_after(mark).exists()


def test_a_change_whose_audit_event_fails_is_not_stored(institution, admin_user, monkeypatch):
    advanced = award(institution)

    def refuse(**kwargs):
        raise RuntimeError("the trail is unavailable")

    monkeypatch.setattr(log, "append", refuse)
    advanced.vote_threshold_percent = Decimal(90)
    actor = log.Actor(person=None, role="administrator", name="admin")

    with pytest.raises(RuntimeError):
        admin_changes.save_object(advanced, actor=actor, write=advanced.save)

    advanced.refresh_from_db()
    assert advanced.vote_threshold_percent == Decimal(50)


@pytest.fixture
def records(institution, period, unit_a):
    person = make_person(institution, unit_a)
    common = {"institution": institution, "person": person, "period": period}
    return {
        "rating": AnnualRating.objects.create(**common, rating=Rating.COMPLETED),
        "discipline": DisciplinaryRecord.objects.create(
            **common, level=DisciplineLevel.REPRIMAND, decided_on=datetime.date(2026, 3, 1)
        ),
        "initiative": RecognisedInitiative.objects.create(
            **common, kind="initiative", scope="grassroots", title="Sáng kiến cũ",
            recognised_on=datetime.date(2026, 4, 1),
        ),
        "title": TitleRecord.objects.create(
            institution=institution, person=person, award_type=award(institution), year=2024,
            source=TitleRecord.Source.IMPORTED,
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("record", "field", "old", "new"),
    [
        ("rating", "rating", Rating.COMPLETED, Rating.COMPLETED_EXCELLENTLY),
        ("discipline", "level", DisciplineLevel.REPRIMAND, DisciplineLevel.WARNING),
        ("initiative", "title", "Sáng kiến cũ", "Sáng kiến đã sửa"),
        ("title", "year", 2024, 2023),
    ],
)
def test_an_admin_edit_of_an_eligibility_record_is_audited_with_its_diff(
    records, client, record, field, old, new
):
    obj = records[record]
    mark = audit_mark()

    response = client.post(
        change_url(obj),
        form_data(
            client, change_url(obj), **{field: str(int(new) if isinstance(new, int) else new)}
        ),
    )

    assert response.status_code == 302
    event = events_after(mark).get()
    assert event.action == "record.changed"
    assert event.payload["changes"] == {field: [old, new]}


def test_a_persons_edit_in_the_admin_is_audited_with_its_diff(institution, unit_a, unit_b, client):
    person = make_person(institution, unit_a, position="Giảng viên")
    url = change_url(person)
    data = form_data(client, url, unit=str(unit_b.pk), position="Trưởng bộ môn")
    data.update({f"role_assignments-{n}": "0" for n in ("TOTAL_FORMS", "INITIAL_FORMS")})
    mark = audit_mark()

    response = client.post(url, data)

    assert response.status_code == 302
    event = events_after(mark).get()
    assert (event.action, event.object_type, event.role) == (
        "record.changed", "person", "administrator"
    )  # fmt: skip
    assert event.payload["changes"] == {
        "unit": [unit_a.pk, unit_b.pk], "position": ["Giảng viên", "Trưởng bộ môn"]
    }  # fmt: skip


def test_a_disciplinary_record_added_in_the_admin_is_audited_as_created(
    institution, period, unit_a, client
):
    person = make_person(institution, unit_a)
    mark = audit_mark()

    client.post(
        reverse("admin:dossiers_disciplinaryrecord_add"),
        {"institution": institution.pk, "person": person.pk, "period": period.pk,
         "level": DisciplineLevel.WARNING, "decided_on": "2026-05-02", "note": ""},
    )  # fmt: skip

    record = DisciplinaryRecord.objects.get(person=person)
    event = events_after(mark).get()
    assert (event.action, event.object_id) == ("record.created", str(record.pk))
    assert event.payload["changes"]["level"] == [None, DisciplineLevel.WARNING]


def test_deleting_a_period_nothing_refers_to_records_its_last_values(institution, client):
    spare = Period.objects.create(
        institution=institution, name="Năm 2030", kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2030, 1, 1), ends_on=datetime.date(2030, 12, 31),
    )  # fmt: skip
    mark = audit_mark()

    client.post(reverse("admin:dossiers_period_delete", args=[spare.pk]), {"post": "yes"})

    assert not Period.objects.filter(pk=spare.pk).exists()
    event = events_after(mark).get()
    assert event.action == "catalogue.deleted"
    assert event.payload["changes"]["name"] == ["Năm 2030", None]


def test_a_shared_legal_basis_edit_is_recorded_in_every_institutions_trail(
    institution, other_institution, client
):
    basis = LegalBasis.objects.order_by("pk").first()
    mark = audit_mark()

    client.post(change_url(basis), form_data(client, change_url(basis), title="Luật đã sửa"))

    events = list(events_after(mark))
    assert {e.institution_id for e in events} == {institution.pk, other_institution.pk}
    assert {e.action for e in events} == {"catalogue.changed"}


# Nothing cited is lost


@pytest.fixture
def signed(institution, period, unit_a, media):
    dossier = dossier_in(State.SIGNED, period, unit_a)
    return Decision.objects.get(items__dossier=dossier, state=Decision.State.SIGNED)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_legal_basis_cited_by_a_signed_decision_cannot_be_deleted_in_the_admin(signed, client):
    basis = signed.legal_bases.order_by("pk").first()
    cited = signed.citations.count()

    response = client.post(
        reverse("admin:dossiers_legalbasis_delete", args=[basis.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert LegalBasis.objects.filter(pk=basis.pk).exists()
    assert signed.citations.count() == cited


def test_a_legal_basis_cited_by_a_decision_cannot_be_deleted_at_all(signed):
    basis = signed.legal_bases.order_by("pk").first()

    with pytest.raises(ProtectedError):
        basis.delete()


def test_a_signed_decision_keeps_its_legal_bases_as_cited_when_a_text_is_edited(signed, client):
    basis = signed.legal_bases.order_by("pk").first()
    as_cited = basis.title

    client.post(change_url(basis), form_data(client, change_url(basis), title="Tên đã đổi"))

    basis.refresh_from_db()
    assert basis.title == "Tên đã đổi"
    assert signed.citations.get(legal_basis=basis).title == as_cited


def test_archiving_a_legal_basis_is_audited_and_new_decisions_no_longer_cite_it(
    institution, client
):
    from decisions.services import default_recitals

    basis = award(institution).legal_bases.order_by("pk").first()
    mark = audit_mark()

    client.post(
        reverse("admin:dossiers_legalbasis_changelist"),
        {"action": "archive", "_selected_action": [basis.pk]},
    )

    basis.refresh_from_db()
    assert basis.archived_at is not None
    assert {e.action for e in events_after(mark)} == {"catalogue.archived"}
    assert basis.code not in default_recitals(award(institution), institution)


def test_a_document_kind_an_award_requires_cannot_be_deleted_and_the_admin_says_why(
    institution, client
):
    required = award(institution).required_document_kinds.order_by("pk").first()

    response = client.post(
        reverse("admin:dossiers_documentkind_delete", args=[required.pk]), {"post": "yes"}
    )

    assert response.status_code == 200  # the admin's "cannot delete" page, not a 500
    assert str(AwardType._meta.verbose_name_plural) in response.content.decode()
    assert award(institution).required_document_kinds.filter(pk=required.pk).exists()


def test_a_title_granted_by_a_signed_decision_can_be_neither_changed_nor_deleted(signed, client):
    granted = TitleRecord.objects.get(source=TitleRecord.Source.GRANTED)

    change = client.post(change_url(granted), form_data(client, change_url(granted), year="2000"))
    delete = client.post(
        reverse("admin:dossiers_titlerecord_delete", args=[granted.pk]), {"post": "yes"}
    )

    granted.refresh_from_db()
    assert change.status_code == 403
    assert delete.status_code == 200  # the admin's "cannot delete" page
    assert TitleRecord.objects.get(pk=granted.pk).year != 2000
    assert not AuditEvent.objects.filter(object_type="title_record").exists()
