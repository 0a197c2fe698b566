"""Committee reports: the annual report on partnerships and the risk update.

Each report's data is assembled once, in a fixed number of queries whatever the size of the
register, and then rendered twice: as an accessible HTML page that prints well, and as a Word
document that Democratic Services attach to committee papers.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from partnerships_site.forms import DATE_HINT, DayMonthYearField, GetFormMixin
from register.models import (
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Partnership,
    Representation,
    current_financial_year,
    financial_year_label,
)
from reviews.models import AnnualReview
from risks.models import Action, Escalation, Matrix, Risk

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Partnerships the annual report speaks of: in force at some point, never drafts or refusals.
REPORTED_STATUSES = Partnership.LIVE_STATUSES


def money(value) -> str:
    return f"£{value:,.2f}"


def hours(value) -> str:
    return f"{value:,.1f}"


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of a financial year (1 April to 31 March)."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def _aware_bounds(first: date, last: date):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(last, time.max), tz),
    )


def report_years(today=None) -> list[int]:
    """Financial years with resources committed, and the current one, newest first."""
    years = set(
        FinancialContribution.objects.order_by().values_list("financial_year", flat=True).distinct()
    )
    years.add(current_financial_year(today))
    return sorted(years, reverse=True)


def band_counts(risks, matrix) -> list[tuple]:
    """How many of the risks fall in each band of the matrix, by actual score."""
    return [
        (band, sum(1 for risk in risks if band.min_score <= risk.actual_score <= band.max_score))
        for band in matrix.bands
    ]


class AnnualReportForm(GetFormMixin, forms.Form):
    """The financial year to report on, chosen from the years that have data."""

    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select the financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, financial_year_label(year)) for year in years]


class RiskUpdateForm(GetFormMixin, forms.Form):
    """The date the risk update is as at (today when left blank)."""

    date = DayMonthYearField(
        label="Date of the update", required=False, help_text="Leave blank for today. " + DATE_HINT
    )


# The annual report on partnerships ------------------------------------------------------------


@dataclass
class SignificantPartnership:
    """One significant partnership as the annual report shows it."""

    partnership: Partnership
    money: Decimal
    hours_per_month: Decimal
    in_kind: Decimal
    latest_review: AnnualReview | None
    band_counts: list
    open_risks: int
    escalated_risks: list
    representatives: list

    @property
    def role(self) -> str:
        partnership = self.partnership
        if partnership.council_role == Partnership.CouncilRole.OTHER and (
            partnership.council_role_other
        ):
            return partnership.council_role_other
        return partnership.get_council_role_display() or "Not given"

    @property
    def hours_in_year(self) -> Decimal:
        return self.hours_per_month * 12


@dataclass
class AnnualReport:
    year: int
    starts: date
    ends: date
    produced_on: date
    council_name: str
    matrix: Matrix
    significant: list = field(default_factory=list)
    reviewed: list = field(default_factory=list)
    closed: list = field(default_factory=list)

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def title(self) -> str:
        return f"Annual report on partnerships {self.year_label}"

    @property
    def withdrawn(self) -> list:
        return [review for review in self.reviewed if review.is_withdrawal]

    @property
    def total_money(self) -> Decimal:
        return sum((row.money for row in self.significant), Decimal("0"))

    @property
    def total_hours(self) -> Decimal:
        return sum((row.hours_in_year for row in self.significant), Decimal("0"))

    @property
    def total_in_kind(self) -> Decimal:
        return sum((row.in_kind for row in self.significant), Decimal("0"))


def annual_report(year: int, *, matrix: Matrix, today=None) -> AnnualReport:
    """Everything the Audit and Governance committee's annual report needs, for one year."""
    today = today or timezone.localdate()
    starts, ends = financial_year_bounds(year)
    first_moment, last_moment = _aware_bounds(starts, ends)
    in_year = Q(financial_year=year) | Q(financial_year__isnull=True)
    serving = (Q(appointed_from__isnull=True) | Q(appointed_from__lte=ends)) & (
        Q(appointed_to__isnull=True) | Q(appointed_to__gte=starts)
    )
    escalated = Exists(Escalation.objects.filter(risk=OuterRef("pk"), reported_on__lte=ends))
    partnerships = (
        Partnership.objects.with_significance()
        .filter(is_significant=True, status__in=REPORTED_STATUSES)
        .exclude(closed_on__lt=starts)
        .exclude(approved_on__gt=ends)
        .select_related("directorate")
        .prefetch_related(
            Prefetch(
                "financial_contributions",
                queryset=FinancialContribution.objects.filter(financial_year=year),
                to_attr="year_money",
            ),
            Prefetch(
                "officer_time", queryset=OfficerTime.objects.filter(in_year), to_attr="year_time"
            ),
            Prefetch(
                "in_kind_contributions",
                queryset=InKindContribution.objects.filter(in_year),
                to_attr="year_in_kind",
            ),
            Prefetch(
                "representations",
                queryset=Representation.objects.filter(serving).select_related("person"),
                to_attr="year_representatives",
            ),
            Prefetch(
                "annual_reviews",
                queryset=AnnualReview.objects.current()
                .filter(completed_at__lte=last_moment)
                .order_by("-completed_at", "-pk"),
                to_attr="completed_reviews",
            ),
            Prefetch(
                "risks",
                queryset=Risk.objects.open()
                .with_scores()
                .annotate(is_escalated=escalated)
                .order_by("-actual_score", "number"),
                to_attr="open_risks",
            ),
        )
        .order_by("name", "reference")
    )
    report = AnnualReport(
        year=year,
        starts=starts,
        ends=ends,
        produced_on=today,
        council_name=settings.COUNCIL_NAME,
        matrix=matrix,
    )
    for partnership in partnerships:
        risks = partnership.open_risks
        report.significant.append(
            SignificantPartnership(
                partnership=partnership,
                money=sum((c.amount for c in partnership.year_money), Decimal("0")),
                hours_per_month=sum(
                    (t.hours_per_month for t in partnership.year_time), Decimal("0")
                ),
                in_kind=sum((c.estimated_value for c in partnership.year_in_kind), Decimal("0")),
                latest_review=next(iter(partnership.completed_reviews), None),
                band_counts=band_counts(risks, matrix),
                open_risks=len(risks),
                escalated_risks=[risk for risk in risks if risk.is_escalated],
                representatives=partnership.year_representatives,
            )
        )
    report.reviewed = list(
        AnnualReview.objects.current()
        .filter(completed_at__range=(first_moment, last_moment))
        .select_related("partnership")
        .order_by("completed_at", "pk")
    )
    report.closed = list(
        Partnership.objects.filter(
            status=Partnership.Status.CLOSED, closed_on__range=(starts, ends)
        ).order_by("closed_on", "reference")
    )
    return report


# The risk update ---------------------------------------------------------------------------------


@dataclass
class RiskUpdate:
    on: date
    produced_on: date
    council_name: str
    matrix: Matrix
    risks: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Risk update: escalated and {self.highest_band_name} risks"

    @property
    def highest_band(self):
        return self.matrix.bands[-1] if self.matrix.bands else None

    @property
    def highest_band_name(self) -> str:
        band = self.highest_band
        return band.name.lower() if band else "highest"

    @property
    def band_counts(self) -> list:
        return band_counts(self.risks, self.matrix)


def risk_update(on: date, *, matrix: Matrix, today=None) -> RiskUpdate:
    """Council-wide risks open on the given date that are escalated, at or above the escalation
    threshold, or in the matrix's highest band, with their actions."""
    today = today or timezone.localdate()
    report = RiskUpdate(on=on, produced_on=today, council_name=settings.COUNCIL_NAME, matrix=matrix)
    cut_off = matrix.escalation_threshold
    if report.highest_band is not None:
        cut_off = min(cut_off, report.highest_band.min_score)
    reported = Escalation.objects.filter(reported_on__lte=on)
    risks = (
        Risk.objects.with_scores()
        .filter(raised_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .annotate(is_escalated=Exists(reported.filter(risk=OuterRef("pk"))))
        .filter(Q(is_escalated=True) | Q(actual_score__gte=cut_off))
        .select_related("partnership__directorate", "owner")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner").order_by(
                    "estimated_completion", "pk"
                ),
            ),
            Prefetch(
                "escalations",
                queryset=reported.order_by("-reported_on", "-pk"),
                to_attr="reports_to_board",
            ),
        )
        .order_by("-actual_score", "partnership__reference", "number")
    )
    for risk in risks:
        risk.band = matrix.band_for(risk.actual_score)
        risk.for_board = matrix.is_flagged(risk.actual_score)
        risk.action_rows = [
            {"action": action, "overdue": action_overdue_on(action, on)}
            for action in risk.actions.all()
        ]
        report.risks.append(risk)
    return report


def action_overdue_on(action, on: date) -> bool:
    """Whether the action was still open and past its estimated completion date on that day."""
    done_by_then = action.is_complete and action.completed_on and action.completed_on <= on
    return not done_by_then and action.estimated_completion < on


# Word documents --------------------------------------------------------------------------------


# Characters Word's XML cannot hold; typed or pasted text may still carry them.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value) -> str:
    return XML_UNSAFE.sub("", str(value))


def _paragraph(document, text, style=None):
    return document.add_paragraph(_xml_safe(text), style=style)


def _heading(document, text, level):
    return document.add_heading(_xml_safe(text), level=level)


def _repeat_header(row):
    """Mark a table row as a header row, repeated on each page, as screen readers expect."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, caption, header, rows):
    _paragraph(document, caption, style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = _xml_safe(text)
    return table


def _new_document(title, council_name, produced_on, subtitle):
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = council_name
    _heading(document, title, level=1)
    _paragraph(document, council_name)
    _paragraph(document, subtitle)
    _paragraph(document, f"Produced on {format_date(produced_on)}.")
    return document


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _review_text(review):
    if review is None:
        return "Not yet reviewed"
    return f"{review.get_outcome_display()}, agreed on {format_date(review.agreed_on)}"


def annual_report_docx(report: AnnualReport) -> bytes:
    document = _new_document(
        report.title,
        report.council_name,
        report.produced_on,
        f"Report to the Audit and Governance Committee for the financial year "
        f"{report.year_label} ({format_date(report.starts)} to {format_date(report.ends)}).",
    )
    _heading(document, "Significant partnerships", level=2)
    _paragraph(
        document,
        f"{len(report.significant)} significant partnership"
        f"{'' if len(report.significant) == 1 else 's'}. Resources are those committed for "
        f"{report.year_label}, with officer time and in-kind support given without a year "
        f"counted as ongoing.",
    )
    _table(
        document,
        f"Significant partnerships and the resources committed in {report.year_label}",
        [
            "Reference",
            "Partnership",
            "Role of the Council",
            "Money",
            "Officer hours",
            "In kind",
            "Latest review",
        ],
        [
            [
                row.partnership.reference,
                row.partnership.name,
                row.role,
                money(row.money),
                hours(row.hours_in_year),
                money(row.in_kind),
                _review_text(row.latest_review),
            ]
            for row in report.significant
        ]
        + [
            [
                "Total",
                "",
                "",
                money(report.total_money),
                hours(report.total_hours),
                money(report.total_in_kind),
                "",
            ]
        ],
    )
    for row in report.significant:
        _heading(document, f"{row.partnership.name} ({row.partnership.reference})", level=3)
        _paragraph(document, f"Role of the Council: {row.role}.")
        _paragraph(document, f"Latest review: {_review_text(row.latest_review)}.")
        _paragraph(
            document,
            f"Risks: {row.open_risks} open. By actual score: "
            + "; ".join(f"{band.name} {count}" for band, count in row.band_counts)
            + ".",
        )
        if row.escalated_risks:
            _paragraph(
                document,
                "Escalated to the Partnership Board: "
                + "; ".join(f"{risk.reference} {risk.title}" for risk in row.escalated_risks)
                + ".",
            )
        else:
            _paragraph(document, "No risks escalated to the Partnership Board.")
        if row.representatives:
            _table(
                document,
                f"Representatives on {row.partnership.name}",
                ["Name", "Role"],
                [
                    [str(rep.person), rep.role_other or rep.get_role_display()]
                    for rep in row.representatives
                ],
            )
        else:
            _paragraph(document, "No representatives recorded.")

    _heading(document, f"Partnerships reviewed in {report.year_label}", level=2)
    if report.reviewed:
        _table(
            document,
            f"Annual reviews completed in {report.year_label}",
            ["Reference", "Partnership", "Date of review", "Outcome", "Agreed by", "Agreed on"],
            [
                [
                    review.partnership.reference,
                    review.partnership.name,
                    format_date(review.review_date),
                    review.get_outcome_display(),
                    review.agreed_by,
                    format_date(review.agreed_on),
                ]
                for review in report.reviewed
            ],
        )
    else:
        _paragraph(document, "No annual reviews were completed in the year.")

    _heading(document, f"Partnerships withdrawn from in {report.year_label}", level=2)
    if report.withdrawn:
        _table(
            document,
            "Decisions to withdraw",
            ["Reference", "Partnership", "Agreed by", "Agreed on", "Reasons"],
            [
                [
                    review.partnership.reference,
                    review.partnership.name,
                    review.agreed_by,
                    format_date(review.agreed_on),
                    review.outcome_reasons,
                ]
                for review in report.withdrawn
            ],
        )
    else:
        _paragraph(document, "The council withdrew from no partnerships in the year.")

    _heading(document, f"Partnerships closed in {report.year_label}", level=2)
    if report.closed:
        _table(
            document,
            "Partnerships closed",
            ["Reference", "Partnership", "Closed on"],
            [[p.reference, p.name, format_date(p.closed_on)] for p in report.closed],
        )
    else:
        _paragraph(document, "No partnerships were closed in the year.")
    return _saved(document)


def risk_update_docx(report: RiskUpdate) -> bytes:
    document = _new_document(
        report.title,
        report.council_name,
        report.produced_on,
        f"Council-wide risks on partnerships' risk registers as at {format_date(report.on)}: "
        f"those reported to the Partnership Board, those with an actual score of "
        f"{report.matrix.escalation_threshold} or more, and those in the "
        f"{report.highest_band_name} band.",
    )
    _heading(document, "Summary", level=2)
    _table(
        document,
        f"{len(report.risks)} risk{'' if len(report.risks) == 1 else 's'} by actual score",
        ["Band", "Scores", "Risks"],
        [
            [band.name, f"{band.min_score} to {band.max_score}", count]
            for band, count in report.band_counts
        ],
    )
    _heading(document, "Risks", level=2)
    if not report.risks:
        _paragraph(document, "No risks are escalated or in the highest band.")
    for risk in report.risks:
        _heading(document, f"{risk.partnership.reference} {risk.reference}: {risk.title}", level=3)
        _paragraph(document, f"Partnership: {risk.partnership.name}.")
        _paragraph(document, f"Risk owner: {risk.owner}.")
        _paragraph(
            document,
            f"Actual score: {risk.actual_score}"
            + (f" ({risk.band.name})" if risk.band else "")
            + ".",
        )
        if risk.reports_to_board:
            latest = risk.reports_to_board[0]
            _paragraph(
                document,
                f"Reported to the Partnership Board on {format_date(latest.reported_on)} "
                f"({latest.board_meeting}): {latest.get_board_response_display()}.",
            )
        else:
            _paragraph(document, "Not yet reported to the Partnership Board.")
        if risk.action_rows:
            _table(
                document,
                f"Actions on {risk.partnership.reference} {risk.reference}",
                ["Action", "Owner", "Due", "Status"],
                [
                    [
                        row["action"].description,
                        str(row["action"].owner),
                        format_date(row["action"].estimated_completion),
                        row["action"].get_status_display()
                        + (" (overdue)" if row["overdue"] else ""),
                    ]
                    for row in risk.action_rows
                ],
            )
        else:
            _paragraph(document, "No actions planned.")
    return _saved(document)
