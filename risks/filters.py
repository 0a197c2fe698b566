"""The council-wide risks list's filters: band, partnership, directorate, owner, overdue reviews
and actions, escalation, likelihood and impact, on the inherent, actual or residual score."""

import django_filters
from django import forms
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from partnerships_site.choices import ChoicesOnTheFormMixin, read_choices
from partnerships_site.forms import GovUKFormMixin
from register.filters import every_word_in, search_words
from register.models import Directorate, Person
from risks.models import Escalation, Matrix, Risk

SCORE_CHOICES = [
    ("actual", "Actual (now)"),
    ("inherent", "Inherent (before controls)"),
    ("residual", "Residual (target)"),
]

ESCALATION_CHOICES = [
    ("awaiting", "For the Partnership Board, not yet reported"),
    ("flagged", "For the Partnership Board"),
    ("reported", "Reported to the Partnership Board"),
]

STATUS_CHOICES = [
    ("open", "Open"),
    ("closed", "Closed"),
    ("all", "Open and closed"),
]


class RiskFilterForm(GovUKFormMixin, forms.Form):
    """Drawn by {% filter_fields %} (register/templatetags/filter_forms.py) in three columns."""

    rows = [
        [
            (("score", "band", "likelihood", "impact"), "one-third"),
            (("partnership", "directorate", "owner", "category"), "one-third"),
            (("status", "escalated", "review_overdue", "action_overdue"), "one-third"),
        ]
    ]


class RiskFilter(ChoicesOnTheFormMixin, django_filters.FilterSet):
    choice_filters = ("directorate", "owner")

    score = django_filters.ChoiceFilter(
        label="Score", choices=SCORE_CHOICES, method="keep", empty_label=None
    )
    band = django_filters.ChoiceFilter(label="Band", method="filter_band", empty_label="Any band")
    likelihood = django_filters.ChoiceFilter(
        label="Likelihood", method="filter_axis", empty_label="Any likelihood"
    )
    impact = django_filters.ChoiceFilter(
        label="Impact", method="filter_axis", empty_label="Any impact"
    )
    # A council has thousands of partnerships: too many for a drop-down, so their reference or
    # words from their name are typed. Links from a partnership's heat map give its reference.
    partnership = django_filters.CharFilter(
        label="Partnership",
        method="filter_partnership",
        max_length=200,
        help_text="Its reference, such as P-2026-003, or words from its name",
    )
    directorate = django_filters.ChoiceFilter(
        label="Directorate",
        field_name="partnership__directorate",
        choices=[],
        empty_label="Any directorate",
    )
    owner = django_filters.ChoiceFilter(
        label="Risk owner",
        choices=[],
        empty_label="Anyone",
    )
    category = django_filters.ChoiceFilter(
        label="Category", choices=Risk.Category.choices, empty_label="Any category"
    )
    escalated = django_filters.ChoiceFilter(
        label="Partnership Board",
        choices=ESCALATION_CHOICES,
        method="filter_escalated",
        empty_label="Any",
    )
    review_overdue = django_filters.BooleanFilter(
        label="Review overdue", method="filter_review_overdue", widget=forms.CheckboxInput
    )
    action_overdue = django_filters.BooleanFilter(
        label="Has an overdue action", method="filter_action_overdue", widget=forms.CheckboxInput
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=STATUS_CHOICES, method="filter_status", empty_label=None
    )

    class Meta:
        model = Risk
        fields = []
        form = RiskFilterForm

    def __init__(self, data=None, *args, request=None, matrix=None, **kwargs):
        if data is not None:
            data = data.copy()
            data.setdefault("score", "actual")
            data.setdefault("status", "open")
        super().__init__(data, *args, request=request, **kwargs)
        self.matrix = matrix or Matrix.for_request(request)
        levels = {
            "likelihood": self.matrix.likelihoods,
            "impact": self.matrix.impacts,
        }
        for name, values in levels.items():
            self.filters[name].extra["choices"] = [(level.value, str(level)) for level in values]
        self.filters["band"].extra["choices"] = [
            (band.pk, f"{band.name} ({band.min_score} to {band.max_score})")
            for band in self.matrix.bands
        ]

    def choices(self):
        """The directorate and risk owner choices, read once in one query."""
        if not hasattr(self, "_choices"):
            owns = Risk.objects.filter(owner=OuterRef("pk"))
            self._choices = read_choices(
                directorate=(Directorate.objects.order_by("name"), "pk", "name"),
                owner=(
                    Person.objects.filter(Exists(owns)).order_by("name"),
                    "pk",
                    Case(
                        When(
                            Q(kind=Person.Kind.COUNCILLOR) & ~Q(name__startswith="Cllr"),
                            then=Concat(Value("Cllr "), "name"),
                        ),
                        default="name",
                    ),
                ),
            )
        return self._choices

    @property
    def kind(self):
        cleaned = getattr(self.form, "cleaned_data", {})
        return cleaned.get("score") or "actual"

    def _score(self):
        return F(f"{self.kind}_likelihood") * F(f"{self.kind}_impact")

    def keep(self, queryset, name, value):
        return queryset

    def filter_partnership(self, queryset, name, value):
        words = search_words(value)
        if not words:
            return queryset
        named = every_word_in("partnership__name", words)
        return queryset.filter(Q(partnership__reference__iexact=value.strip()) | named)

    def filter_band(self, queryset, name, value):
        band = self.matrix.band_by_pk(value)
        if band is None:
            return queryset.none()
        return queryset.filter(
            GreaterThanOrEqual(self._score(), band.min_score),
            LessThanOrEqual(self._score(), band.max_score),
        )

    def filter_axis(self, queryset, name, value):
        return queryset.filter(**{f"{self.kind}_{name}": int(value)})

    def filter_escalated(self, queryset, name, value):
        reported = Exists(Escalation.objects.filter(risk=OuterRef("pk")))
        if value == "reported":
            return queryset.filter(reported)
        flagged = queryset.filter(
            status=Risk.Status.OPEN,
        ).filter(
            GreaterThanOrEqual(
                F("actual_likelihood") * F("actual_impact"), self.matrix.escalation_threshold
            )
        )
        if value == "awaiting":
            return flagged.exclude(reported)
        return flagged

    def filter_review_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status=Risk.Status.OPEN, next_review_due__lt=timezone.localdate())

    def filter_action_overdue(self, queryset, name, value):
        return queryset.with_overdue_actions() if value else queryset

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)
