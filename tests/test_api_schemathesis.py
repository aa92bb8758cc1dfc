"""schemathesis against the live OpenAPI document, as each role: no server error, every response
as documented (status, content type, body schema), for generated valid and invalid requests.

Bounded for CI: SCHEMATHESIS_EXAMPLES examples per operation, mode and role (default 4),
derandomized so a failure is reproduced by running the test again.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from dossiers.models import Role, State
from tests.api_helpers import ApiClient
from tests.conftest import make_dossier, make_person
from tests.factories import Cast, dossier_in, dossiers_in

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
ROLES = [*Role.values, "nobody", "anonymous"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip


@pytest.fixture(autouse=True)
def _unthrottled(monkeypatch):
    """Hundreds of requests a minute from one token and one address: throttles are tested apart
    (test_api_problems.py), here every request must reach its operation."""
    from api.throttling import PerAddressThrottle, PerTokenThrottle

    for throttle in (PerTokenThrottle, PerAddressThrottle):
        monkeypatch.setattr(throttle, "rate", "1000000/min", raising=False)


@pytest.fixture
def schema(db, settings):
    """The document as the running application serves it, called in-process over WSGI.

    Like Django's test client, the requests keep the test's connection (and its transaction)
    open instead of closing it at each request's start and end.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", closing(application))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(institution, period, unit_a, unit_b, django_capture_on_commit_callbacks):
    """Objects in every stage a caller may meet, and the ids a path may name."""
    from decisions.services import prepare_decision

    make_dossier(period, unit_a)
    dossier_in(State.SUBMITTED, period, unit_a)
    dossier_in(State.RETURNED, period, unit_b)
    dossiers_in(State.VOTING, period, unit_a, 1)
    (recommended,) = dossiers_in(State.RECOMMENDED, period, unit_b, 1)
    prepare_decision(person=Cast(institution).secretary, award_type=recommended.award_type,
                     dossier_ids=[recommended.pk])  # a draft  # fmt: skip
    dossier_in(State.PUBLIC_NOTICE, period, unit_a)
    dossier_in(State.SUBMITTED_UPWARD, period, unit_b)
    with django_capture_on_commit_callbacks(execute=True):  # the signed PDF keeps its name
        dossier_in(State.SIGNED, period, unit_a)
    return path_ids()


def closing(app):
    """The application as a WSGI server calls it: the body read, then the response closed (a
    file download's file with it), which the in-process client would leave to the collector."""

    def call(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()

    return call


def path_ids() -> list[int]:
    """The primary keys (and audit sequences) of everything the API can name, smallest first."""
    from django.apps import apps

    from audit.models import AuditEvent

    ids = set(AuditEvent.objects.values_list("sequence", flat=True))
    for label in ("dossiers", "council", "decisions", "api", "viewflow"):
        for model in apps.get_app_config(label).get_models():
            ids.update(model.objects.values_list("pk", flat=True)[:200])
    return sorted(i for i in ids if isinstance(i, int))


def headers_of(role: str, institution, unit) -> dict:
    if role == "anonymous":
        return {"Accept-Language": "vi"}
    roles = [] if role == "nobody" else [role]
    person = make_person(institution, unit, roles=roles)
    client = ApiClient(person)
    return {"Authorization": client.headers["HTTP_AUTHORIZATION"], "Accept-Language": "vi"}


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented_for_generated_requests(
    role, schema, world, institution, unit_a
):
    headers = headers_of(role, institution, unit_a)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, headers, world)
            except Unsatisfiable:
                continue  # nothing in the operation can be made invalid (no parameters, no body)
            except Exception as error:  # collected, reported together
                failures.append(f"{operation.label} [{mode.value}]: {str(error)[:1500]}")
    assert not failures, f"{len(failures)} operations failed as {role}:\n" + "\n\n".join(failures)


def exercise(operation, mode, headers, ids) -> None:
    names = [p.name for p in operation.path_parameters]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              report_multiple_bugs=False)  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        for name in names:
            if data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(ids), label=name)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
