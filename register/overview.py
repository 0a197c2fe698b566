"""The Democratic Services overview: where the council stands on its partnerships.

Every figure is counted or summed in the database (a handful of grouped queries, however many
partnerships there are); Python only arranges the grouped rows for the page.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from register.models import (
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Partnership,
    financial_year_label,
)
from reviews.filters import ReviewDueFilter
from reviews.models import due_for_review
from risks.models import Action, Risk

# Bars are drawn in steps of 5% of the largest value, with CSS classes (no inline styles).
BAR_STEP = 5

# Partnerships whose resources count as committed: approved, whether still in force or closed.
COMMITTED_STATUSES = Partnership.LIVE_STATUSES

NO_BAND = 0


def bar_class(value, largest):
    """The CSS class sizing a bar for value, as a share of the largest value in its chart."""
    if not value or not largest:
        return "app-bar--0"
    steps = 100 // BAR_STEP
    step = max(1, round(float(value) / float(largest) * steps))
    return f"app-bar--{step * BAR_STEP}"


def _url(name, **query):
    return f"{reverse(name)}?{urlencode(query)}"


@dataclass
class Row:
    label: str
    count: int
    url: str = ""
    bar: str = ""
    css_class: str = ""


def with_bars(rows, attribute="count"):
    largest = max((getattr(row, attribute) for row in rows), default=0)
    for row in rows:
        row.bar = bar_class(getattr(row, attribute), largest)
    return rows


def by_status():
    counts = dict(
        Partnership.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    rows = [
        Row(
            label=label,
            count=counts.get(value, 0),
            url=_url("register:partnership_list", status=value),
        )
        for value, label in Partnership.Status.choices
    ]
    return with_bars(rows)


def by_directorate():
    in_force = [
        Partnership.Status.ACTIVE,
        Partnership.Status.UNDER_REVIEW,
        Partnership.Status.EXITING,
    ]
    rows = (
        Partnership.objects.order_by("directorate__name")
        .values("directorate_id", "directorate__name")
        .annotate(total=Count("pk"), in_force=Count("pk", filter=Q(status__in=in_force)))
    )
    return [
        {
            "name": row["directorate__name"] or "No directorate given",
            "total": row["total"],
            "in_force": row["in_force"],
            "url": _url("register:partnership_list", directorate=row["directorate_id"])
            if row["directorate_id"]
            else "",
        }
        for row in rows
    ]


def significant():
    return list(
        Partnership.objects.with_significance()
        .filter(is_significant=True)
        .select_related("directorate", "sponsoring_officer")
        .order_by("name", "pk")
    )


def reviews_overdue():
    today = timezone.localdate()
    due = due_for_review()
    overdue = list(
        due.filter(next_review_due__lt=today)
        .select_related("directorate", "sponsoring_officer")
        .order_by("next_review_due", "reference")
    )
    return {
        "overdue": overdue,
        "due_count": due.count(),
        "list_url": _url("reviews:review_due_list", scope=ReviewDueFilter.ALL),
    }


def risks_by_band(matrix):
    """Open risks counted by the band of their actual score, bands from the council's matrix."""
    score = F("actual_likelihood") * F("actual_impact")
    band = Case(
        *(
            When(
                Q(actual_score__gte=b.min_score) & Q(actual_score__lte=b.max_score),
                then=Value(b.pk),
            )
            for b in matrix.bands
        ),
        default=Value(NO_BAND),
        output_field=IntegerField(),
    )
    counts = dict(
        Risk.objects.open()
        .order_by()
        .annotate(actual_score=score)
        .annotate(band=band)
        .values("band")
        .annotate(n=Count("pk"))
        .values_list("band", "n")
    )
    rows = [
        Row(
            label=b.name,
            count=counts.get(b.pk, 0),
            url=_url("risks:risk_council_list", band=b.pk),
            css_class=f"app-risk-band {b.css_class}",
        )
        for b in matrix.bands
    ]
    if counts.get(NO_BAND):
        rows.append(Row(label="No band", count=counts[NO_BAND], css_class="app-bar__fill--grey"))
    return with_bars(rows)


def escalations(matrix):
    escalated = list(
        Risk.objects.open()
        .escalated()
        .with_register_columns()
        .order_by("-actual_score", "partnership__reference", "number")
    )
    return {
        "escalated": escalated,
        "escalated_url": _url("risks:risk_council_list", escalated="reported"),
        "awaiting_count": Risk.objects.awaiting_report(matrix).count(),
        "awaiting_url": _url("risks:risk_council_list", escalated="awaiting"),
    }


def overdue_actions():
    actions = list(
        Action.objects.overdue()
        .filter(risk__status=Risk.Status.OPEN)
        .select_related("owner", "risk__partnership")
        .order_by("estimated_completion", "pk")
    )
    return {
        "actions": actions,
        "risk_count": len({action.risk_id for action in actions}),
        "list_url": _url("risks:risk_council_list", action_overdue="on"),
    }


def resources():
    """Money, officer hours a month and in-kind value committed, by financial year and
    directorate, with totals for each year and for all years."""
    committed = {"partnership__status__in": COMMITTED_STATUSES}
    group = ["financial_year", "partnership__directorate__name"]

    def grouped(model, amount):
        return {
            (row["financial_year"], row["partnership__directorate__name"]): row["total"]
            for row in model.objects.filter(**committed)
            .order_by()
            .values(*group)
            .annotate(total=Sum(amount))
        }

    money = grouped(FinancialContribution, "amount")
    hours = grouped(OfficerTime, "hours_per_month")
    in_kind = grouped(InKindContribution, "estimated_value")
    keys = sorted(
        set(money) | set(hours) | set(in_kind),
        key=lambda key: (key[0] is None, key[0] or 0, key[1] or ""),
    )
    zero = Decimal("0")
    years = {}
    for year, directorate in keys:
        entry = years.setdefault(
            year,
            {
                "label": financial_year_label(year) or "Year not given",
                "rows": [],
                "money": zero,
                "hours": zero,
                "in_kind": zero,
            },
        )
        row = {
            "directorate": directorate or "No directorate given",
            "money": money.get((year, directorate), zero),
            "hours": hours.get((year, directorate), zero),
            "in_kind": in_kind.get((year, directorate), zero),
        }
        entry["rows"].append(row)
        for name in ("money", "hours", "in_kind"):
            entry[name] += row[name]
    year_list = list(years.values())
    largest = max((year["money"] for year in year_list), default=zero)
    for year in year_list:
        year["bar"] = bar_class(year["money"], largest)
    return {
        "years": year_list,
        "total_money": sum((year["money"] for year in year_list), zero),
        "total_hours": sum((year["hours"] for year in year_list), zero),
        "total_in_kind": sum((year["in_kind"] for year in year_list), zero),
    }


def overview(matrix):
    """Everything the overview page shows."""
    statuses = by_status()
    bands = risks_by_band(matrix)
    return {
        "statuses": statuses,
        "partnership_total": sum(row.count for row in statuses),
        "directorates": by_directorate(),
        "significant": significant(),
        "reviews": reviews_overdue(),
        "bands": bands,
        "open_risk_total": sum(row.count for row in bands),
        "escalations": escalations(matrix),
        "overdue_actions": overdue_actions(),
        "resources": resources(),
    }
