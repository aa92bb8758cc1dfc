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
