"""Hot queries compiled once (dossiers.prepared): the same objects as the queryset, every time."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from dossiers.models import Dossier, RoleAssignment, State
from dossiers.prepared import PreparedQuery
from tests.factories import dossier_in
from workflow import permissions, separation, services


def _dossiers(*, institution_id, ids):
    return (
        Dossier.objects.filter(institution_id=institution_id, pk__in=ids)
        .select_related("award_type", "unit", "nominee_person")
        .order_by("pk")
    )


def _shown(dossier):
    """What a caller reads of a dossier and its related rows."""
    return (
        {f.attname: getattr(dossier, f.attname) for f in Dossier._meta.concrete_fields},
        dossier.award_type.name,
        dossier.unit.name,
        dossier.nominee_person.full_name if dossier.nominee_person_id else None,
    )


def test_prepared_objects_equal_the_querysets_with_their_related_rows(period, unit_a):
    made = [dossier_in(State.SUBMITTED, period, unit_a) for _ in range(3)]
    prepared = PreparedQuery(_dossiers)
    ids = [made[2].pk, made[0].pk]
    expected = [_shown(d) for d in _dossiers(institution_id=period.institution_id, ids=ids)]
    for _ in range(2):  # the first fetch compiles, the second reuses the compiled query
        found = prepared.fetch(institution_id=period.institution_id, ids=ids)
        assert [_shown(d) for d in found] == expected
    assert len(expected) == 2


def test_a_prepared_query_binds_each_calls_values(period, unit_a, other_institution):
    first, second = (dossier_in(State.SUBMITTED, period, unit_a) for _ in range(2))
    prepared = PreparedQuery(_dossiers)
    assert [d.pk for d in prepared.fetch(institution_id=period.institution_id, ids=[first.pk])] == [
        first.pk
    ]
    assert [
        d.pk for d in prepared.fetch(institution_id=period.institution_id, ids=[second.pk])
    ] == [second.pk]
    assert prepared.fetch(institution_id=other_institution.pk, ids=[second.pk]) == []


def test_a_prepared_query_runs_one_query_without_compiling_again(period, unit_a):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    prepared = PreparedQuery(_dossiers)
    prepared.fetch(institution_id=period.institution_id, ids=[dossier.pk])
    compiled = prepared._plans.copy()
    with CaptureQueriesContext(connection) as queries:
        prepared.fetch(institution_id=period.institution_id, ids=[dossier.pk])
    assert len(queries.captured_queries) == 1
    assert prepared._plans == compiled


def test_annotations_arrive_on_the_objects(period, unit_a, head_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)  # submitted by the unit head
    prepared = PreparedQuery(
        lambda *, ids, person_id: separation.with_submitted_by(
            Dossier.objects.filter(pk__in=ids), person_id
        )
    )
    assert prepared.fetch(ids=[dossier.pk], person_id=head_a.pk)[0].submitted_by_asker is True
    assert prepared.fetch(ids=[dossier.pk], person_id=reviewer.pk)[0].submitted_by_asker is False


def test_date_parameters_are_bound_on_every_backend(institution, head_a):
    prepared = PreparedQuery(
        lambda *, person_id, on: RoleAssignment.objects.active(on).filter(person_id=person_id)
    )
    today = datetime.date.today()
    assert [a.role for a in prepared.fetch(person_id=head_a.pk, on=today)] == ["unit_head"]
    assert prepared.fetch(person_id=head_a.pk, on=datetime.date(1990, 1, 1)) == []


def test_a_parameter_django_transforms_falls_back_to_the_orm(period, unit_a):
    """object_id is text: the id reaches the SQL as a string, which cannot be told apart."""
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    prepared = PreparedQuery(
        lambda *, dossier_id: AuditEvent.objects.filter(object_id=str(dossier_id))
    )
    events = prepared.fetch(dossier_id=dossier.pk)
    assert events and {e.object_id for e in events} == {str(dossier.pk)}
    assert False in prepared._plans.values()


def test_an_empty_list_finds_nothing(period, unit_a):
    assert PreparedQuery(_dossiers).fetch(institution_id=period.institution_id, ids=[]) == []


def test_a_list_longer_than_the_longest_prepared_goes_through_the_orm(period, unit_a):
    made = [dossier_in(State.SUBMITTED, period, unit_a) for _ in range(3)]
    prepared = PreparedQuery(_dossiers)
    prepared.LONGEST_LIST = 2
    found = prepared.fetch(institution_id=period.institution_id, ids=[d.pk for d in made])
    assert [d.pk for d in found] == sorted(d.pk for d in made)
    assert prepared._plans == {}


@pytest.mark.django_db(transaction=True)
def test_a_prepared_lock_outside_a_transaction_is_refused_as_django_refuses_it(
    period, unit_a, is_postgres
):
    if not is_postgres:
        pytest.skip("SQLite has no row locks: Django runs select_for_update there anywhere")
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    prepared = PreparedQuery(
        lambda *, dossier_id: Dossier.objects.select_for_update().filter(pk=dossier_id)
    )
    with transaction.atomic():
        assert prepared.fetch(dossier_id=dossier.pk)[0].pk == dossier.pk
    with pytest.raises(TransactionManagementError):
        prepared.fetch(dossier_id=dossier.pk)


def test_the_doors_lock_reads_what_the_orm_reads(period, unit_a, reviewer):
    dossier = dossier_in(State.SUBMITTED, period, unit_a)
    with transaction.atomic():
        locked = services.lock_dossiers(reviewer, [dossier.pk], submitted_by=reviewer)[0]
    assert _shown(locked) == _shown(Dossier.objects.get(pk=dossier.pk))
    assert locked.period == dossier.period
    assert locked.known_submitters == {reviewer.pk: False}


def test_delegated_roles_are_read_by_the_prepared_assignments(period, unit_a, head_a, staff_a):
    from dossiers.models import Delegation

    Delegation.objects.create(
        institution=period.institution, delegator=head_a, delegate=staff_a, role="unit_head",
        starts_on=datetime.date.today(), ends_on=datetime.date.today(), reason="Nghỉ phép",
    )  # fmt: skip
    roles = {(a.role, a.on_behalf_of) for a in permissions.actings(staff_a)}
    assert ("unit_head", head_a) in roles
    # and the same query, built by the ORM, agrees
    lent = Delegation.objects.active().filter(
        delegate=staff_a, delegator_id=OuterRef("person_id"), role=OuterRef("role")
    )
    assert RoleAssignment.objects.active().filter(Exists(lent)).count() == 1


def test_a_signed_in_browser_keeps_its_session_and_an_expired_one_is_signed_out(client, head_a):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(head_a.user)
    assert client.get("/dossiers/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/dossiers/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_string_and_datetime_parameters_are_bound(head_a):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    now = timezone.now()
    Session.objects.create(session_key="k" * 32, session_data="x", expire_date=now)
    prepared = PreparedQuery(
        lambda *, key, moment: Session.objects.filter(session_key=key, expire_date__gt=moment)
    )
    earlier = now - datetime.timedelta(minutes=1)
    assert [s.session_key for s in prepared.fetch(key="k" * 32, moment=earlier)] == ["k" * 32]
    assert prepared.fetch(key="k" * 32, moment=now) == []
    assert prepared.fetch(key="z" * 32, moment=earlier) == []
    assert False not in prepared._plans.values()
