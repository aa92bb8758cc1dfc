"""The OpenAPI document: every operation lists the problem types it may answer."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class Problem(serializers.Serializer):
    """RFC 9457 problem details; `type` is stable (see /api/v1/problems/)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    reasons = serializers.ListField(child=serializers.CharField(), required=False)
    reasons_vi = serializers.ListField(child=serializers.CharField(), required=False)
    reasons_en = serializers.ListField(child=serializers.CharField(), required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    dossier = serializers.IntegerField(required=False)


READ_PROBLEMS = (400, 401, 403, 404, 405, 406, 429)
WRITE_PROBLEMS = (*READ_PROBLEMS, 409, 413, 415, 422)


class AutoSchema(openapi.AutoSchema):
    """Adds the problem responses every operation can give to what the view declares."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        ref = self.resolve_serializer(Problem, "response").ref
        statuses = READ_PROBLEMS if self.method in ("GET", "HEAD") else WRITE_PROBLEMS
        if getattr(self.view, "conflicts_on_read", False):
            statuses = (*statuses, 409)  # a file that does not exist yet in this state
        for status in statuses:
            responses.setdefault(
                str(status),
                {
                    "description": "Problem details (RFC 9457)",
                    "content": {"application/problem+json": {"schema": ref}},
                },
            )
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (made on the page /api/tokens/).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
