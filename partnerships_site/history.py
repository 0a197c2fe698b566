"""A record's audit history in plain words: who changed what, when, from what to what.

django-pghistory writes an event row for every insert and update through database triggers,
with the acting user from HistoryContextMiddleware. This module reads those events back for one
record (and, optionally, the records that belong to it) and names each change the way the forms
name the fields.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connection, models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from pghistory.core import event_models as pghistory_event_models
from pghistory.models import Context, Events
from pghistory.utils import related_model

from partnerships_site.pagination import pagination_items
from partnerships_site.prepared import planned_once
from partnerships_site.related_lists import read_rows

EMPTY = "(blank)"


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    record: str
    changes: list[Change] = field(default_factory=list)


def _event_source_model(event_model_label: str):
    """The tracked model behind an event model such as register.PartnershipEvent."""
    return apps.get_model(event_model_label).pgh_tracked_model


def _field(model, name):
    """The model's field of that name, or None for a column the model no longer has."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_foreign_key(model_field) -> bool:
    return model_field is not None and model_field.is_relation and model_field.many_to_one


def _display(model, field_name, value, related_names):
    if value is None or value == "":
        return EMPTY
    model_field = _field(model, field_name)
    if model_field is None:
        return str(value)
    if model_field.is_relation and model_field.many_to_one:
        return related_names.get((model_field.related_model, str(value)), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(str(value))
        return date_format(parsed, "DATETIME_FORMAT") if parsed else str(value)
    if isinstance(model_field, models.DateField):
        parsed = parse_date(str(value))
        return date_format(parsed, "DATE_FORMAT") if parsed else str(value)
    if isinstance(model_field, models.DecimalField):
        return f"{value}"
    return str(value)


def _label(model, field_name):
    model_field = _field(model, field_name)
    if model_field is None:
        return field_name.replace("_", " ").capitalize()
    return capfirst(str(model_field.verbose_name))


HIDDEN_FIELDS = {"id", "version", "creation_token", "password"}


def history_events(obj, *, include_related=False):
    """The events of every recorded change to obj, newest first, as a queryset to slice or page.

    With include_related, changes to rows that point at obj (its representatives, resources,
    risks...) are included too.
    """
    events = Events.objects.references(obj) if include_related else Events.objects.tracks(obj)
    # Changes saved in one transaction share its timestamp, and two event tables can share an
    # id: the model's name settles the order, so pages neither repeat nor skip a change.
    return events.order_by("-pgh_created_at", "-pgh_id", "pgh_model")


def history_for(obj, *, include_related=False, limit=200) -> list[HistoryEntry]:
    """The latest `limit` recorded changes to obj, newest first (see history_entries())."""
    return history_entries(obj, latest_events(obj, include_related=include_related, limit=limit))


@dataclass
class Event:
    """One recorded change, with the attributes of pghistory's aggregate Events that are used."""

    pgh_model: str
    pgh_id: int
    pgh_created_at: datetime
    pgh_label: str
    pgh_data: dict
    pgh_diff: dict | None
    pgh_context: dict | None


def latest_events(obj, *, include_related=False, limit=10) -> list[Event]:
    """The latest `limit` events of history_events(obj), read by picking them first.

    pghistory's aggregate query works out the changes of every event the record has before it
    sorts them and keeps the first few: for a partnership with 76 changes, 3.6 ms to run and as
    long to build, on every view of its page. This reads the same events in one statement that
    first picks the latest `limit` (the newest `limit` of each event table, then of those), then
    reads each picked event with the one before it of the same row, and works out the changes as
    pghistory does: the values that differ from the previous event's, none for a row's first.
    """
    sql, columns = _latest_events_sql(type(obj)._meta.concrete_model, include_related, limit)
    with planned_once(), connection.cursor() as cursor:
        cursor.execute(sql, [obj.pk] * columns)
        rows = cursor.fetchall()
    events = []
    for model_label, pgh_id, created_at, label, data, previous, context in rows:
        # Django reads JSON columns as text and leaves them to the field to parse.
        data, previous, context = (_json(value) for value in (data, previous, context))
        values = {key: value for key, value in data.items() if not key.startswith("pgh_")}
        diff = None
        if previous is not None:
            diff = {
                key: [previous[key], value]
                for key, value in values.items()
                if key in previous and previous[key] != value
            } or None
        events.append(Event(model_label, pgh_id, created_at, label, values, diff, context))
    return events


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


@cache
def _latest_events_sql(model, include_related, limit):
    """The SQL of latest_events() for a model, and how many times it asks for the record's id."""
    if include_related:
        sources = [
            (event_model, [f.column for f in event_model._meta.fields if related_model(f) == model])
            for event_model in pghistory_event_models(references_model=model)
        ]
    else:
        sources = [(m, ["pgh_obj_id"]) for m in pghistory_event_models(tracks_model=model)]
    quote = connection.ops.quote_name
    context_table = quote(Context._meta.db_table)
    candidates, reads = [], []
    columns = 0
    for position, (event_model, where_columns) in enumerate(sources):
        table = quote(event_model._meta.db_table)
        label = event_model._meta.label
        if "'" in label:  # pragma: no cover - model labels are Python names
            raise ValueError(label)
        where = " OR ".join(f"{quote(column)} = %s" for column in where_columns)
        columns += len(where_columns)
        candidates.append(
            # Only names from the models and numbers go into this SQL; the id is a parameter.
            f"(SELECT {position} AS source, '{label}' AS pgh_model, pgh_id, pgh_created_at"  # noqa: S608
            f" FROM {table} WHERE {where}"
            f" ORDER BY pgh_created_at DESC, pgh_id DESC LIMIT {int(limit)})"
        )
        previous = (
            f"(SELECT row_to_json(p)::jsonb FROM {table} p WHERE p.pgh_obj_id = e.pgh_obj_id"  # noqa: S608
            " AND p.pgh_id < e.pgh_id ORDER BY p.pgh_id DESC LIMIT 1)"
            if hasattr(event_model, "pgh_obj_id")
            else "NULL::jsonb"
        )
        reads.append(
            f"SELECT picked.pgh_model, e.pgh_id, e.pgh_created_at, e.pgh_label,"  # noqa: S608
            f" row_to_json(e)::jsonb, {previous}, c.metadata"
            f" FROM picked JOIN {table} e ON picked.source = {position}"
            f" AND e.pgh_id = picked.pgh_id"
            f" LEFT JOIN {context_table} c ON c.id = e.pgh_context_id"
        )
    if not sources:
        return "SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE false", 0
    sql = (
        f"WITH picked AS (SELECT * FROM ({' UNION ALL '.join(candidates)}) AS candidates"  # noqa: S608
        f" ORDER BY pgh_created_at DESC, pgh_id DESC, pgh_model LIMIT {int(limit)}) "
        + " UNION ALL ".join(reads)
        + " ORDER BY 3 DESC, 2 DESC, 1"
    )
    return sql, columns


def history_entries(obj, events) -> list[HistoryEntry]:
    """The events (from history_events()) in plain words, in a fixed number of queries.

    Changes to rows that belong to obj are each named by the row they were made to. An update
    that changed only bookkeeping columns (the version, the creation token) is left out.
    """
    with planned_once():
        events = list(events)

    # Resolve foreign keys and users in one query, not one per change.
    wanted: dict = {}
    user_ids = set()
    for event in events:
        model = _event_source_model(event.pgh_model)
        context = event.pgh_context or {}
        if context.get("user"):
            user_ids.add(context["user"])
        values = list((event.pgh_diff or {}).items())
        if event.pgh_label in ("insert", "delete"):
            values = [(name, (value,)) for name, value in (event.pgh_data or {}).items()]
        for name, pair in values:
            model_field = _field(model, name)
            if _is_foreign_key(model_field):
                wanted.setdefault(model_field.related_model, set()).update(
                    v for v in pair if v not in (None, "")
                )
    user_model = get_user_model()
    # Read even when no change names anyone, so a page of history runs a fixed number of queries.
    rows = read_rows(
        {**wanted, user_model: wanted.get(user_model, set()) | user_ids}, always=bool(events)
    )
    related_names = {key: str(row) for key, row in rows.items()}
    users = {
        row.pk: (row.get_full_name() or row.get_username())
        for (model, _), row in rows.items()
        if model is user_model and row.pk in user_ids
    }

    entries = []
    for event in events:
        model = _event_source_model(event.pgh_model)
        context = event.pgh_context or {}
        who = users.get(context.get("user")) or context.get("username")
        if not who:
            who = "Set up by the system" if context.get("source") else "Not recorded"

        def shown(name, model=model):
            # The link back to the record whose history this is goes without saying.
            model_field = _field(model, name)
            if name in HIDDEN_FIELDS:
                return False
            return not (
                model is not type(obj)
                and _is_foreign_key(model_field)
                and model_field.related_model is type(obj)
            )

        if event.pgh_label == "update":
            changes = [
                Change(
                    _label(model, name),
                    _display(model, name, before, related_names),
                    _display(model, name, after, related_names),
                )
                for name, (before, after) in (event.pgh_diff or {}).items()
                if shown(name)
            ]
            if not changes:
                continue
        else:
            changes = []
            for name, value in (event.pgh_data or {}).items():
                if not shown(name) or value in (None, "", []):
                    continue
                text = _display(model, name, value, related_names)
                before, after = (text, EMPTY) if event.pgh_label == "delete" else (EMPTY, text)
                changes.append(Change(_label(model, name), before, after))
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                who=who,
                what=_what(model, obj, event.pgh_label),
                record=_record_name(model, obj, event.pgh_data or {}),
                changes=changes,
            )
        )
    return entries


def _what(model, obj, label):
    if model is type(obj):
        return {"insert": "Created", "update": "Changed", "delete": "Deleted"}[label]
    return {"insert": "Added", "update": "Changed", "delete": "Removed"}[label]


def _record_name(model, obj, data):
    """What the change was to: the record itself, or which of its rows."""
    if model._meta.auto_created:  # a many-to-many link, named after what it links to
        for model_field in model._meta.fields:
            if _is_foreign_key(model_field) and model_field.related_model is not type(obj):
                return capfirst(str(model_field.related_model._meta.verbose_name))
    name = capfirst(str(model._meta.verbose_name))
    reference = data.get("reference")
    return f"{name}: {reference}" if reference else name


def history_page(request, record):
    """One page of every recorded change to record and the rows that belong to it, newest first.

    As on the register, a page number past the end shows the last page, and one that is not a
    number the first, rather than an error page.
    """
    events = history_events(record, include_related=True)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "pagination": pagination_items(page),
        "history": history_entries(record, page.object_list),
    }
