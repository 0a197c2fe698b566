"""Read a record's short related lists in the record's own query.

A partnership's page shows a dozen short lists: partners, representatives, resources, checklist
answers, documents, decisions, reviews... prefetch_related reads each in a query of its own.
RelatedLists reads each as a JSON array built by a subquery of the record's query (PostgreSQL),
turns the rows back into model instances and puts them where prefetch_related would, so
`partnership.partners.all()` in a template or a method reads them without a query.

    PAGE_LISTS = RelatedLists(
        partners=PartnershipPartner.objects.select_related("organisation"),
        exit_actions=(ExitAction.objects.select_related("owner"), "strategy__partnership"),
    )
    partnership = PAGE_LISTS.get(
        Partnership.objects.all(), same_for=PartnershipDetailView, reference="P-2026-001"
    )

A list named after one of the record's relations (reverse foreign key or many-to-many) goes in
the prefetch cache; any other name, given with the lookup from its rows to the record, becomes a
plain list attribute. Each list keeps its queryset's order and follows its select_related,
and its only() or defer(): the columns left out are not read, and stay deferred on the rows as
Django leaves them (reading one later runs a query, which the pages' pinned query counts would
show). Only for lists of a page's length: every row is read.

Building the SQL of a dozen JSON subqueries with the ORM takes longer than PostgreSQL takes to
run it, so each list's subquery is compiled once per process (partnerships_site.compiled) and
reused as SQL from then on; so is each model's part of read_rows().
"""

import json
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connection, models
from django.db.models import F, OuterRef
from django.db.models.base import ModelState
from django.db.models.functions import Cast, JSONObject
from django.db.models.signals import post_init, pre_init
from django.http import Http404

from partnerships_site.compiled import compiled_once, compiled_query, inline_constants

PREFIX = "related_list_"


# Columns never read into a page: a person's password hash has no business in one.
NEVER_READ = {"password"}


def _columns(model, mask=None):
    """The model's columns that are read; the others are left deferred on its instances.

    `mask` is Django's select mask for the model (Query.get_select_mask()): with `only()` or
    `defer()` on a list's queryset, the columns it leaves out are not read either.
    """
    return [
        field
        for field in model._meta.concrete_fields
        if field.attname not in NEVER_READ and (not mask or field in mask)
    ]


# Fields whose values JSON already gives as the ORM would (text, whole numbers, true and false):
# their to_python() would only hand each value back.
_AS_JSON_GIVES = {
    models.CharField.to_python,
    models.TextField.to_python,
    models.IntegerField.to_python,
    models.BooleanField.to_python,
}


class _Shape:
    """How rows of one model are read as JSON and become instances again.

    The columns read (all but NEVER_READ, or those a list's only()/defer() leaves), each with
    the conversion its value needs (to_python), or None where JSON gives the value as the ORM
    would; whether the values can go straight into the instance (see _instance()); and the
    shape of each row read with it (select_related), under the key its JSON is kept.
    """

    def __init__(self, model, related=None, mask=None):
        self.model = model
        self.fields = _columns(model, mask)
        readers = []
        for field in self.fields:
            target = field.target_field if isinstance(field, models.ForeignKey) else field
            convert = None if type(target).to_python in _AS_JSON_GIVES else field.to_python
            readers.append((field.attname, convert))
        self.names = tuple(name for name, _ in readers)
        self.readers = tuple(readers)
        self.pk = model._meta.pk.attname
        self.direct = (
            model.__init__ is models.Model.__init__
            and not pre_init.has_listeners(model)
            and not post_init.has_listeners(model)
        )
        self.nested = []
        for name, nested in (related or {}).items():
            field = model._meta.get_field(name)
            submask = (mask or {}).get(field) or {}  # as Django: no mask, every column
            self.nested.append(
                (field, f"{PREFIX}{name}", _Shape(field.related_model, nested, submask))
            )

    def json(self, path=""):
        """A JSONObject of the columns (reached through path), values as JSON keeps them."""
        fields = {}
        for field in self.fields:
            expression = F(f"{path}{field.attname}")
            if isinstance(field, models.DecimalField):
                # JSON numbers come back as floats: text keeps every digit of an amount.
                expression = Cast(expression, models.TextField())
            fields[field.attname] = expression
        for field, key, shape in self.nested:
            fields[key] = shape.json(f"{path}{field.name}__")
        return JSONObject(**fields)


@cache
def _whole(model):
    """The shape of a model's rows read whole (but for NEVER_READ), with nothing beside them."""
    return _Shape(model)


def _instance(db, shape, row):
    if row is None or row.get(shape.pk) is None:
        return None  # an empty nullable foreign key
    values = [
        row[name] if convert is None else convert(row[name]) for name, convert in shape.readers
    ]
    model = shape.model
    if shape.direct:
        # What Model.from_db() leaves, without Model.__init__ setting each column through
        # setattr(): for a model that keeps Django's __init__ and whose creation no signal
        # receiver watches, the same instance at a quarter of the cost (a partnership's page
        # builds 150). Columns not read (a password) are left deferred, as from_db() leaves them.
        instance = model.__new__(model)
        instance.__dict__.update(zip(shape.names, values, strict=True))
        instance._state = state = ModelState()
        state.adding = False
        state.db = db
    else:
        instance = model.from_db(db, shape.names, values)
    for field, key, nested in shape.nested:
        field.set_cached_value(instance, _instance(db, nested, row[key]))
    return instance


# What a page needs of a person it names: get_full_name(), get_username() and str() read these.
PERSON_NAME = ("username", "first_name", "last_name")


def people_by_name(queryset, *relations):
    """The queryset with the person each relation leads to (select_related), of whom only what
    names them is read.

    A person's email address, sign-in dates and password hash have no place in a list that only
    names who did something, and reading them for every row only makes the page slower.
    """
    user_model = get_user_model()
    kept = {user_model._meta.pk.attname, *PERSON_NAME}
    for relation in relations:
        if queryset.model._meta.get_field(relation).related_model is not user_model:
            raise ValueError(f"{relation} does not lead to a person who signs in")
    return queryset.select_related(*relations).defer(
        *(
            f"{relation}__{field.attname}"
            for relation in relations
            for field in user_model._meta.concrete_fields
            if field.attname not in kept
        )
    )


class RelatedList:
    def __init__(self, parent_model, name, spec):
        queryset, link = spec if isinstance(spec, tuple) else (spec, None)
        self.name = name
        self.relation = None
        if link is None:
            self.relation = parent_model._meta.get_field(name)
            if self.relation.many_to_many:
                link = self.relation.related_query_name()
            else:
                link = self.relation.field.name
        self.model = queryset.model
        self.source, self.link = queryset, link  # what the list is read from, and how
        select_related = queryset.query.select_related
        if select_related is True:
            raise ValueError("Name the relations to read with the rows: select_related(...).")
        self.related = select_related or {}
        self.shape = _Shape(self.model, self.related, queryset.query.get_select_mask())
        self.queryset = queryset.filter(**{link: OuterRef("pk")}).values(
            **{f"{PREFIX}row": self.shape.json()}
        )
        self.expression = compiled_once(parent_model, lambda: ArraySubquery(self.queryset))

    def attach(self, obj, rows):
        db, shape = obj._state.db, self.shape
        instances = [_instance(db, shape, row) for row in rows]
        if self.relation is None:
            setattr(obj, self.name, instances)
            return
        if self.relation.many_to_many:
            cache_name = self.relation.name
        else:
            cache_name = self.relation.cache_name
            for instance in instances:
                self.relation.field.set_cached_value(instance, obj)
        # As prefetch_related leaves it: the manager's queryset with its rows already read.
        queryset = getattr(obj, self.name).get_queryset()
        queryset._result_cache = instances
        queryset._prefetch_done = True
        obj.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


class RelatedLists:
    """Short lists of rows read with their record, in its query (see the module's docstring)."""

    def __init__(self, **lists):
        self.specs = lists
        self.by_model = {}
        self.compiled = {}  # see get()

    def _lists(self, model):
        if model not in self.by_model:
            self.by_model[model] = [
                RelatedList(model, name, spec) for name, spec in self.specs.items()
            ]
        return self.by_model[model]

    def annotate(self, queryset):
        return queryset.annotate(
            **{f"{PREFIX}{item.name}": item.expression() for item in self._lists(queryset.model)}
        )

    def attach(self, obj):
        for item in self._lists(type(obj)):
            item.attach(obj, obj.__dict__.pop(f"{PREFIX}{item.name}"))
        return obj

    def has(self, obj):
        cache = obj.__dict__.get("_prefetched_objects_cache", {})
        return all(
            (item.name in cache) if item.relation is not None else (item.name in obj.__dict__)
            for item in self._lists(type(obj))
        )

    def ensure(self, obj):
        """Read the lists of a record that was read without them, in one query."""
        if not self.has(obj):
            names = [f"{PREFIX}{item.name}" for item in self._lists(type(obj))]
            row = self.annotate(type(obj)._base_manager.filter(pk=obj.pk)).values(*names).get()
            obj.__dict__.update(row)
            self.attach(obj)
        return obj

    def get(self, queryset, *, same_for, **lookups):
        """The one record the lookups name, with its lists, or a 404.

        The caller promises the same queryset on every call with the key `same_for` (its view
        class, say) and those lookups: the query is compiled once (compiled_query()) and run with
        the lookups' values, which must be strings or whole numbers.
        """
        names = tuple(lookups)
        key = (same_for, names)
        if key not in self.compiled:
            self.compiled[key] = compiled_query(
                lambda *values: self.annotate(queryset).filter(
                    **dict(zip(names, values, strict=True))
                )
            )
        found = self.compiled[key](*lookups.values())
        if len(found) != 1:
            if found:
                raise queryset.model.MultipleObjectsReturned
            raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
        return self.attach(found[0])


@cache
def _rows_sql(model):
    """SQL reading a model's rows by id as JSON, `%s` standing for the array of ids."""
    query = model._base_manager.order_by().values_list(_whole(model).json()).query
    sql, params = inline_constants(*query.get_compiler(DEFAULT_DB_ALIAS).as_sql())
    quote = connection.ops.quote_name
    pk_column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    return f"{sql} WHERE {pk_column} = ANY(%s)", tuple(params)


def read_rows(wanted, *, always=False):
    """Rows of several models, read in one query: {model: ids} to {(model, str(pk)): row}.

    Each model's part of the query is compiled once per process (see _rows_sql()). With nothing
    to read there is no query, unless `always`: a page then runs the same number of queries
    whatever its rows point at.
    """
    kept = [(model, ids) for model, ids in wanted.items() if ids]
    if not kept and always and wanted:
        kept = [next(iter(wanted.items()))]
    wanted = kept
    if not wanted:
        return {}
    parts, params = [], []
    for position, (model, ids) in enumerate(wanted):
        sql, sql_params = _rows_sql(model)
        parts.append(f"SELECT {position}, row.* FROM ({sql}) AS row")  # noqa: S608 - ORM's SQL
        params.extend([*sql_params, sorted({model._meta.pk.to_python(pk) for pk in ids})])
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for position, row in cursor.fetchall():
            model = wanted[position][0]
            row = json.loads(row) if isinstance(row, str) else row
            instance = _instance(None, _whole(model), row)
            rows[(model, str(instance.pk))] = instance
    return rows
