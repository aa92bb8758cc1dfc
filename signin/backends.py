"""The lockout's authentication backend: django-axes', telling the request what it decided."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied

# Set on a request whose password was checked (by any backend after this one).
CREDENTIALS_CHECKED = "signin_credentials_checked"
# Set on a request refused because its account is locked: its password was not even looked at.
REFUSED_LOCKED = "signin_refused_locked"


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked account before any password is compared, and marks the request.

    An `authenticate()` without a request (a script, the test client's `login`) is not a
    sign-in through a page: there is no one to lock out, and it passes unmarked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED_LOCKED, True)
            raise
        setattr(request, CREDENTIALS_CHECKED, True)
        return None
