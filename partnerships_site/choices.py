"""The choices of a page's filters, read in one query whatever the number of filters; and the
labels of a model's choices, looked up quickly."""

from functools import cache

from django.db.models import F, TextField, Value, Window
from django.db.models.functions import Cast, RowNumber
from django.utils.choices import BaseChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


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
    return collect_choices(list(lists), choices_query(**lists))


def choices_query(**lists):
    """The query read_choices() runs, to run later (compiled once, say) with collect_choices()."""
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
    return parts[0].union(*parts[1:], all=True).order_by("choice_list", "choice_place")


def collect_choices(names, rows):
    """The rows of a choices_query() over lists with these names, as read_choices() gives them."""
    choices = {name: [] for name in names}
    for index, _, value, label in rows:
        choices[names[index]].append((value, label))
    return choices


class _ChoicesWhenAsked(BaseChoiceIterator):
    """One drop-down's choices from its filterset's choices(), read the first time they are asked.

    A field given a function calls it, and normalises what it returns, every time its choices
    are read; a list is read at once, even for a download that never draws the form. Django
    takes an iterator of this kind as it is, and each read here is a walk through one list.
    """

    def __init__(self, filterset, name):
        self.filterset = filterset
        self.name = name

    def __iter__(self):
        yield from self.filterset.choices()[self.name]


class ChoicesOnTheFormMixin:
    """For a FilterSet whose drop-downs take their choices from its `choices()` (read_choices()).

    The form checks a value against its field's choices and reads them again to draw each
    option: the register's 300 lead organisations, normalised on every read, took about 5 ms a
    page. Their query runs only if a page asks for them.
    """

    choice_filters: tuple[str, ...] = ()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name in self.choice_filters:
                form.fields[name].choices = _ChoicesWhenAsked(self, name)
        return self._form


@cache
def _labels(field):
    return dict(make_hashable(field.flatchoices))


class ChoiceLabelsMixin:
    """For a model: get_<field>_display() looks its label up in a table made once per field.

    Django builds the table of a field's choices again on every call, about 5 microseconds; a
    partnership's page shows some 70 labels and the register 50. The choices here are fixed
    lists (TextChoices), so the table is made once. Mix in before models.Model.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # a value that cannot be a key: as Django does it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
