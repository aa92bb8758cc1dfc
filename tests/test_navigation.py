"""The navigation offers each person the sections they may open, and no dead ends."""

from django.urls import reverse

from tests.factories import login


def test_a_unit_head_is_not_offered_the_decisions(head_a):
    client = login(head_a)
    assert reverse("decision_list") not in client.get("/").content.decode()


def test_the_principal_is_offered_the_decisions(principal):
    client = login(principal)
    assert reverse("decision_list") in client.get("/").content.decode()


def test_english_pages_write_dates_day_first(client, head_a, period):
    from django.utils import formats, translation

    with translation.override("en"):
        assert formats.date_format(period.submit_by or period.ends_on, "SHORT_DATE_FORMAT") == (
            (period.submit_by or period.ends_on).strftime("%d/%m/%Y")
        )
