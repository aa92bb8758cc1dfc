"""Ids in query strings that no database column can hold are bad input, never a server error."""

import pytest

from tests.factories import login

TOO_BIG = "99999999999999999999"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/dossiers/", "period"),
        ("/dossiers/", "unit"),
        ("/tasks/", "unit"),
        ("/tasks/", "award"),
        ("/audit/", "dossier_id"),
        ("/audit/", "before"),
    ],
)
def test_a_page_ignores_or_refuses_an_id_too_large_for_the_database(auditor, path, parameter):
    client = login(auditor)
    assert client.get(path, {parameter: TOO_BIG}).status_code in (200, 400)


def test_an_export_refuses_an_actor_id_too_large_for_the_database(auditor):
    client = login(auditor)
    assert client.get("/audit/export.csv", {"actor_id": TOO_BIG}).status_code == 400


@pytest.mark.parametrize(
    "dates",
    [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"date_to": "31/12/9999"}],
)
def test_the_trail_page_refuses_a_date_at_the_edge_of_the_calendar(auditor, dates):
    response = login(auditor).get("/audit/", dates)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["rows"] == []


@pytest.mark.parametrize("dates", [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}])
def test_an_export_refuses_a_date_at_the_edge_of_the_calendar(auditor, dates):
    assert login(auditor).get("/audit/export.csv", dates).status_code == 400
