"""The auditor reads everything and changes nothing, whichever page or endpoint is asked."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from auditing.selectors import is_read_only, may_inspect

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class AuditorReadOnlyMiddleware:
    """Refuse (403) every write of a person whose only role is auditor, and all of the admin.

    A write is any request with a non-safe method; the view is never called, so no page or endpoint
    added later can forget the check. A few posts stay open (`OPEN_TO_AUDITORS`): logging out and
    choosing a language, which change the browser's session, not the institution's data; the
    public verification of a decision PDF, which anyone may use without an account and which
    stores nothing; and asking for a chain verification, the auditor's own work, which records
    only that it was asked for. The admin is refused to such a person even for reading and even
    when their account is staff, since its pages are not scoped the way the product's are and its
    forms write.

    Read-only means that every role the person may act in today (their own and delegated ones,
    `workflow.permissions.actings`) is auditor. A person who is an auditor and also holds another
    role is not read-only: they do that other role's work through the same services as anyone
    holding it, whose permission checks (and the audit trail, which records the role acted in)
    govern them. Someone with no role at all is left to those same checks, which refuse them.

    It also tells the navigation whether to show the trail, as `request.inspects_trail`, counted
    only when a template asks (the roles are then read once per request and shared with the view).
    Must come after `dossiers.middleware.CurrentPersonMiddleware`, which sets `request.person`.
    """

    OPEN_TO_AUDITORS = ("logout", "set_language", "verify_decision", "integrity_request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = getattr(request, "person", None)
        request.inspects_trail = SimpleLazyObject(lambda: may_inspect(person))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        person = getattr(request, "person", None)
        if person is None:
            return None
        match = request.resolver_match
        in_admin = "admin" in match.namespaces
        if not in_admin and (
            request.method in SAFE_METHODS or match.view_name in self.OPEN_TO_AUDITORS
        ):
            return None
        if is_read_only(person):
            raise PermissionDenied
        return None
