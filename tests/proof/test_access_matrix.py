"""The access matrix: every URL pattern, every role, GET and POST, against tests/proof/access.py.

Each request runs in a savepoint rolled back afterwards, so every cell meets the same world. A
refused request must write nothing at all (PostgreSQL's own count of rows inserted, updated and
deleted in the transaction must not move), no page may show a role a record it may not read, and
at the end every table is checksummed against the world as it was built.
"""

import logging
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.proof.access import (
    EXPECTED,
    HIDDEN,
    Entry,
    all_targets,
    fill,
    inventory,
    matches,
    parse_row,
    unchecked,
)
from tests.proof.world import ROLES, build_world

REFUSED = {"L", "A", "S", "403", "404", "405"}
CHECKED_APPS = ["register", "risks", "reviews", "auth", "admin", "axes"]
# Written by every request (the session's expiry is renewed each time), so not counted.
ALWAYS_WRITTEN = ["django_session"]
# Binary downloads (zipped Office files) cannot be searched for names.
BINARY_TYPES = ("application/vnd.openxmlformats",)


def test_every_url_pattern_has_an_expected_status_for_every_role():
    missing, stale = unchecked(inventory(), EXPECTED)
    assert not missing, f"URL patterns with no entry in tests/proof/access.py: {missing}"
    assert not stale, f"Entries in tests/proof/access.py for URL patterns that are gone: {stale}"
    for route, entry in EXPECTED.items():
        assert entry.targets, f"{route} is tried with no record"
        for get_row, post_row in entry.targets.values():
            parse_row(get_row)
            parse_row(post_row)


def test_the_inventory_check_notices_a_new_url_without_an_entry():
    routes = [*inventory(), "partnerships/<str:reference>/secret-export/"]
    missing, stale = unchecked(routes, EXPECTED)
    assert missing == ["partnerships/<str:reference>/secret-export/"]
    assert stale == []

    expected = dict(EXPECTED)
    del expected["partnerships/<str:reference>/"]
    missing, _ = unchecked(inventory(), expected)
    assert missing == ["partnerships/<str:reference>/"]


# Running the matrix ------------------------------------------------------------------------------


def table_checksums():
    """An md5 of every row of each table a request could change, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for label in CHECKED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if not model._meta.proxy and model._meta.managed
        }
    )
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f'FROM "{table}" t'
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def written_tables():
    """The ids of every table a request could write to, bar the session table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(relid) FROM pg_stat_user_tables WHERE relname <> ALL(%s)",
            [ALWAYS_WRITTEN],
        )
        return cursor.fetchone()[0]


def rows_written(tables):
    """Rows inserted, updated or deleted so far in this transaction, savepoints rolled back too."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_stat_get_xact_tuples_inserted(t) "
            "+ pg_stat_get_xact_tuples_updated(t) + pg_stat_get_xact_tuples_deleted(t)), 0) "
            "FROM unnest(%s::oid[]) t",
            [tables],
        )
        return cursor.fetchone()[0]


def outcome(response):
    """The cell's value for a response: its status, or L, A or R for a redirect."""
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"]
    if location.startswith(settings.LOGIN_URL) or location.startswith("/sign-in/"):
        return "L"
    if location.startswith("/admin/login/"):
        return "A"
    return "R"


class Matrix:
    """Signed-in clients for each role, and a way to try one request as one of them."""

    def __init__(self, world):
        self.world = world
        self.client = Client()
        self.sessions = {"anonymous": None}
        for role in ROLES[1:]:
            client = Client()
            client.force_login(world.users[role])
            self.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.baseline = table_checksums()
        self.tables = written_tables()
        self.cells = 0
        self.cells_that_wrote = 0
        self.drafts_shown_to_keepers = 0

    def attempt(self, role, method, url):
        """(outcome, rows written, body) of one request, rolled back afterwards."""
        self.cells += 1
        self.client.cookies = SimpleCookie()
        if self.sessions[role]:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        savepoint = transaction.savepoint()
        before = rows_written(self.tables)
        try:
            response = self.client.get(url) if method == "GET" else self.client.post(url, {})
            # Reading a streamed body to the end closes its file, as the test client arranges.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.get("Content-Type", "").startswith(BINARY_TYPES):
                body = b""
            written = rows_written(self.tables) - before
            self.cells_that_wrote += bool(written)
            return outcome(response), written, body.decode(errors="replace")
        except Exception as error:  # noqa: BLE001 (every failure is reported as a cell)
            return f"raised {type(error).__name__}: {error}", 0, ""
        finally:
            transaction.savepoint_rollback(savepoint)

    def check(self, route, entry: Entry, targets):
        wrong = []
        for target, (get_row, post_row) in entry.targets.items():
            kwargs = {**entry.kwargs, **targets[target]}
            url = fill(route, kwargs)
            try:
                match = resolve(url.split("?")[0])
            except Resolver404:
                match = None
            if match is None or match.route.replace("^", "") != route.replace("^", ""):
                wrong.append(f"{url} does not resolve to {route!r}")
                continue
            for method, row in (("GET", get_row), ("POST", post_row)):
                for role, want in parse_row(row).items():
                    got, written, body = self.attempt(role, method, url)
                    where = f"{method} {url} [{target or 'no record'}] as {role}"
                    if not matches(want, got):
                        wrong.append(f"{where}: expected {want}, got {got}")
                    refused = want in REFUSED and not entry.writes_when_refused
                    if (refused or method == "GET") and written:
                        wrong.append(f"{where}: answered {got} but wrote {written} rows")
                    self.drafts_shown_to_keepers += "B draft partnership" in body and role in {
                        "democratic_services",
                        "read_only",
                    }
                    shown = [name for name in HIDDEN[role] if name in body]
                    if shown:
                        wrong.append(f"{where}: shows {shown}, which {role} may not read")
        return wrong


@pytest.mark.proof
@pytest.mark.django_db
def test_access_matrix(settings, tmp_path, caplog):
    settings.MEDIA_ROOT = tmp_path
    # Refusals are logged as warnings by the thousand, and errors are reported as cells.
    caplog.set_level(logging.CRITICAL, logger="django.request")
    world = build_world()
    matrix = Matrix(world)
    targets = all_targets(world)
    wrong = []
    for route, entry in EXPECTED.items():
        wrong += matrix.check(route, entry, targets)
    print(f"{len(EXPECTED)} URL patterns, {matrix.cells} cells checked")  # noqa: T201
    # The permitted POSTs (starting a review, archiving a document...) show writes are seen.
    assert matrix.cells_that_wrote >= 10, "the count of rows written never moved"
    # ...and that the names searched for do show where they may (B's draft, to its keepers).
    assert matrix.drafts_shown_to_keepers >= 10, "the names searched for never show"
    changed = [t for t, digest in table_checksums().items() if matrix.baseline[t] != digest]
    assert not changed, f"The world changed after the matrix: {changed}"
    assert not wrong, f"{len(wrong)} of {matrix.cells} cells are wrong:\n" + "\n".join(wrong)
