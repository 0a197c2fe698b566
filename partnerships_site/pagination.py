"""Pages of long lists: the same cost whichever page is asked for, and GOV.UK page links."""


class PageByIdsMixin:
    """Paginate a ListView by picking the page's rows by id first, then reading them in full.

    PostgreSQL works out every selected column of each row an OFFSET skips, subqueries and all,
    so with the full query the last of 200 pages took eight times as long as the first. Here the
    OFFSET runs over the ids in the list's order, and the columns a page shows are read for its
    own rows alone. A page number past the end shows the last page, and one that is not a number
    the first, rather than an error page.
    """

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        counted = self.count_rows(queryset)
        if counted is not None:
            paginator.count = counted  # the paginator's own count would run another query
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        start = (page.number - 1) * page_size
        page.object_list = self.page_rows(queryset, start, page_size)
        return paginator, page, page.object_list, page.has_other_pages()

    def count_rows(self, queryset):
        """How many rows the list has, or None for the paginator to count them."""
        return None

    def page_rows(self, queryset, start, page_size):
        """The rows of the page that starts at `start` (counted from 0)."""
        return queryset.filter(pk__in=queryset.values("pk")[start : start + page_size])


def pagination_items(page):
    """Page links for the GOV.UK pagination component: first, last, and those either side."""
    if not page.has_other_pages():
        return []
    current, last = page.number, page.paginator.num_pages
    wanted = sorted(n for n in {1, current - 1, current, current + 1, last} if 1 <= n <= last)
    items, previous = [], 0
    for number in wanted:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"ellipsis": False, "number": number, "current": number == current})
        previous = number
    return items
