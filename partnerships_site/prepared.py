"""Reads that PostgreSQL plans once per database connection instead of once per request.

PostgreSQL plans every statement it is sent. For the reads with many subqueries that every
record page makes, planning took longer than running: on the large data set, the partnership
with its related lists took 7.3 ms, 4 ms of it planning, and its latest changes 12.4 ms, of which
4.4 ms planning. A prepared statement is planned once and run many times.

psycopg prepares statements by itself only when parameters are bound on the server, and this
project binds them on the client, as Django does by default: django-pghistory sends the audit
context in front of each write as a second statement in the same call, which the server-side
protocol does not allow. So inside `planned_once()` this module does the same by hand: the first
time a connection sees a read it sends `PREPARE` with the statement's own SQL, and from then on
`EXECUTE` with the parameters. The statement and its parameters are unchanged, so the rows are
the same, and a statement that cannot be prepared is simply sent as it is.

- Only reads (SELECT and WITH) are prepared, and only outside transactions: there, a failed
  PREPARE leaves nothing to roll back. A statement prepared earlier is used inside them too.
- The statements live as long as the connection (CONN_MAX_AGE). A new connection starts with
  none, so after a database restart the first request prepares them again. Nothing is prepared
  on connections closed after every request (CONN_MAX_AGE 0, as with the embedded database).
- Behind a pooler that shares server connections between transactions (PgBouncer's
  transaction mode) statements would be lost between requests: set DJANGO_PREPARED_READS=0.
"""

import datetime
import re
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

import psycopg
from django.conf import settings
from django.db.backends.signals import connection_created

# At most this many statements are kept on a connection; the least recently used goes first.
MAX_STATEMENTS = 100

_planned_once = ContextVar("planned_once", default=False)
_PLACEHOLDER = re.compile(r"%%|%s")
_READ = re.compile(r"[\s(]*(SELECT|WITH)\b", re.IGNORECASE)  # a UNION may start with "("


# The type PREPARE declares for each parameter, by its Python type, so that PostgreSQL reads it as
# it would read the literal psycopg writes for it on the client: True is `true`, a boolean, even
# alone in a SELECT list, where an undeclared parameter would be taken for text. A string (and
# None) stays `unknown`, as psycopg's quoted literal is, for the context to decide. A statement
# with a parameter of any other type is not prepared.
_PARAMETER_TYPES = (
    (bool, "boolean"),
    (int, "bigint"),
    (Decimal, "numeric"),
    (float, "double precision"),
    (str, "unknown"),
    (type(None), "unknown"),
    (datetime.datetime, None),  # below: with or without a time zone
    (datetime.date, "date"),
    (datetime.time, "time"),
    (uuid.UUID, "uuid"),
)


def parameter_type(value) -> str | None:
    """The type to declare for a parameter with this value, or None if it is not to be prepared."""
    if isinstance(value, datetime.datetime):
        return "timestamp with time zone" if value.tzinfo else "timestamp without time zone"
    for python_type, sql_type in _PARAMETER_TYPES:
        if isinstance(value, python_type):
            return sql_type
    return None


@contextmanager
def planned_once():
    """Prepare the reads made in this block (see the module's description)."""
    token = _planned_once.set(True)
    try:
        yield
    finally:
        _planned_once.reset(token)


def numbered_placeholders(sql: str) -> tuple[str, int]:
    """SQL written for psycopg (%s for a parameter, %% for a percent sign) as PREPARE wants it."""
    count = 0

    def replace(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


class PreparedReads:
    """An execute wrapper (Django's `connection.execute_wrappers`) for one database connection."""

    def __init__(self):
        self.reset()

    def reset(self):
        """Forget the statements: the connection they were prepared on has gone."""
        # (SQL, parameter types) to the statement's name, least recently used first.
        self.statements: OrderedDict[tuple, str] = OrderedDict()
        self.refused: set[tuple] = set()
        self.counter = 0

    def __call__(self, execute, sql, params, many, context):
        if many or not _planned_once.get() or not isinstance(sql, str):
            return execute(sql, params, many, context)
        types = self.types(params)
        if types is None:
            return execute(sql, params, many, context)
        key = (sql, types)
        name = self.statements.get(key)
        if name is None:
            name = self.prepare(key, context)
            if name is None:
                return execute(sql, params, many, context)
        else:
            self.statements.move_to_end(key)
        if params:
            return execute(
                f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params, many, context
            )
        return execute(f"EXECUTE {name}", None, many, context)

    @staticmethod
    def types(params) -> tuple[str, ...] | None:
        """The declared types of the parameters, or None if they cannot all be declared."""
        if params is None:
            return ()
        if not isinstance(params, list | tuple):  # named parameters, say
            return None
        types = tuple(parameter_type(value) for value in params)
        return None if None in types else types

    def prepare(self, key, context) -> str | None:
        """Prepare a statement on this connection and return its name, or None if not to be."""
        sql, types = key
        cursor = context["cursor"].cursor
        connection = context["connection"]
        if (
            key in self.refused
            # A connection closed at the end of each request would never run it again.
            or connection.settings_dict.get("CONN_MAX_AGE") == 0
            or connection.in_atomic_block
            or getattr(cursor, "name", None)  # a server-side cursor declares its own statement
            or not _READ.match(sql)
        ):
            return None
        # Without parameters psycopg sends the SQL as it is, %% and all.
        text, count = numbered_placeholders(sql) if types else (sql, 0)
        if count != len(types):
            self.refused.add(key)
            return None
        if len(self.statements) >= MAX_STATEMENTS:
            _, oldest = self.statements.popitem(last=False)
            try:
                cursor.execute(f"DEALLOCATE {oldest}")
            except psycopg.Error:
                return None  # the connection is failing: the next request gets a new one
        self.counter += 1
        name = f"planned_once_{self.counter}"
        declared = f"({', '.join(types)})" if types else ""
        try:
            cursor.execute(f"PREPARE {name}{declared} AS {text}")
        except psycopg.Error:
            # PostgreSQL could not work out a parameter's type, say: send it unprepared.
            if len(self.refused) < MAX_STATEMENTS:
                self.refused.add(key)
            return None
        self.statements[key] = name
        return name


def install(sender, connection, **kwargs):
    """Give each new PostgreSQL connection an empty set of prepared reads."""
    if connection.vendor != "postgresql":
        return
    if not settings.PREPARED_READS:
        connection.execute_wrappers[:] = [
            wrapper
            for wrapper in connection.execute_wrappers
            if not isinstance(wrapper, PreparedReads)
        ]
        return
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, PreparedReads):
            wrapper.reset()
            return
    # First in the list, so it sees each statement as the code sent it, before other wrappers.
    connection.execute_wrappers.insert(0, PreparedReads())


connection_created.connect(install, dispatch_uid="partnerships_site.prepared.install")
