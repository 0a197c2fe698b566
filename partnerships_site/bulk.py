"""Writing many rows at once, for seeding large data sets."""

from enum import Enum

from django.db import connection


def insert_rows(objs):
    """Write unsaved model instances of one model with COPY, giving each its id first.

    Several times faster than bulk_create for the hundreds of thousands of large-demo rows.
    Row triggers fire for COPY as for INSERT, so history is recorded; constraints are checked.
    """
    if not objs:
        return objs
    meta = type(objs[0])._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        # Generated columns (Partnership.search_text) are PostgreSQL's to write.
        fields = [f for f in meta.concrete_fields if not f.generated]
        columns = ", ".join(quote(f.column) for f in fields)
        # Foreign keys to rows written earlier in this run take those rows' new ids, and
        # auto_now fields the time, as bulk_create would give them.
        foreign_keys = [f for f in fields if f.is_relation]
        computed = {
            f.attname
            for f in fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        }
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                for f in foreign_keys:
                    related = f.get_cached_value(obj, None)
                    if related is not None:
                        setattr(obj, f.attname, related.pk)
                values = [
                    f.pre_save(obj, add=True) if f.attname in computed else getattr(obj, f.attname)
                    for f in fields
                ]
                copy.write_row([v.value if isinstance(v, Enum) else v for v in values])
                obj._state.adding = False
    return objs
