"""The delegation pages: what I gave and received, a new delegation, ending one, the home link."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from dossiers.delegations import create_delegation
from dossiers.models import Delegation, Role
from tests.conftest import make_person, make_unit
from tests.factories import login

TODAY = timezone.localdate()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)
LIST, NEW = "/delegations/", "/delegations/new/"


def ddmmyyyy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def vice_principal(institution, unit_b):
    return make_person(
        institution, unit_b, roles=[Role.VICE_PRINCIPAL], username="vice", full_name="Phạm Văn Phó"
    )


@pytest.fixture
def as_principal(principal):
    return login(principal)


def lend(principal, vice_principal, **kw):
    return create_delegation(
        delegator=principal, delegate=vice_principal, role=Role.PRINCIPAL, starts_on=TODAY,
        ends_on=NEXT_WEEK, reason="Đi công tác", **kw,
    )  # fmt: skip


def form_data(delegate, **overrides) -> dict:
    return {
        "role": Role.PRINCIPAL,
        "delegate": delegate.pk,
        "starts_on": ddmmyyyy(TODAY),
        "ends_on": ddmmyyyy(NEXT_WEEK),
        "reason": "Đi công tác nước ngoài",
    } | overrides


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# The list


def test_the_list_shows_the_delegations_i_gave(as_principal, principal, vice_principal):
    delegation = lend(principal, vice_principal)

    response = as_principal.get(LIST)

    assert response.status_code == 200
    assert response.context["given"] == [delegation]
    assert response.context["received"] == []
    assert "Phạm Văn Phó" in response.content.decode()


def test_the_list_shows_the_delegations_i_received(principal, vice_principal):
    delegation = lend(principal, vice_principal)
    client = login(vice_principal)

    response = client.get(LIST)

    assert response.context["received"] == [delegation]
    assert response.context["given"] == []
    assert principal.full_name in response.content.decode()


def test_an_end_now_button_is_shown_on_a_delegation_i_gave(as_principal, principal, vice_principal):
    delegation = lend(principal, vice_principal)

    response = as_principal.get(LIST)

    assert reverse("delegation_end", args=[delegation.pk]) in response.content.decode()


def test_no_end_now_button_is_shown_on_a_delegation_i_received(principal, vice_principal):
    delegation = lend(principal, vice_principal)
    client = login(vice_principal)

    response = client.get(LIST)

    assert reverse("delegation_end", args=[delegation.pk]) not in response.content.decode()


def test_the_list_does_not_show_other_peoples_delegations(principal, vice_principal, reviewer):
    lend(principal, vice_principal)
    client = login(reviewer)

    response = client.get(LIST)

    assert (response.context["given"], response.context["received"]) == ([], [])


def test_the_list_needs_a_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def queries_of_the_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_with_five_delegations_as_with_one(
    as_principal, institution, unit_b, principal
):
    def give(n: int) -> None:
        vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])
        create_delegation(
            delegator=principal, delegate=vice, role=Role.PRINCIPAL,
            starts_on=TODAY + datetime.timedelta(days=10 * n),
            ends_on=TODAY + datetime.timedelta(days=10 * n + 5), reason="Đi công tác",
        )  # fmt: skip

    give(0)
    with_one = queries_of_the_list(as_principal)
    for n in range(1, 5):
        give(n)

    assert queries_of_the_list(as_principal) == with_one


# A new delegation


def test_the_form_offers_only_the_delegable_roles_i_hold(as_principal):
    response = as_principal.get(NEW)

    assert response.status_code == 200
    # The principal is also a council member, whose ballot cannot be lent.
    assert [value for value, _label in response.context["form"].fields["role"].choices] == [
        Role.PRINCIPAL
    ]


def test_the_form_offers_only_other_people_of_my_institution(
    as_principal, principal, vice_principal, other_institution
):
    outsider = make_person(other_institution, make_unit(other_institution), full_name="Người Ngoài")

    response = as_principal.get(NEW)

    offered = set(response.context["form"].fields["delegate"].queryset)
    assert vice_principal in offered
    assert principal not in offered
    assert outsider not in offered


def test_the_form_starts_today_written_day_first(as_principal):
    response = as_principal.get(NEW)

    assert f'value="{ddmmyyyy(TODAY)}"' in response.content.decode()


def test_posting_the_form_records_the_delegation(as_principal, principal, vice_principal):
    response = as_principal.post(NEW, form_data(vice_principal))

    assert response.status_code == 302
    assert response["Location"] == LIST
    delegation = Delegation.objects.get()
    assert (delegation.delegator, delegation.delegate, delegation.role) == (
        principal,
        vice_principal,
        Role.PRINCIPAL,
    )
    assert (delegation.starts_on, delegation.ends_on) == (TODAY, NEXT_WEEK)


def test_posting_the_form_audits_the_delegation_with_the_client_address(
    as_principal, vice_principal
):
    as_principal.post(NEW, form_data(vice_principal), REMOTE_ADDR="10.1.2.3")

    event = AuditEvent.objects.get(action="delegation.created")
    assert event.client_address == "10.1.2.3"
    assert event.object_id == str(Delegation.objects.get().pk)


def day_first_only(after: datetime.date) -> datetime.date:
    """A day whose dd/mm reading differs from mm/dd (e.g. 05/01 is not 1 May)."""
    day = after
    while day.day > 12 or day.day == day.month:
        day += datetime.timedelta(days=1)
    return day


def test_dates_are_read_day_first_also_on_the_english_pages(principal, vice_principal):
    principal.language = "en"
    principal.save()
    client = login(principal)
    until = day_first_only(NEXT_WEEK)

    client.post(NEW, form_data(vice_principal, ends_on=ddmmyyyy(until)))

    assert Delegation.objects.get().ends_on == until


def test_an_incomplete_form_shows_its_errors_and_stores_nothing(as_principal, vice_principal):
    response = as_principal.post(NEW, form_data(vice_principal, reason="", ends_on="31/02/2026"))

    assert response.status_code == 400  # an invalid form
    assert set(response.context["form"].errors) == {"reason", "ends_on"}
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="delegation.created").exists()


def test_a_refusal_of_the_service_is_shown_on_the_form_and_stores_nothing(as_principal, reviewer):
    response = as_principal.post(NEW, form_data(reviewer))

    assert response.status_code == 400  # refused by the service
    assert "delegate" in response.context["form"].errors
    assert not Delegation.objects.exists()
    assert not AuditEvent.objects.filter(action="delegation.created").exists()


def test_an_overlapping_delegation_is_refused_on_the_form(
    as_principal, institution, unit_b, principal, vice_principal
):
    lend(principal, vice_principal)
    second_vice = make_person(institution, unit_b, roles=[Role.VICE_PRINCIPAL])

    response = as_principal.post(NEW, form_data(second_vice))

    assert response.context["form"].non_field_errors()
    assert Delegation.objects.count() == 1


def test_a_person_without_a_delegable_role_gets_no_form(council_member):
    client = login(council_member)

    response = client.get(NEW)

    assert response.status_code == 302
    assert response["Location"] == LIST


def test_a_person_without_a_delegable_role_cannot_post_a_delegation(council_member, vice_principal):
    client = login(council_member)

    client.post(NEW, form_data(vice_principal, role=Role.COUNCIL_MEMBER))

    assert not Delegation.objects.exists()


def test_a_role_i_do_not_hold_cannot_be_posted(as_principal, reviewer):
    response = as_principal.post(NEW, form_data(reviewer, role=Role.REVIEWER))

    assert "role" in response.context["form"].errors
    assert not Delegation.objects.exists()


# Ending one early


def test_end_now_ends_my_delegation(as_principal, principal, vice_principal):
    delegation = lend(principal, vice_principal)

    response = as_principal.post(reverse("delegation_end", args=[delegation.pk]))

    assert response.status_code == 302
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="delegation.ended").exists()


def test_the_delegate_cannot_end_the_delegation_over_http(principal, vice_principal):
    delegation = lend(principal, vice_principal)
    client = login(vice_principal)

    response = client.post(reverse("delegation_end", args=[delegation.pk]), follow=True)

    assert messages_of(response)
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None
    assert not AuditEvent.objects.filter(action="delegation.ended").exists()


def test_ending_a_delegation_needs_a_post(as_principal, principal, vice_principal):
    delegation = lend(principal, vice_principal)

    response = as_principal.get(reverse("delegation_end", args=[delegation.pk]))

    assert response.status_code == 405
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is None


# The home page


def test_the_home_page_links_to_delegations_for_a_role_holder(as_principal):
    assert f'href="{LIST}"' in as_principal.get("/").content.decode()


def test_the_home_page_has_no_delegation_link_for_a_person_without_roles(staff_a):
    client = login(staff_a)

    assert f'href="{LIST}"' not in client.get("/").content.decode()


# The admin: for inspection only


def test_the_admin_lists_delegations(admin_client, principal, vice_principal):
    lend(principal, vice_principal)

    response = admin_client.get(reverse("admin:dossiers_delegation_changelist"))

    assert response.status_code == 200
    assert "Phạm Văn Phó" in response.content.decode()


def test_the_admin_shows_a_delegation_without_letting_it_be_changed(
    admin_client, principal, vice_principal
):
    delegation = lend(principal, vice_principal)
    change = reverse("admin:dossiers_delegation_change", args=[delegation.pk])

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"reason": "Sửa"}).status_code == 403
    assert admin_client.get(reverse("admin:dossiers_delegation_add")).status_code == 403
    assert Delegation.objects.get(pk=delegation.pk).reason == "Đi công tác"
