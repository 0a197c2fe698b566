from datetime import timedelta
from functools import cache

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from partnerships_site.choices import ChoicesOnTheFormMixin, choices_query, collect_choices
from partnerships_site.compiled import compiled_query
from partnerships_site.forms import FilterForm, GovUKFormMixin
from register.models import (
    CorporatePriority,
    Directorate,
    Partnership,
    PartnershipPartner,
    Representation,
)

REVIEW_SOON_DAYS = 60
MAX_SEARCH_TERMS = 10

# The register's sortable columns: the `sort` parameter names one, with "-" for descending.
SORT_COLUMNS = {
    "reference": F("reference"),
    "name": F("name_sort"),
    "status": Case(
        *(When(status=value, then=Value(index)) for index, value in enumerate(Partnership.Status)),
        default=Value(len(Partnership.Status)),
    ),
    "directorate": Lower("directorate__name"),
    "start_date": F("start_date"),
    "annual_commitment": F("annual_commitment"),
}
DEFAULT_SORT = "name"


class PartnershipFilterForm(GovUKFormMixin, forms.Form):
    """The register's filters: the two typed ones side by side, then rows of drop-downs.

    Drawn by {% filter_fields %} (register/templatetags/filter_forms.py): (field, column width).
    """

    rows = [
        [("q", "two-thirds"), ("lead", "one-third")],  # the typed filters, side by side
        [
            (name, "one-quarter")
            for name in ("status", "directorate", "council_role", "significant")
        ],
        [(name, "one-quarter") for name in ("priority", "review_due")],
    ]


def search_words(value):
    """The words typed in a search or filter box, as many as are looked for."""
    return value.split()[:MAX_SEARCH_TERMS]


def every_word_in(lookup, words):
    """Rows whose text at `lookup` has each of the words somewhere in it, in any case."""
    condition = Q()
    for word in words:
        condition &= Q(**{f"{lookup}__icontains": word})
    return condition


def _public_search_condition(term):
    """Partnerships that mention the term in what the public register shows of them.

    People are left out: the public register names nobody, so a search for a person's name
    must not tell which partnerships they are named on.
    """
    partner = PartnershipPartner.objects.filter(
        partnership=OuterRef("pk"), organisation__name__icontains=term
    )
    # The reference, name and purpose, or a partner's name.
    return Q(search_text__contains=Lower(Value(term))) | Exists(partner)


def _search_condition(term):
    """Partnerships that mention the term in their own words, partners or people."""
    representative = Representation.objects.filter(
        partnership=OuterRef("pk"), person__name__icontains=term
    )
    condition = _public_search_condition(term) | Exists(representative)
    for officer in ["sponsoring_officer", "monitoring_officer"]:
        condition |= Q(**{f"{officer}__first_name__icontains": term})
        condition |= Q(**{f"{officer}__last_name__icontains": term})
    return condition


class PublicRegisterFilter(django_filters.FilterSet):
    """The public register's search, and its choice of current or closed partnerships."""

    CURRENT = "current"
    CLOSED = "closed"

    q = django_filters.CharFilter(
        label="Search the register",
        method="search",
        max_length=200,
        help_text="Name, purpose, reference or partner organisation.",
        error_messages={"max_length": "Search for 200 characters or fewer"},
    )
    show = django_filters.ChoiceFilter(
        label="Show",
        choices=[(CURRENT, "Current partnerships"), (CLOSED, "Closed partnerships")],
        method="filter_show",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select current or closed partnerships"},
    )

    class Meta:
        form = FilterForm
        fields = ["q", "show"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("show"):
            data["show"] = self.CURRENT
        super().__init__(data, *args, **kwargs)

    @property
    def closed(self):
        """Whether the page lists closed partnerships (an invalid choice lists current ones)."""
        return self.data.get("show") == self.CLOSED

    @property
    def searched(self):
        """Whether the page lists the partnerships a valid search found."""
        return self.is_valid() and bool(search_words(self.form.cleaned_data.get("q") or ""))

    def search(self, queryset, name, value):
        for term in search_words(value):
            queryset = queryset.filter(_public_search_condition(term))
        return queryset

    def filter_show(self, queryset, name, value):
        if value == self.CLOSED:
            return queryset.filter(status=Partnership.Status.CLOSED)
        return queryset.exclude(status=Partnership.Status.CLOSED)


@cache
def _choices_read():
    """The query of PartnershipFilter.choices(), compiled once."""
    # The lists in PartnershipFilter.choice_filters' order, which collect_choices() names.
    return compiled_query(
        lambda: choices_query(
            directorate=(Directorate.objects.all(), "pk", "name"),
            priority=(CorporatePriority.objects.all(), "pk", "name"),
        )
    )


class PartnershipFilter(ChoicesOnTheFormMixin, django_filters.FilterSet):
    """The register's filters, search and sorting, shared by its page and its downloads."""

    choice_filters = ("directorate", "priority")

    q = django_filters.CharFilter(
        label="Search",
        method="search",
        max_length=200,
        help_text="Name, purpose, reference, partner organisation or person.",
        error_messages={"max_length": "Search for 200 characters or fewer"},
    )
    status = django_filters.ChoiceFilter(
        choices=Partnership.Status.choices,
        empty_label="Any status",
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    directorate = django_filters.ChoiceFilter(
        choices=[],
        empty_label="Any directorate",
        error_messages={"invalid_choice": "Select a directorate from the list"},
    )
    council_role = django_filters.ChoiceFilter(
        label="Role of the Council",
        choices=Partnership.CouncilRole.choices,
        empty_label="Any role",
        error_messages={"invalid_choice": "Select a role of the Council from the list"},
    )
    significant = django_filters.ChoiceFilter(
        label="Significant",
        choices=[("yes", "Significant"), ("no", "Not significant")],
        empty_label="Significant or not",
        method="filter_significant",
        error_messages={"invalid_choice": "Select significant or not significant"},
    )
    # Typed rather than picked from a list: a council has hundreds of partner organisations, and
    # words such as "NHS" or "Police" find every one that shares them.
    lead = django_filters.CharFilter(
        label="Lead organisation",
        method="filter_lead",
        max_length=200,
        help_text="Part of its name, such as NHS.",
        error_messages={"max_length": "Lead organisation must be 200 characters or fewer"},
    )
    priority = django_filters.ChoiceFilter(
        label="Corporate Plan priority",
        field_name="corporate_priorities",
        choices=[],
        empty_label="Any priority",
        error_messages={"invalid_choice": "Select a Corporate Plan priority from the list"},
    )
    review_due = django_filters.ChoiceFilter(
        label="Review due",
        choices=[
            ("overdue", "Overdue"),
            ("soon", f"Due in the next {REVIEW_SOON_DAYS} days"),
        ],
        empty_label="Any time",
        method="filter_review_due",
        error_messages={"invalid_choice": "Select overdue or due soon"},
    )

    class Meta:
        model = Partnership
        form = PartnershipFilterForm
        fields = [
            "q",
            "status",
            "directorate",
            "council_role",
            "significant",
            "lead",
            "priority",
            "review_due",
        ]

    def choices(self):
        """The choices of the directorate and priority filters: every directorate and priority,
        read together in one query, once, though the form asks when it is checked and again when
        it is drawn.
        """
        if not hasattr(self, "_choices"):
            self._choices = collect_choices(self.choice_filters, _choices_read()())
        return self._choices

    @property
    def sort(self) -> str:
        """The sort asked for, if it is one of the register's columns; otherwise the default."""
        requested = (self.data or {}).get("sort", "")
        column = requested.removeprefix("-")
        return requested if column in SORT_COLUMNS else DEFAULT_SORT

    def filter_queryset(self, queryset):
        return self.sorted_by(super().filter_queryset(queryset), self.sort)

    @staticmethod
    def sorted_by(queryset, sort):
        """The queryset in the order of `sort` (a column, "-" first for descending), then by id."""
        expression = SORT_COLUMNS[sort.removeprefix("-")]
        if sort.startswith("-"):
            order = [expression.desc(nulls_last=True), F("pk").desc()]
        else:
            order = [expression.asc(nulls_last=True), F("pk").asc()]
        return queryset.order_by(*order)

    @classmethod
    def apply(cls, queryset, cleaned_data, sort):
        """What filter_queryset() makes of these checked values, without a form or a request."""
        filters = cls(queryset=queryset).filters
        for name, value in cleaned_data.items():
            queryset = filters[name].filter(queryset, value)
        return cls.sorted_by(queryset, sort)

    def search(self, queryset, name, value):
        for term in search_words(value):
            queryset = queryset.filter(_search_condition(term))
        return queryset

    def filter_significant(self, queryset, name, value):
        return queryset.filter(is_significant=(value == "yes"))

    def filter_lead(self, queryset, name, value):
        """Partnerships led by an organisation whose name has every word typed; the Council's
        own name finds those it leads itself (Role of the Council: Lead member)."""
        words = search_words(value)
        if not words:
            return queryset
        condition = Exists(
            PartnershipPartner.objects.filter(
                every_word_in("organisation__name", words), partnership=OuterRef("pk"), is_lead=True
            )
        )
        council = settings.COUNCIL_NAME.casefold()
        if all(word.casefold() in council for word in words):
            condition |= Q(council_role=Partnership.CouncilRole.LEAD)
        return queryset.filter(condition)

    def filter_review_due(self, queryset, name, value):
        today = timezone.localdate()
        # Only partnerships still in force have reviews to do.
        queryset = queryset.filter(
            status__in=[
                Partnership.Status.ACTIVE,
                Partnership.Status.UNDER_REVIEW,
                Partnership.Status.EXITING,
            ]
        )
        if value == "overdue":
            return queryset.filter(next_review_due__lt=today)
        return queryset.filter(
            next_review_due__gte=today,
            next_review_due__lte=today + timedelta(days=REVIEW_SOON_DAYS),
        )
