"""Sessions in the database, as Django keeps them, their row read by a query compiled once.

Every signed-in request reads its session first; see dossiers.prepared for why compiling once
pays. SESSION_ENGINE names this module.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from dossiers.prepared import PreparedQuery

_UNEXPIRED = PreparedQuery(
    lambda *, session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if not isinstance(self.session_key, str):
            return super()._get_session_from_db()
        found = _UNEXPIRED.fetch(session_key=self.session_key, now=timezone.now())
        if found:
            return found[0]
        self._session_key = None
        return None


LAST_SEEN = "_last_seen"
# The last request is written into the session at most this often: a session read is one query,
# a write another, and an idle timeout needs no better than a minute's precision.
TOUCH_SECONDS = 60


class IdleTimeoutMiddleware:
    """A signed-in session ends after SESSION_IDLE_MINUTES without a request: a shared office
    computer left open does not stay signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import SESSION_KEY, logout

        session = request.session
        if SESSION_KEY in session:
            now = int(timezone.now().timestamp())
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)  # a new, empty session: the next page asks to sign in
            elif now - last_seen >= TOUCH_SECONDS or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


def seen_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in starts the idle clock, in the login's own session write (user_logged_in):
    the first page after it then writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(timezone.now().timestamp())
