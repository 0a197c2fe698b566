"""The choices of a page's filters, read in one query whatever the number of filters."""

from django.db.models import F, TextField, Value, Window
from django.db.models.functions import Cast, RowNumber


def _order_by(queryset):
    ordering = queryset.query.order_by or queryset.model._meta.ordering or ["pk"]
    expressions = []
    for item in ordering:
        if isinstance(item, str):
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        expressions.append(item)
    return expressions


def read_choices(**lists):
    """{name: (queryset, value field, label field)} to {name: [(value, label), ...]}.

    One UNION ALL query; each list keeps its queryset's order. Values come back as text, as a
    form posts them.
    """
    parts = []
    for index, (queryset, value, label) in enumerate(lists.values()):
        parts.append(
            queryset.annotate(
                choice_list=Value(index),
                choice_place=Window(RowNumber(), order_by=_order_by(queryset)),
                choice_value=Cast(value, TextField()),
                choice_label=Cast(label, TextField()),
            )
            .order_by()
            .values_list("choice_list", "choice_place", "choice_value", "choice_label")
        )
    names = list(lists)
    choices = {name: [] for name in names}
    if parts:
        query = parts[0].union(*parts[1:], all=True).order_by("choice_list", "choice_place")
        for index, _, value, label in query:
            choices[names[index]].append((value, label))
    return choices
