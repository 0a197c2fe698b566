"""The council-wide risk list as a download: its columns, and one SQL query for PostgreSQL to write
its rows as CSV or Excel (export_query()). tests/proof/test_export_speed.py holds both files to
what csv_response() and xlsx_response() write from each risk's model."""

from functools import partial

from django.utils import timezone

from partnerships_site import exports
from register.models import Person
from risks.models import SCORE_KINDS, Escalation, Risk

EXPORT_HEADER = [
    "Partnership reference",
    "Partnership",
    "Directorate",
    "Risk reference",
    "Title",
    "Category",
    "Cause",
    "Event",
    "Impact",
    "Risk owner",
    "Status",
    "Inherent likelihood",
    "Inherent impact",
    "Inherent score",
    "Inherent band",
    "Actual likelihood",
    "Actual impact",
    "Actual score",
    "Actual band",
    "Residual likelihood",
    "Residual impact",
    "Residual score",
    "Residual band",
    "Date raised",
    "Last reviewed",
    "Next review due",
    "Review overdue",
    "For the Partnership Board",
    "Last reported to the board",
    "Board's response",
    "Open actions",
    "Overdue actions",
]

# What the export reads of each risk, then the register's columns (see register_values_sql()):
# plain values from one query, so that no model is built for a row and a download of the whole
# council's risks streams at tens of thousands of rows a second.
EXPORT_COLUMNS = [
    "partnership__reference",
    "partnership__name",
    "partnership__directorate__name",
    "reference",
    "title",
    "category",
    "cause",
    "event",
    "impact",
    "owner__name",
    "owner__kind",
    "status",
    *(f"{kind}_{axis}" for kind in SCORE_KINDS for axis in ("likelihood", "impact")),
    "raised_on",
    "next_review_due",
]

# The columns of register_values_sql(*EXPORT_COLUMNS), as export_cells() names them.
EXPORT_QUERY_COLUMNS = [
    *(field.replace("__", "_") for field in EXPORT_COLUMNS),
    "open_actions",
    "overdue_actions",
    "last_reported_on",
    "last_board_response",
    "last_reviewed_on",
    "position",
]


def export_cells(matrix):
    """The cells of a risk's row, in EXPORT_HEADER's order, as SQL over the columns of
    register_values_sql(*EXPORT_COLUMNS) named `risk`."""
    literal = exports.sql_literal
    text, number, date = (
        partial(exports.SqlCell, kind) for kind in (exports.TEXT, exports.NUMBER, exports.DATE)
    )
    is_open = f"risk.status = {literal(Risk.Status.OPEN)}"

    def score(kind):
        value = f"risk.{kind}_likelihood * risk.{kind}_impact"
        # The first band the score falls in, as Matrix.band_for() finds it.
        bands = " ".join(
            f"WHEN {value} BETWEEN {literal(band.min_score)} AND {literal(band.max_score)} "
            f"THEN {literal(band.name)}"
            for band in matrix.bands
        )
        return [
            number(f"risk.{kind}_likelihood"),
            number(f"risk.{kind}_impact"),
            number(value),
            text(f"CASE {bands} END" if bands else "NULL"),
        ]

    return [
        text("risk.partnership_reference"),
        text("risk.partnership_name"),
        text("risk.partnership_directorate_name"),
        text("risk.reference"),
        text("risk.title"),
        exports.sql_choice("risk.category", Risk.Category.choices, otherwise="risk.category"),
        text("risk.cause"),
        text("risk.event"),
        text("risk.impact"),
        # As Person.display_name().
        text(
            f"CASE WHEN risk.owner_kind = {literal(Person.Kind.COUNCILLOR)} "
            f"AND NOT starts_with(risk.owner_name, 'Cllr') THEN 'Cllr ' || risk.owner_name "
            "ELSE risk.owner_name END"
        ),
        exports.sql_choice("risk.status", Risk.Status.choices, otherwise="risk.status"),
        *(cell for kind in SCORE_KINDS for cell in score(kind)),
        date("risk.raised_on"),
        date("risk.last_reviewed_on"),
        date("risk.next_review_due"),
        exports.sql_yes_no(f"{is_open} AND risk.next_review_due < {literal(timezone.localdate())}"),
        exports.sql_yes_no(
            f"{is_open} AND risk.actual_likelihood * risk.actual_impact "
            f">= {literal(matrix.escalation_threshold)}"
        ),
        date("risk.last_reported_on"),
        exports.sql_choice(
            "risk.last_board_response", Escalation.Response.choices, otherwise="NULL"
        ),
        number("risk.open_actions"),
        number("risk.overdue_actions"),
    ]


def export_query(risks, matrix, formatted):
    """The export of a queryset of council_risks() as one query, each row's cells given by
    formatted: exports.csv_columns for CSV or exports.xlsx_row for Excel."""
    risks_sql = exports.compose_sql(*risks.register_values_sql(*EXPORT_COLUMNS))
    return exports.query_cells(
        export_cells(matrix),
        f"({risks_sql}) AS risk({', '.join(EXPORT_QUERY_COLUMNS)})",
        "risk.position",
        formatted,
    )
