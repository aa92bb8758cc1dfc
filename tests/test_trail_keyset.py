"""Keyset pages of the trail: every event exactly once, newest first, even while events append."""

from django.db import transaction

from audit import log
from auditing.trail import TrailFilter, page, trail


def append(institution, n, action="dossier.edited"):
    with transaction.atomic():
        for _ in range(n):
            log.append(institution=institution, actor=log.SYSTEM, action=action,
                         object_type="test", object_id=1)  # fmt: skip


def test_pages_return_every_event_exactly_once_while_new_ones_are_appended(institution):
    append(institution, 23)
    seen, cursor = [], None
    while True:
        result = page(trail(institution), before=cursor, size=5)
        seen += [e.sequence for e in result.events]
        append(institution, 2)  # arrives while the auditor reads; it belongs to a later visit
        if result.next_cursor is None:
            break
        cursor = result.next_cursor
    assert seen == list(range(23, 0, -1))


def test_a_filter_narrows_the_trail_to_its_action(institution):
    append(institution, 3, action="dossier.submitted")
    append(institution, 2, action="dossier.approved")
    events = trail(institution, TrailFilter(action="dossier.approved"))
    assert [e.action for e in events] == ["dossier.approved", "dossier.approved"]


def test_the_page_query_count_does_not_grow_with_the_trail(institution, django_assert_num_queries):
    append(institution, 300)
    with django_assert_num_queries(1):
        deep = page(trail(institution), before=12, size=5)
    assert [e.sequence for e in deep.events] == [11, 10, 9, 8, 7]
