"""Calling the API in tests: as a person with a personal token, and reading problem details."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from api import tokens
from dossiers.models import Person


class ApiClient:
    """A script holding `person`'s personal token; JSON bodies unless a file is sent."""

    def __init__(self, person: Person | None, *, language: str = "vi"):
        self.client = Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if person is not None:
            _token, raw = tokens.issue(
                person=person,
                name="test script",
                expires_on=timezone.localdate() + datetime.timedelta(days=30),
            )
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, path, data=None, **headers):
        return self.client.get(path, data, **self.headers, **headers)

    def post(self, path, data=None, **headers):
        return self.client.post(path, data or {}, content_type="application/json",
                                **self.headers, **headers)  # fmt: skip

    def patch(self, path, data=None, **headers):
        return self.client.patch(path, data or {}, content_type="application/json",
                                 **self.headers, **headers)  # fmt: skip

    def delete(self, path, **headers):
        return self.client.delete(path, **self.headers, **headers)

    def upload(self, path, data, **headers):
        """multipart/form-data, for a file."""
        return self.client.post(path, data, **self.headers, **headers)


def problem(response, status: int, type_: str) -> dict:
    """The response's problem details, after checking it is one, of this status and type."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"/api/v1/problems/{type_}", body
    assert body["status"] == status
    return body
