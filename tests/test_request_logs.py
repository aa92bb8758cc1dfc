"""Structured logs: one JSON object a line, stamped with the request id wherever the work goes."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import transaction

from config.celery import app as celery_app
from operations import context, tasks
from operations.logs import JsonFormatter, RequestContextFilter
from outbox import registry, services
from outbox.models import OutboxMessage
from tests.conftest import make_person, make_unit
from tests.factories import login

logger = logging.getLogger("tests.request_logs")


@celery_app.task(name="tests.log_a_line")
def log_a_line() -> None:
    logger.info("task line")


@pytest.fixture
def json_lines():
    """The JSON log lines written meanwhile, parsed: what a log collector would receive."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def lines_of(lines, logger_name):
    return [line for line in lines if line["logger"] == logger_name]


def test_a_json_log_line_is_one_object_with_time_level_logger_and_message(json_lines):
    logger.warning("two\nlines")

    (line,) = lines_of(json_lines(), "tests.request_logs")
    assert line["message"] == "two\nlines"
    assert line["level"] == "WARNING"
    assert line["time"].endswith("Z")
    assert line["request_id"] is None


def test_each_request_is_logged_once_with_its_path_user_status_and_duration(
    json_lines, institution
):
    person = make_person(institution, make_unit(institution))

    response = login(person).get("/")

    (line,) = lines_of(json_lines(), "thidua.requests")
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["path"], line["user_id"], line["status"]) == ("/", person.user_id, 200)
    assert line["duration_ms"] >= 0


def test_a_request_gets_a_new_id_when_the_proxys_header_is_not_trusted(client, db):
    response = client.get("/login/", HTTP_X_REQUEST_ID="from-the-client")

    assert response["X-Request-ID"] not in ("", "from-the-client")


def test_a_trusted_proxys_request_id_is_kept(client, db, settings):
    settings.REQUEST_ID_TRUSTED = True

    response = client.get("/login/", HTTP_X_REQUEST_ID="nginx-4f2a")

    assert response["X-Request-ID"] == "nginx-4f2a"


def test_a_malformed_request_id_is_replaced_even_when_trusted(client, db, settings):
    settings.REQUEST_ID_TRUSTED = True

    response = client.get("/login/", HTTP_X_REQUEST_ID="a b<script>")

    assert response["X-Request-ID"] != "a b<script>"
    assert len(response["X-Request-ID"]) == 32


def test_a_task_run_eagerly_logs_with_the_request_id_that_queued_it(json_lines):
    with context.bound("req-eager"):
        log_a_line.delay()

    (line,) = lines_of(json_lines(), "tests.request_logs")
    assert (line["request_id"], line["task"]) == ("req-eager", "tests.log_a_line")


def test_a_task_takes_the_request_id_from_its_messages_header(json_lines):
    log_a_line.apply(headers={"request_id": "req-from-header"})

    (line,) = lines_of(json_lines(), "tests.request_logs")
    assert line["request_id"] == "req-from-header"


def test_publishing_a_task_puts_the_request_id_in_its_header():
    headers = {}
    with context.bound("req-published"):
        tasks.add_request_id_header(headers=headers)

    assert headers == {"request_id": "req-published"}


def test_an_outbox_row_is_handled_with_the_request_id_that_wrote_it(json_lines, db, monkeypatch):
    monkeypatch.setitem(
        registry._HANDLERS, "test.log", registry.Handler("test.log", lambda p: logger.info("row"))
    )
    with context.bound("req-outbox"), transaction.atomic():
        services.enqueue("test.log", [{}])  # not drained here: the test's transaction is open

    services.drain()

    assert OutboxMessage.objects.get().request_id == "req-outbox"
    (line,) = lines_of(json_lines(), "tests.request_logs")
    assert line["request_id"] == "req-outbox"
