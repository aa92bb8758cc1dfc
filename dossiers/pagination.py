"""Pages of long lists that cost about what the first page costs, however long the list grows.

Django's Paginator counts every row of the filtered list (COUNT(*) over 100,000 dossiers) to
print "page 1 of 4,000". These pages count a few pages past the one asked for and no further:
the reader sees "page 1 of more than 41" and a next link, and the count grows as they page on.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

PAGES_AHEAD = 40  # pages counted past the one asked for
LAST_PAGE = 1_000_000  # a page number asked for beyond this is read as this


class LimitedPaginator(Paginator):
    """A Paginator that counts no more than `limit` rows; `more` says whether others follow."""

    def __init__(self, object_list, per_page, *, limit: int):
        super().__init__(object_list, per_page)
        self.limit = limit
        self.more = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.limit + 1].count()
        self.more = counted > self.limit
        return min(counted, self.limit)


def limited_page(queryset, number, *, per_page: int) -> Page:
    """Page `number` (any text; a bad one is page 1) of the queryset, counted PAGES_AHEAD on."""
    try:
        wanted = min(max(int(number), 1), LAST_PAGE)
    except (TypeError, ValueError):
        wanted = 1
    paginator = LimitedPaginator(queryset, per_page, limit=(wanted + PAGES_AHEAD) * per_page)
    return paginator.get_page(wanted)
