"""The OpenAPI document: valid, warning-free, and describing every operation's errors."""

from __future__ import annotations

import pytest
from django.core.management import call_command

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_document_generates_without_any_warning(tmp_path):
    # --fail-on-warn: an unresolvable field, a colliding name or an undescribed view fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")


def test_every_operation_documents_its_problem_responses(document):
    missing = [
        f"{method.upper()} {path}: {status}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
        for status in ("400", "401", "403", "404", "429")
        if "application/problem+json"
        not in operation["responses"].get(status, {}).get("content", {})
    ]
    assert missing == []


def test_every_write_documents_conflicts_and_guard_failures(document):
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
        and not {"409", "422"} <= set(operation["responses"])
    ]
    assert missing == []


def test_every_operation_has_a_response_schema_for_success(document):
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
        and not any(status.startswith("2") for status in operation["responses"])
    ]
    assert undocumented == []


def test_the_docs_page_loads_its_scripts_from_this_server_not_a_cdn(client):
    page = client.get("/api/v1/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
