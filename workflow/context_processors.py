"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from workflow import permissions
from workflow.inbox import inbox_count


def inbox(request) -> dict:
    """The navigation badge: how many tasks wait in the signed-in person's inbox.

    Counted (one query) only when a template shows it; a page that already knows the number
    passes its own `inbox_count`, which takes precedence.
    """
    person = getattr(request, "person", None)
    if person is None:
        return {}
    return {
        "inbox_count": SimpleLazyObject(lambda: inbox_count(person)),
        # Whether the navigation offers the decisions (no query: roles are loaded already).
        "reads_decisions": SimpleLazyObject(
            lambda: permissions.may(person, "decision.read") is not None
        ),
        # Unit heads record their unit's evaluation meeting (họp bình xét).
        "records_unit_meetings": SimpleLazyObject(
            lambda: permissions.may(person, "unit_meeting.record") is not None
        ),
        "watches_outbox": SimpleLazyObject(
            lambda: permissions.may(person, "outbox.view") is not None
        ),
        "imports_records": SimpleLazyObject(
            lambda: permissions.may(person, "records.import") is not None
        ),
    }
