"""Expressions whose SQL the ORM builds once per process, then reused as SQL.

Building the SQL of a query full of subqueries (JSON arrays of related rows, a person's roles
and permissions, the risk matrix) can take the ORM longer than PostgreSQL takes to run it, and
every page asked for the same SQL again. An expression wrapped in compiled_once() is built the
first time it is used and reused from then on, its constants written in (inline_constants()). A
whole queryset wrapped in compiled_query() is built once and run with other values.
"""

import copy
import datetime
import re
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.expressions import RawSQL

from partnerships_site.prepared import planned_once

_PLACEHOLDER = re.compile(r"%%|%s")


def inline_constants(sql, params, keep=()):
    """The SQL with each parameter not in `keep` (positions) written into it as a literal.

    The literals are those psycopg writes when it sends a query with its values, which is how
    this project sends every query, so PostgreSQL reads the same statement. Queries compiled once
    are run many times: their constants (a JSON key, a threshold, `true`) are then converted once,
    not on every request, and a prepared statement has only the values that change as parameters.
    Returns the SQL and the parameters kept, in order.
    """
    params = list(params)
    kept = []
    position = 0

    def replace(match):
        nonlocal position
        if match.group() == "%%":
            return "%%"
        index = position
        position += 1
        if index in keep:
            kept.append(params[index])
            return "%s"
        literal = connections[DEFAULT_DB_ALIAS].ops.compose_sql("%s", [params[index]])
        return literal.replace("%", "%%")

    inlined = _PLACEHOLDER.sub(replace, sql)
    if position != len(params):
        return sql, tuple(params)  # not SQL with a placeholder for each value: leave it be
    return inlined, tuple(kept)


class compiled_once:
    """An expression over a model's rows, built by the ORM once per process and reused as SQL.

    `build` returns the expression (it may refer to the row with OuterRef). The SQL is compiled
    against the model's table under its own name, as Django names the table of a query's model,
    so the result is only for annotating querysets of that model that are evaluated themselves,
    not used as a subquery of another query.
    """

    def __init__(self, model, build):
        self.model = model
        self.build = build
        self.compiled = None
        self.lock = Lock()

    def compile(self):
        query = self.model._base_manager.annotate(compiled_expression=self.build()).query
        expression = query.annotations["compiled_expression"]
        sql, params = expression.as_sql(query.get_compiler(DEFAULT_DB_ALIAS), connection)
        sql, params = inline_constants(sql, params)
        return sql, params, expression.output_field

    def __call__(self):
        if self.compiled is None:
            with self.lock:
                if self.compiled is None:
                    self.compiled = self.compile()
        sql, params, output_field = self.compiled
        # SQL the ORM wrote, with its constants written in (see inline_constants()).
        return RawSQL(sql, params, output_field=output_field)  # noqa: S611


# Stand-ins for the values a compiled query is run with, one for each value's position: no real
# row has them (ids are positive), the integers fit a 32-bit column, and each is told apart from
# the query's own values and from the others by its type and value. A value of another type (a
# boolean, say) is not compiled once.
_STAND_INS = {
    int: lambda position: -1_987_654_321 - position,
    str: lambda position: f"\x01compiled-query-stand-in-{position}\x01",
    datetime.datetime: lambda position: datetime.datetime(
        1901, 2, 3, 4, 5, 6, position, tzinfo=datetime.UTC
    ),
}


def _trace(stand_in) -> str:
    """What a stand-in leaves in SQL the ORM wrote it into, rather than passing it apart."""
    if isinstance(stand_in, datetime.datetime):
        return "1901-02-03"
    if isinstance(stand_in, int):
        return str(abs(stand_in))
    return stand_in.strip("\x01")


def _kind(value):
    if isinstance(value, bool):
        return None
    return next((kind for kind in _STAND_INS if isinstance(value, kind)), None)


class compiled_query:
    """A whole query the ORM compiles once per process, then runs again with other values.

    `build(*values)` returns the queryset. It is built and compiled once, with stand-ins for the
    values (see _STAND_INS: integers, strings and times), and from then on only run: each call
    sends the same SQL with the stand-ins' parameters swapped for the values given, and the rows
    become model instances as the queryset itself would make them (select_related, annotations).

    If the ORM writes a value into the SQL itself rather than as a parameter, its stand-in is
    found there and not among the parameters: the query is then built and compiled on every call,
    as usual. A value found in neither is one the query does not use.
    """

    def __init__(self, build, using=DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        self.compiled = {}  # by the values' types
        self.lock = Lock()

    def compile(self, types):
        stand_ins = [_STAND_INS[kind](position) for position, kind in enumerate(types)]
        queryset = self.build(*stand_ins)
        compiler = queryset.query.get_compiler(using=self.using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = []
        for param in params:
            matches = [
                index
                for index, stand_in in enumerate(stand_ins)
                if type(param) is type(stand_in) and param == stand_in
            ]
            slots.append(matches[0] if matches else None)
        found = {slot for slot in slots if slot is not None}
        for position, stand_in in enumerate(stand_ins):
            if position in found:
                continue
            trace = _trace(stand_in)
            if trace in sql or any(trace in str(param) for param in params):
                # The value went into the SQL itself, or into another value (a LIKE pattern, a
                # list): compile each time.
                return None
            # Otherwise the query does not use that value (for some roles, say).
        keep = {index for index, slot in enumerate(slots) if slot is not None}
        sql, kept = inline_constants(sql, params, keep)
        if len(kept) != len(keep):
            return None
        return queryset, compiler, sql, [slot for slot in slots if slot is not None]

    def _compiled(self, values):
        """What compile() made for values of these types, or None to build the query as usual."""
        types = tuple(_kind(value) for value in values)
        if None in types:
            return None
        if types not in self.compiled:
            with self.lock:
                if types not in self.compiled:
                    self.compiled[types] = self.compile(types)
        return self.compiled[types]

    def queryset(self, *values):
        """The queryset for these values, already compiled: evaluate it, don't refine it."""
        compiled = self._compiled(values)
        if compiled is None:
            return self.build(*values)
        queryset, compiler, sql, slots = compiled
        run_params = tuple(values[slot] for slot in slots)
        ready = copy.copy(compiler)
        # The connection of the thread asking: each thread has its own.
        ready.connection = connections[self.using]
        ready.as_sql = lambda *args, **kwargs: (sql, run_params)
        chained = queryset._chain()
        chained.query.get_compiler = lambda *args, **kwargs: ready
        return chained

    def __call__(self, *values) -> list:
        """The rows for these values. A read run this often is planned once, too (prepared.py)."""
        with planned_once():
            return list(self.queryset(*values))

    def first(self, *values):
        """The first row for these values, or None."""
        rows = self(*values)
        return rows[0] if rows else None

    def count(self, *values) -> int:
        """How many rows the query gives for these values, as queryset.count() would say.

        Django builds its count query as it runs it, so it cannot be kept: PostgreSQL counts the
        compiled query's rows instead. Build a query that reads only what it filters and sorts
        on (values("pk"), say), or the count works out every column of every row.
        """
        compiled = self._compiled(values)
        if compiled is None:
            return self.build(*values).count()
        _, _, sql, slots = compiled
        with planned_once(), connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({sql}) AS counted",  # noqa: S608 - the ORM's own SQL
                [values[slot] for slot in slots],
            )
            return cursor.fetchone()[0]
