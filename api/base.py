"""What every API view shares: the person calling, their language, and the dossier's version.

Views stay thin: they parse input with a serializer, call the same service a page calls, and
serialize the result; permissions come from workflow.permissions and errors are mapped once in
api.problems.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import permissions as drf_permissions
from rest_framework import renderers
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated

from dossiers.client import client_address
from dossiers.models import Person
from workflow.errors import InvalidInput, NotPermitted


def person_of(request) -> Person | None:
    """The staff record of whoever is authenticated (a token carries its person)."""
    auth = getattr(request, "auth", None)
    if auth is not None and hasattr(auth, "person"):
        return auth.person
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    person = getattr(request._request, "person", None)
    if person is not None and person.user_id == user.pk:
        return person
    return Person.objects.select_related("institution", "unit").filter(user=user).first()


class HasStaffRecord(drf_permissions.BasePermission):
    """Authenticated, and a person of an institution: an account without one reaches nothing."""

    def has_permission(self, request, view):
        if request.user is None or not request.user.is_authenticated:
            raise NotAuthenticated()
        if person_of(request) is None:
            raise NotPermitted()
        return True


class Anyone(drf_permissions.BasePermission):
    """For the public endpoints (verification, the problem catalogue)."""

    def has_permission(self, request, view):
        return True


class ApiMixin:
    """`self.person`, and the language of `Accept-Language` for messages and reasons."""

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        if "HTTP_ACCEPT_LANGUAGE" in request.META:
            language = _accepted_language(request.META["HTTP_ACCEPT_LANGUAGE"]) or language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            # DRF throttles only after authentication: a refused caller still spends the
            # budget of its address, so guessing tokens is throttled too.
            self.check_throttles(request)
            raise

    @property
    def person(self) -> Person | None:
        return person_of(self.request)

    @property
    def client_address(self) -> str:
        return client_address(self.request)


def _accepted_language(header: str) -> str | None:
    supported = {code for code, _name in settings.LANGUAGES}
    try:
        accepted = parse_accept_lang_header(header[:500])
    except ValueError:
        return None
    for code, _quality in accepted:
        base = code.lower().split("-")[0]
        if base in supported:
            return base
    return None


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request, body_version) -> int:
    """The version the caller saw: `version` in the body, or `If-Match` (an ETag we gave)."""
    header = request.META.get("HTTP_IF_MATCH", "").strip()
    from_header = None
    if header:
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit() or len(value) > 18:
            raise InvalidInput(_if_match_message())
        from_header = int(value)
    if body_version is not None and from_header is not None and body_version != from_header:
        raise InvalidInput(_if_match_message())
    version = body_version if body_version is not None else from_header
    if version is None:
        raise InvalidInput(_("Send the version you saw: `version` in the body, or If-Match."))
    return version


def _if_match_message():
    return _("If-Match must be the ETag of the dossier, and agree with `version`.")


class FileRenderer(renderers.BaseRenderer):
    """Lets a download answer whatever the caller accepts (`Accept: application/pdf`, `*/*`):
    the view hands over the file itself; errors still come back as problem details."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


DOWNLOAD_RENDERERS = [renderers.JSONRenderer, FileRenderer]
