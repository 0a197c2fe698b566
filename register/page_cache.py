"""A partnership's page, drawn once and kept until something it shows changes.

Drawing the page (its record, lists, checklist, reviews and latest changes) is most of the work
of showing it. What it shows depends only on:

- the data in the database: the partnership, the rows that belong to it, and the names and lists
  any partnership's page may show (directorates, organisations, people, users' names...);
- what the reader may do there (edit it, record a decision, start a review...), which decides
  its buttons;
- the day, in London: whether a review is overdue.

The database keeps a log of committed changes (register.models.PageChange, written by triggers on
every audit event table and on users' names, never by Python). The partnership's query counts
its rows and the rows for every page, so the key below changes when, and only when, a change to
what the page shows has been committed. The counts are read in the same query as the
partnership, before the page's rows are read: a page drawn from newer rows than its counts is
kept under the older key, and never the other way round. Who may see the page at all is decided
on every request, before the cache is asked.

Each worker process keeps its own pages in memory (the "pages" cache in settings.py), so a new
release, which restarts the workers, never shows a page drawn by the old code.
"""

from django.core.cache import caches
from django.db.models import F, Func, OuterRef, Subquery
from django.utils import timezone
from django.utils.safestring import mark_safe

from register.models import PageChange


def _count(**filters):
    # COUNT without GROUP BY: one row, 0 when nothing matches.
    rows = PageChange.objects.filter(**filters).order_by()
    return Subquery(rows.annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def change_counts():
    """Annotations for a partnership query: its changes, and the changes shown on every page."""
    return {
        "page_changes": _count(partnership_id=OuterRef("pk")),
        "every_page_changes": _count(partnership_id=None),
    }


def page_key(partnership, can):
    """The cache key of the page of a partnership read with change_counts(), for a reader who
    may do what `can` ({"edit": True, ...}) says."""
    allowed = ",".join(name for name, yes in sorted(can.items()) if yes)
    return (
        f"partnership:{partnership.pk}:{partnership.page_changes}:"
        f"{partnership.every_page_changes}:{timezone.localdate().isoformat()}:{allowed}"
    )


def drawn_page(partnership, can, draw):
    """The page's body for a reader who may do what `can` says: kept, or drawn by `draw()` and
    kept."""
    cache = caches["pages"]
    key = page_key(partnership, can)
    body = cache.get(key)
    if body is None:
        body = str(draw())
        cache.set(key, body)
    return mark_safe(body)  # noqa: S308 - drawn by Jinja2, which escapes what it draws
