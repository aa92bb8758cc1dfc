"""Who calls the API: a personal token (scripts) or the signed-in session (the browser)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import tokens
from api.base import client_address


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer tdkt_…`; each use is recorded on the token (when, from where).

    Listed first, so that a request without credentials is answered 401 with
    `WWW-Authenticate: Bearer` rather than 403.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header is malformed."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = tokens.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: unknown, revoked or expired.")
            )
        tokens.record_use(token, client_address(request))
        return token.person.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, with Django's CSRF check on every unsafe method."""
