"""Long lists count a few pages past the one shown, and say "more than" when others follow."""

from __future__ import annotations

import pytest
from django.utils import translation

from dossiers import pagination
from dossiers.models import Dossier, State
from tests.factories import dossiers_in, login


def vi(text: str, **values) -> str:
    with translation.override("vi"):
        return str(translation.gettext(text)) % values


@pytest.fixture
def five_drafts(period, unit_a):
    return dossiers_in(State.DRAFT, period, unit_a, 5)


@pytest.fixture
def two_pages_ahead(monkeypatch):
    monkeypatch.setattr(pagination, "PAGES_AHEAD", 2)


def test_a_page_counts_no_further_than_the_pages_ahead_and_says_more_follow(
    five_drafts, two_pages_ahead
):
    page = pagination.limited_page(Dossier.objects.order_by("pk"), "1", per_page=1)

    assert page.paginator.num_pages == 3
    assert page.paginator.more
    assert page.has_next()


def test_a_page_near_the_end_counts_exactly_and_says_nothing_more_follows(
    five_drafts, two_pages_ahead
):
    page = pagination.limited_page(Dossier.objects.order_by("pk"), "4", per_page=1)

    assert page.paginator.num_pages == 5
    assert not page.paginator.more
    assert page.number == 4


def test_a_page_number_that_is_not_a_number_shows_the_first_page(five_drafts):
    page = pagination.limited_page(Dossier.objects.order_by("pk"), "abc", per_page=2)

    assert page.number == 1


def test_the_dossier_list_says_more_than_the_pages_it_counted(
    head_a, five_drafts, two_pages_ahead, monkeypatch
):
    monkeypatch.setattr("dossiers.views.PAGE_SIZE", 1)

    content = login(head_a).get("/dossiers/").content.decode()

    assert vi("Page %(n)s of more than %(total)s", n=1, total=3) in content
    assert "page=2" in content


def test_the_dossier_list_says_how_many_pages_when_it_counted_them_all(
    head_a, five_drafts, monkeypatch
):
    monkeypatch.setattr("dossiers.views.PAGE_SIZE", 2)

    content = login(head_a).get("/dossiers/").content.decode()

    assert vi("Page %(n)s of %(total)s", n=1, total=3) in content
