"""The council-wide risk list as a download: its columns, and its rows for Excel (export_rows())
and as one SQL query for PostgreSQL to write as CSV (export_csv_query()). The two give the same
cells; tests/proof/test_export_speed.py compares them byte for byte."""

from django.utils import timezone

from partnerships_site import exports
from register.models import Person
from risks.models import MAX_MATRIX_SIZE, SCORE_KINDS, Escalation, Risk

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

RESPONSES = dict(Escalation.Response.choices)
CATEGORIES = dict(Risk.Category.choices)
STATUSES = dict(Risk.Status.choices)

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


def export_rows(risks, matrix):
    """The export's rows for a queryset of council_risks(), streamed from the database."""
    if risks.query.is_empty():
        return
    today = timezone.localdate()
    # Likelihood, impact, score and band for every pair of levels, worked out once.
    scores = {}
    for likelihood in range(1, MAX_MATRIX_SIZE + 1):
        for impact in range(1, MAX_MATRIX_SIZE + 1):
            score = matrix.score(likelihood, impact)
            scores[likelihood, impact] = [likelihood, impact, score.value, str(score.band or "")]
    for (
        partnership_reference,
        partnership_name,
        directorate,
        reference,
        title,
        category,
        cause,
        event,
        impact,
        owner_name,
        owner_kind,
        status,
        inherent_likelihood,
        inherent_impact,
        actual_likelihood,
        actual_impact,
        residual_likelihood,
        residual_impact,
        raised_on,
        next_review_due,
        open_actions,
        overdue_actions,
        last_reported_on,
        last_board_response,
        last_reviewed_on,
        _position,
    ) in exports.stream_sql(*risks.register_values_sql(*EXPORT_COLUMNS)):
        is_open = status == Risk.Status.OPEN
        yield [
            partnership_reference,
            partnership_name,
            directorate or "",
            reference,
            title,
            CATEGORIES.get(category, category),
            cause,
            event,
            impact,
            Person.display_name(owner_name, owner_kind),
            STATUSES.get(status, status),
            *scores[inherent_likelihood, inherent_impact],
            *scores[actual_likelihood, actual_impact],
            *scores[residual_likelihood, residual_impact],
            raised_on,
            last_reviewed_on,
            next_review_due,
            is_open and next_review_due < today,
            is_open and matrix.is_flagged(actual_likelihood * actual_impact),
            last_reported_on,
            RESPONSES.get(last_board_response, ""),
            open_actions,
            overdue_actions,
        ]


# The columns of register_values_sql(*EXPORT_COLUMNS), as export_csv_query() names them.
EXPORT_QUERY_COLUMNS = [
    *(field.replace("__", "_") for field in EXPORT_COLUMNS),
    "open_actions",
    "overdue_actions",
    "last_reported_on",
    "last_board_response",
    "last_reviewed_on",
    "position",
]


def export_csv_query(risks, matrix):
    """export_rows() as one query, every cell as the CSV writes it, for PostgreSQL to write the
    CSV download (exports.csv_query_response()): each cell below is export_rows()'s, in order."""
    literal = exports.sql_literal
    text = exports.sql_text_cell
    is_open = f"risk.status = {literal(Risk.Status.OPEN)}"

    def score(kind):
        value = f"risk.{kind}_likelihood * risk.{kind}_impact"
        # The first band the score falls in, as Matrix.band_for() finds it.
        bands = " ".join(
            f"WHEN {value} BETWEEN {literal(band.min_score)} AND {literal(band.max_score)} "
            f"THEN {literal(exports.escape_cell(band.name))}"
            for band in matrix.bands
        )
        band = f"CASE {bands} END" if bands else "NULL"
        return [f"risk.{kind}_likelihood", f"risk.{kind}_impact", value, band]

    cells = [
        text("risk.partnership_reference"),
        text("risk.partnership_name"),
        text("risk.partnership_directorate_name"),
        text("risk.reference"),
        text("risk.title"),
        exports.sql_choice_cell(
            "risk.category", Risk.Category.choices, otherwise=text("risk.category")
        ),
        text("risk.cause"),
        text("risk.event"),
        text("risk.impact"),
        # Person.display_name(): "Cllr " and a name is never read as a formula.
        f"CASE WHEN risk.owner_kind = {literal(Person.Kind.COUNCILLOR)} "
        f"AND NOT starts_with(risk.owner_name, 'Cllr') THEN 'Cllr ' || risk.owner_name "
        f"ELSE {text('risk.owner_name')} END",
        exports.sql_choice_cell("risk.status", Risk.Status.choices, otherwise=text("risk.status")),
        *(cell for kind in SCORE_KINDS for cell in score(kind)),
        exports.sql_date_cell("risk.raised_on"),
        exports.sql_date_cell("risk.last_reviewed_on"),
        exports.sql_date_cell("risk.next_review_due"),
        exports.sql_yes_no_cell(
            f"{is_open} AND risk.next_review_due < {literal(timezone.localdate())}"
        ),
        exports.sql_yes_no_cell(
            f"{is_open} AND risk.actual_likelihood * risk.actual_impact "
            f">= {literal(matrix.escalation_threshold)}"
        ),
        exports.sql_date_cell("risk.last_reported_on"),
        exports.sql_choice_cell(
            "risk.last_board_response", Escalation.Response.choices, otherwise="NULL"
        ),
        "risk.open_actions",
        "risk.overdue_actions",
    ]
    risks_sql = exports.compose_sql(*risks.register_values_sql(*EXPORT_COLUMNS))
    # Every name is written here; the values are literals quoted by psycopg.
    return f"""
        SELECT {", ".join(cells)}
        FROM ({risks_sql}) AS risk({", ".join(EXPORT_QUERY_COLUMNS)})
        ORDER BY risk.position
    """  # noqa: S608
