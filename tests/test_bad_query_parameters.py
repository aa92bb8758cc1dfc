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
