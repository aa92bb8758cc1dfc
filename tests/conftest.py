"""Shared fixtures: a small institution with one person per role, built through the real models."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from dossiers.catalogue_defaults import install_award_catalogue
from dossiers.models import Institution, Period, Person, Rating, Role, RoleAssignment, Unit

_counter = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need row locks and real concurrency; SQLite cannot give them."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in CI's PostgreSQL pass)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Two-role runs create and migrate the test database as the owner (tests/harness.py)."""
    from tests import harness

    harness.connect_as_owner()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then the tests run as the application's role; the owner drops the database at the end."""
    from tests import harness

    with django_db_blocker.unblock():
        harness.connect_as_application()
    yield
    harness.connect_as_owner()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Transactional tests end with a flush, which the trail's triggers (rightly) refuse."""
    from django.db import connections

    from tests import harness

    operations = connections["default"].ops.__class__
    original = operations.execute_sql_flush
    operations.execute_sql_flush = harness.flush_past_triggers(original)
    yield
    operations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language: a request in English (the locale
    middleware activates its language for the thread) must not carry over to the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: API throttle counts never carry over."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def institution(db):
    inst = Institution.objects.create(
        code="test-college",
        name="Trường Cao đẳng Thử nghiệm",
        short_name="CĐTN",
        parent_body="UBND TỈNH BẮC NINH",
        place="Bắc Ninh",
        decision_series="QĐ-CĐTN",
    )
    install_award_catalogue(inst)
    return inst


@pytest.fixture
def other_institution(db):
    inst = Institution.objects.create(
        code="other-college",
        name="Trường Cao đẳng Khác",
        short_name="CĐK",
        parent_body="UBND TỈNH BẮC NINH",
        place="Bắc Ninh",
        decision_series="QĐ-CĐK",
    )
    install_award_catalogue(inst)
    return inst


@pytest.fixture
def period(institution):
    return Period.objects.create(
        institution=institution,
        name="Năm 2026",
        kind=Period.Kind.CALENDAR_YEAR,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        is_current=True,
    )


def make_unit(institution, code="khoa-a", name="Khoa A", kind=Unit.Kind.FACULTY) -> Unit:
    return Unit.objects.create(institution=institution, code=code, name=name, kind=kind)


def make_person(institution, unit, *, roles=(), role_unit=None, username=None, **fields) -> Person:
    """A person with a login account and the given roles (unit-scoped ones scoped to role_unit)."""
    n = next(_counter)
    user = get_user_model().objects.create_user(
        username=username or f"user{n}", password="pw-for-tests"
    )
    fields.setdefault("full_name", f"Người Thử {n}")
    fields.setdefault("gender", Person.Gender.FEMALE)
    person = Person.objects.create(institution=institution, unit=unit, user=user, **fields)
    for role in roles:
        RoleAssignment.objects.create(
            institution=institution,
            person=person,
            role=role,
            unit=(role_unit or unit) if role in Role.UNIT_SCOPED else None,
            valid_from=datetime.date(2020, 1, 1),
        )
    return person


@pytest.fixture
def unit_a(institution):
    return make_unit(institution, "khoa-a", "Khoa Toán")


@pytest.fixture
def unit_b(institution):
    return make_unit(institution, "khoa-b", "Khoa Văn")


@pytest.fixture
def head_a(institution, unit_a):
    return make_person(institution, unit_a, roles=[Role.UNIT_HEAD], username="head_a")


@pytest.fixture
def head_b(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.UNIT_HEAD], username="head_b")


@pytest.fixture
def reviewer(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.REVIEWER], username="reviewer")


@pytest.fixture
def principal(institution, unit_b):
    return make_person(
        institution, unit_b, roles=[Role.PRINCIPAL, Role.COUNCIL_MEMBER], username="principal"
    )


@pytest.fixture
def auditor(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.AUDITOR], username="auditor")


@pytest.fixture
def staff_a(institution, unit_a):
    return make_person(institution, unit_a, username="staff_a")


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="tai-lieu.pdf", content=PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_dossier(
    period,
    unit,
    *,
    nominee=None,
    award="advanced_worker",
    documents=True,
    rating=Rating.COMPLETED_WELL,
):
    """A draft of `unit` created through the service, with every required document (unless
    `documents=False`) and an eligible nominee (rated `rating` for the period).

    Later states: `tests.factories.dossier_in(state, ...)`, which walks the real services.
    """
    from dossiers.models import AnnualRating
    from tests.factories import draft

    if isinstance(nominee, Person) and rating:
        AnnualRating.objects.get_or_create(
            institution=unit.institution, person=nominee, period=period, defaults={"rating": rating}
        )
    return draft(period, unit, award=award, nominee=nominee, documents=documents, rating=rating)


@pytest.fixture
def secretary(institution, unit_b):
    return make_person(
        institution,
        unit_b,
        roles=[Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER],
        username="secretary",
    )


@pytest.fixture
def council_member(institution, unit_b):
    return make_person(institution, unit_b, roles=[Role.COUNCIL_MEMBER], username="member")


def put_on_agenda(dossier, meeting_state="open", *, recommended=None):
    """Put a dossier on a hand-made meeting's agenda in a given meeting state.

    Only for a situation the council's services cannot produce (a closed tally disagreeing with
    a dossier still voting, say); a dossier on a real meeting comes from tests.factories
    (`dossier_in`, `open_vote`). With `recommended`, the item carries that outcome as if the
    vote had been closed on it.
    """
    from django.utils import timezone

    from council.models import AgendaItem, Meeting

    chair = Person.objects.filter(institution=dossier.institution).first()
    meeting = Meeting.objects.create(
        institution=dossier.institution, period=dossier.period, title="Phiên họp thử",
        held_on=timezone.now(), place="Phòng họp A", chair=chair, secretary=chair,
    )  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(
        state=meeting_state, closed_at=timezone.now() if meeting_state == "closed" else None
    )
    return AgendaItem.objects.create(
        meeting=meeting, dossier=dossier, position=1, recommended=recommended
    )


def put_in_signed_decision(dossier, kind="award"):
    """Include a dossier in a decision marked signed by hand, not by sign_decision.

    Only for a decision that must disagree with the trail (the integrity checks); a signed
    decision comes from tests.factories (`dossier_in(State.SIGNED, ...)`, `sign`).
    """
    from decisions.models import Decision, DecisionItem

    creator = Person.objects.filter(institution=dossier.institution).first()
    decision = Decision.objects.create(
        institution=dossier.institution, kind=kind, state=Decision.State.SIGNED,
        award_type=dossier.award_type, subject="Về việc tặng danh hiệu", recitals="Căn cứ …;",
        created_by=creator, series=dossier.institution.decision_series,
    )  # fmt: skip
    DecisionItem.objects.create(decision=decision, dossier=dossier, position=1)
    return decision


THREAD_TIMEOUT = 60


def run_together(count: int, work) -> list[object]:
    """work(0..count-1) in `count` threads released at once; each result, or the exception.

    For PostgreSQL race tests: each thread has its own connection, closed when it is done.
    """
    import threading

    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def body(index: int) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting (deadlock?)"
    return results
