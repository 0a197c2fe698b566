"""Expressions whose SQL the ORM builds once per process, then reused as SQL.

Building the SQL of a query full of subqueries (JSON arrays of related rows, a person's roles
and permissions, the risk matrix) can take the ORM longer than PostgreSQL takes to run it, and
every page asked for the same SQL again. An expression wrapped in compiled_once() is built the
first time it is used and reused from then on, its values kept apart as parameters.
"""

from threading import Lock

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.expressions import RawSQL


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
        return sql, tuple(params), expression.output_field

    def __call__(self):
        if self.compiled is None:
            with self.lock:
                if self.compiled is None:
                    self.compiled = self.compile()
        sql, params, output_field = self.compiled
        # SQL the ORM wrote, with its values still apart as parameters.
        return RawSQL(sql, params, output_field=output_field)  # noqa: S611
