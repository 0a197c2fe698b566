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
    register_values_sql(*EXPORT_COLUMNS) named `row`."""
    literal = exports.sql_literal
    text, number, date = (
        partial(exports.SqlCell, kind) for kind in (exports.TEXT, exports.NUMBER, exports.DATE)
    )
    is_open = f"row.status = {literal(Risk.Status.OPEN)}"

    def score(kind):
        value = f"row.{kind}_likelihood * row.{kind}_impact"
        # The first band the score falls in, as Matrix.band_for() finds it.
        bands = " ".join(
            f"WHEN {value} BETWEEN {literal(band.min_score)} AND {literal(band.max_score)} "
            f"THEN {literal(band.name)}"
            for band in matrix.bands
        )
        return [
            number(f"row.{kind}_likelihood"),
            number(f"row.{kind}_impact"),
            number(value),
            text(f"CASE {bands} END" if bands else "NULL"),
        ]

    return [
        text("row.partnership_reference"),
        text("row.partnership_name"),
        text("row.partnership_directorate_name"),
        text("row.reference"),
        text("row.title"),
        exports.sql_choice("row.category", Risk.Category.choices, otherwise="row.category"),
        text("row.cause"),
        text("row.event"),
        text("row.impact"),
        # As Person.display_name().
        text(
            f"CASE WHEN row.owner_kind = {literal(Person.Kind.COUNCILLOR)} "
            f"AND NOT starts_with(row.owner_name, 'Cllr') THEN 'Cllr ' || row.owner_name "
            "ELSE row.owner_name END"
        ),
        exports.sql_choice("row.status", Risk.Status.choices, otherwise="row.status"),
        *(cell for kind in SCORE_KINDS for cell in score(kind)),
        date("row.raised_on"),
        date("row.last_reviewed_on"),
        date("row.next_review_due"),
        exports.sql_yes_no(f"{is_open} AND row.next_review_due < {literal(timezone.localdate())}"),
        exports.sql_yes_no(
            f"{is_open} AND row.actual_likelihood * row.actual_impact "
            f">= {literal(matrix.escalation_threshold)}"
        ),
        date("row.last_reported_on"),
        exports.sql_choice(
            "row.last_board_response", Escalation.Response.choices, otherwise="NULL"
        ),
        number("row.open_actions"),
        number("row.overdue_actions"),
    ]


def export_query(risks, matrix, formatted):
    """The export of a queryset of council_risks() as one query, each row's cells given by
    formatted: exports.csv_columns for CSV or exports.xlsx_row for Excel."""
    risks_sql = exports.compose_sql(*risks.register_values_sql(*EXPORT_COLUMNS))
    return exports.query_cells(
        export_cells(matrix),
        f"({risks_sql}) AS row({', '.join(EXPORT_QUERY_COLUMNS)})",
        "row.position",
        formatted,
    )
