"""Reads planned once per connection (partnerships_site/prepared.py).

These tests run outside a test transaction, as requests do: inside one nothing is prepared.
"""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Value
from django.test import override_settings

from partnerships_site.prepared import (
    PreparedReads,
    numbered_placeholders,
    parameter_type,
    planned_once,
)
from tests.factories import RepresentationFactory, active_partnership

pytestmark = pytest.mark.django_db(transaction=True)


def prepared_statements() -> dict[str, tuple[str, int]]:
    """This connection's prepared statements: name to (statement, times run)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        return {name: (statement, runs) for name, statement, runs in cursor.fetchall()}


@pytest.fixture
def fresh_connection():
    """A new database connection, kept between requests (as with DATABASE_URL), with no
    statement left from an earlier test."""
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.close()
    connection.ensure_connection()
    yield
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = kept


def test_placeholders_are_numbered_and_percent_signs_unescaped():
    assert numbered_placeholders("SELECT %s, '100%%' WHERE a = %s") == (
        "SELECT $1, '100%' WHERE a = $2",
        2,
    )


@pytest.mark.parametrize(
    ("value", "declared"),
    [
        (True, "boolean"),  # not bigint, though bool is a kind of int in Python
        (7, "bigint"),
        (Decimal("100000.00"), "numeric"),
        ("text", "unknown"),
        (None, "unknown"),
        (datetime.date(2026, 11, 26), "date"),
        (datetime.datetime(2026, 11, 26, 9, tzinfo=ZoneInfo("UTC")), "timestamp with time zone"),
        (datetime.datetime(2026, 11, 26, 9), "timestamp without time zone"),
        ([1, 2], None),
        ({"a": 1}, None),
    ],
)
def test_each_parameter_is_declared_as_the_literal_psycopg_would_write(value, declared):
    assert parameter_type(value) == declared


def test_a_read_is_prepared_the_first_time_and_run_prepared_after(fresh_connection, officer):
    users = get_user_model().objects
    with planned_once():
        first = users.filter(pk=officer.pk).first()
        second = users.filter(pk=officer.pk).first()
        assert users.filter(username=officer.username).get() == officer
    assert first == second == officer
    statements = prepared_statements()
    assert len(statements) == 2
    by_pk = next(s for s in statements.values() if '"auth_user"."id" = $1' in s[0])
    assert by_pk[0].startswith("PREPARE planned_once_1(bigint) AS SELECT")
    assert by_pk[1] == 2


def test_reads_outside_planned_once_are_sent_as_they_are(fresh_connection, officer):
    get_user_model().objects.filter(pk=officer.pk).first()
    assert prepared_statements() == {}


def test_a_value_alone_in_a_select_list_keeps_its_type(fresh_connection, officer):
    """Undeclared, PostgreSQL would take these parameters for text: 'false' is a true string."""
    query = get_user_model().objects.annotate(
        flag=Value(False), amount=Value(Decimal("2.50")), day=Value(datetime.date(2026, 11, 26))
    )
    with planned_once():
        for _ in range(2):
            row = query.values("flag", "amount", "day").get(pk=officer.pk)
            assert row == {
                "flag": False,
                "amount": Decimal("2.50"),
                "day": datetime.date(2026, 11, 26),
            }
    assert len(prepared_statements()) == 1


def test_nothing_is_prepared_inside_a_transaction_but_what_was_prepared_is_used(
    fresh_connection, officer
):
    users = get_user_model().objects
    with transaction.atomic(), planned_once():
        assert users.filter(pk=officer.pk).first() == officer
    assert prepared_statements() == {}

    with planned_once():
        users.filter(pk=officer.pk).first()
        with transaction.atomic():
            assert users.filter(pk=officer.pk).first() == officer
    (statement,) = prepared_statements().values()
    assert statement[1] == 2


def test_writes_and_parameters_that_cannot_be_declared_are_not_prepared(fresh_connection, officer):
    users = get_user_model().objects
    with planned_once():
        users.filter(pk=officer.pk).update(first_name="Renamed")
        assert list(users.filter(pk__in=[officer.pk]).values_list("first_name", flat=True)) == [
            "Renamed"
        ]
        # The ids as one array parameter: no type is declared for a list.
        assert users.raw("SELECT * FROM auth_user WHERE id = ANY(%s)", [[officer.pk]])[0] == officer
    statements = prepared_statements()
    assert all("UPDATE" not in statement for statement, _ in statements.values())
    assert all("ANY" not in statement for statement, _ in statements.values())


def test_a_statement_postgresql_cannot_prepare_is_sent_unprepared(fresh_connection, officer):
    with connection.cursor() as cursor, planned_once():
        # A parameter whose type nothing around it tells: a literal NULL is fine there.
        for _ in range(2):
            cursor.execute("SELECT %s IS NULL", [None])
            assert cursor.fetchone() == (True,)
    assert prepared_statements() == {}
    wrapper = next(w for w in connection.execute_wrappers if isinstance(w, PreparedReads))
    assert len(wrapper.refused) == 1


def test_a_new_connection_prepares_again(fresh_connection, officer):
    """After the database restarts (or the connection is recycled), nothing stale is used."""
    users = get_user_model().objects
    with planned_once():
        users.filter(pk=officer.pk).first()
    connection.close()
    with planned_once():
        assert users.filter(pk=officer.pk).first() == officer
    (statement,) = prepared_statements().values()
    assert statement[0].startswith("PREPARE planned_once_1(")
    wrappers = [w for w in connection.execute_wrappers if isinstance(w, PreparedReads)]
    assert len(wrappers) == 1


def test_the_least_recently_used_statement_goes_when_the_connection_holds_its_most(
    fresh_connection, officer, monkeypatch
):
    monkeypatch.setattr("partnerships_site.prepared.MAX_STATEMENTS", 2)
    users = get_user_model().objects
    with planned_once():
        users.filter(pk=officer.pk).first()
        users.filter(username="a").first()
        users.filter(pk=officer.pk).first()  # used again, so the username read is the oldest
        users.filter(email="b").first()
    statements = " ".join(statement for statement, _ in prepared_statements().values())
    assert '"auth_user"."id" = $1' in statements
    assert '"auth_user"."email" = $1' in statements
    assert '"auth_user"."username" = $1' not in statements


def test_nothing_is_prepared_on_a_connection_closed_after_each_request(fresh_connection, officer):
    connection.settings_dict["CONN_MAX_AGE"] = 0
    with planned_once():
        get_user_model().objects.filter(pk=officer.pk).first()
    assert prepared_statements() == {}


@override_settings(PREPARED_READS=False)
def test_prepared_reads_can_be_turned_off(fresh_connection, officer):
    connection.close()
    with planned_once():
        get_user_model().objects.filter(pk=officer.pk).first()
    assert prepared_statements() == {}


def test_a_partnership_page_reads_the_same_prepared_or_not(fresh_connection, client, sponsor):
    partnership = active_partnership(directorate=sponsor.profile.directorate)
    RepresentationFactory(partnership=partnership)
    client.force_login(sponsor)
    url = partnership.get_absolute_url()

    def page():
        response = client.get(url)
        assert response.status_code == 200
        # Less what differs on every response: the CSP nonce and the masked CSRF token.
        return re.sub(r'nonce="[^"]+"|value="[^"]{40,}"', "", response.content.decode())

    first = page()
    statements = " ".join(statement for statement, _ in prepared_statements().values())
    # The session, the signed-in person, the partnership with its lists, its latest changes.
    assert '"django_session"' in statements
    assert '"auth_user"' in statements
    assert '"register_partnership"' in statements
    assert "WITH picked AS" in statements
    assert page() == first
    with override_settings(PREPARED_READS=False):
        connection.close()
        assert page() == first
    assert prepared_statements() == {}
