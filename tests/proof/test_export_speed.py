"""The downloads stream: what they hold, that they start before the rows are read, and that
neither their queries nor their memory grow with the number of rows.

How fast they are is measured, not tested: partnerships_site/benchmarking.py (used by
`make bench`) times 100,000 risks. These tests prove what makes it fast without a clock.
"""

import csv
import io
import tracemalloc
from datetime import date, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from partnerships_site import exports
from partnerships_site.benchmarking import measure_export
from register.models import Partnership, Person
from risks.exports import EXPORT_HEADER
from risks.filters import RiskFilter
from risks.models import SCORE_KINDS, Escalation, Matrix, Risk, RiskReview, ScoreBand
from tests.factories import (
    ActionFactory,
    DirectorateFactory,
    EscalationFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
)
from tests.helpers import today

RISK_CSV = reverse("risks:risk_council_export", args=["csv"])
RISK_XLSX = reverse("risks:risk_council_export", args=["xlsx"])
RESPONSES = dict(Escalation.Response.choices)


def reference_row(risk, matrix):
    """A row as the export wrote it from each risk's model before it streamed: the yardstick."""
    open_ = risk.status == Risk.Status.OPEN
    row = [
        risk.partnership.reference,
        risk.partnership.name,
        str(risk.partnership.directorate or ""),
        risk.reference,
        risk.title,
        risk.get_category_display(),
        risk.cause,
        risk.event,
        risk.impact,
        str(risk.owner),
        risk.get_status_display(),
    ]
    for kind in SCORE_KINDS:
        score = risk.score(kind, matrix)
        row += [score.likelihood.value, score.impact.value, score.value, str(score.band or "")]
    return row + [
        risk.raised_on,
        risk.last_reviewed_on,
        risk.next_review_due,
        open_ and risk.next_review_due < today(),
        open_ and matrix.is_flagged(risk.actual_score),
        risk.last_reported_on,
        RESPONSES.get(risk.last_board_response, ""),
        risk.open_actions,
        risk.overdue_actions,
    ]


def reference_csv(risks):
    matrix = Matrix.load()
    rows = [reference_row(risk, matrix) for risk in risks]
    return b"".join(exports.csv_response(EXPORT_HEADER, rows, filename="r.csv").streaming_content)


def council_order(queryset):
    return queryset.with_register_columns().order_by(
        "-actual_score", "partnership__reference", "number"
    )


# Text a spreadsheet would read as a formula, or that CSV must quote, in every text column.
AWKWARD_TEXT = [
    "=1+1",
    "@SUM(A1:A2)",
    "-2",
    "+44 1632 960000",
    "\tTabbed",
    "\rCarriage return first",
    'Commas, "quotes", and\r\nlines\nof text',
    "Café ☕ – naïve Ünïcödé 日本語",
    "'Already quoted",
    "a=b, not a formula",
    " =padded",
]
# Control characters, which a sheet cannot hold, and backslashes, which COPY escapes.
CONTROL_TEXT = [
    "\x01=1+1 after a control character",
    "Back\x08space, vertical\x0btab, form\x0cfeed and a bell\x07",
    "C:\\Shared\\Risks\\n is not a new line",
    "\x02\x03",
]
# Every risk of varied_risks().
VARIED_RISKS = 4 + len(AWKWARD_TEXT) + len(CONTROL_TEXT)


@pytest.fixture
def varied_risks(db):
    """Risks with every kind of value the export writes, across three directorates, with text
    that a spreadsheet would read as a formula or that CSV must quote in every text column."""
    ScoreBand.objects.filter(name="Low").update(name="-Low")
    ScoreBand.objects.filter(name="Medium").update(name='Medium, 50% "likely"')
    housing = PartnershipFactory(
        status=Partnership.Status.ACTIVE,
        name='=HYPERLINK("http://evil.example")',
        directorate=DirectorateFactory(name="Housing and Wellbeing"),
    )
    no_directorate = PartnershipFactory(status=Partnership.Status.ACTIVE, directorate=None)
    councillor = PersonFactory(name="Ann Smith", kind=Person.Kind.COUNCILLOR)
    already = PersonFactory(name="Cllr Bob Jones", kind=Person.Kind.COUNCILLOR)
    awkward = PartnershipFactory(
        status=Partnership.Status.ACTIVE,
        name='+Awkward, "partnership"',
        directorate=DirectorateFactory(name="@Directorate"),
    )
    for number, text in enumerate(AWKWARD_TEXT):
        RiskFactory(
            partnership=awkward,
            owner=PersonFactory(
                name=text, kind=Person.Kind.COUNCILLOR if number % 2 else Person.Kind.OFFICER
            ),
            title=text,
            cause=text,
            event=AWKWARD_TEXT[-1 - number],
            impact="" if number == 0 else text,
            raised_on=date(2025, 12, 31),
            next_review_due=today() - timedelta(days=1 + number),
            actual_likelihood=1 + number % 5,
            actual_impact=1,
        )
    for text in CONTROL_TEXT:
        RiskFactory(partnership=awkward, title=text, cause=text, event=text, impact=text)
    Risk.objects.filter(title="-2").update(category="=not a choice")
    flagged = RiskFactory(
        partnership=housing,
        owner=councillor,
        title='@Flagged, with "quotes"\nand a new line',
        cause="+cause",
        category="legal",
        actual_likelihood=4,
        actual_impact=5,
    )
    overdue = RiskFactory(
        partnership=housing,
        owner=already,
        title="Review overdue",
        next_review_due=today() - timedelta(days=1),
        residual_likelihood=1,
        residual_impact=1,
    )
    closed = RiskFactory(
        partnership=no_directorate,
        title="Closed",
        status=Risk.Status.CLOSED,
        closed_reason="Done",
        closed_on=today(),
        next_review_due=today() - timedelta(days=9),
    )
    RiskFactory(partnership=no_directorate, title="-Low", actual_likelihood=1, actual_impact=1)
    ActionFactory(risk=flagged, estimated_completion=today() - timedelta(days=2))
    ActionFactory(risk=flagged, estimated_completion=today() + timedelta(days=2))
    ActionFactory(
        risk=flagged,
        estimated_completion=today() - timedelta(days=2),
        status="complete",
        completed_on=today(),
    )
    ActionFactory(risk=overdue, estimated_completion=today() + timedelta(days=5))
    EscalationFactory(risk=flagged, reported_on=today() - timedelta(days=40))
    EscalationFactory(
        risk=flagged, reported_on=today() - timedelta(days=3), board_response="action_directed"
    )
    EscalationFactory(
        risk=closed, reported_on=today() - timedelta(days=3), board_response="accepted"
    )
    reviewer = UserFactory()
    for risk, days_ago in [(flagged, 30), (flagged, 2), (closed, 10)]:
        RiskReview.objects.create(
            risk=risk,
            reviewed_on=today() - timedelta(days=days_ago),
            reviewer=reviewer,
            next_review_due=today() + timedelta(days=60),
            **{f"{kind}_{axis}": 2 for kind in SCORE_KINDS for axis in ("likelihood", "impact")},
        )
    return Risk.objects.all()


def body(response):
    assert response.status_code == 200
    assert response.streaming, "a download must stream, not be built whole in memory"
    return b"".join(response.streaming_content)


# Filters of the council's risk list, the last of which is not valid and gives no rows.
EXPORT_QUERIES = [
    {"status": "all"},
    {"review_overdue": "on"},
    {"escalated": "reported", "status": "all"},
    {"action_overdue": "on"},
    {"directorate": "none-such"},
]


def filtered_risks(query):
    filterset = RiskFilter(
        _querydict(query), queryset=council_order(Risk.objects.all()), matrix=Matrix.load()
    )
    return filterset.qs if filterset.is_valid() else Risk.objects.none()


@pytest.mark.parametrize("query", EXPORT_QUERIES)
def test_the_risk_csv_has_the_same_bytes_as_when_built_from_each_risk(
    democratic_client, varied_risks, query
):
    streamed = body(democratic_client.get(RISK_CSV, query))
    assert streamed == reference_csv(filtered_risks(query))
    if query == {"status": "all"}:
        rows = list(csv.reader(io.StringIO(streamed.decode("utf-8-sig"))))
        assert len(rows) == 1 + VARIED_RISKS
        flagged = next(row for row in rows if row[4].startswith("'@Flagged"))
        assert flagged[1] == '\'=HYPERLINK("http://evil.example")'
        assert flagged[6] == "'+cause"
        assert flagged[9] == "Cllr Ann Smith"
        assert flagged[5] == "Legal and compliance"
        assert flagged[23] == f"{today() - timedelta(days=60):%d/%m/%Y}"
        assert flagged[26:] == ["No", "Yes", f"{today() - timedelta(days=3):%d/%m/%Y}",
                                "Action directed", "2", "1"]  # fmt: skip


def sheet_cells(content):
    """Every cell of a workbook's sheet as openpyxl reads it: where, what, of which type and
    shown how."""
    sheet = load_workbook(io.BytesIO(content)).active
    return [
        [(cell.coordinate, cell.value, cell.data_type, cell.number_format) for cell in row]
        for row in sheet.iter_rows()
    ]


@pytest.mark.parametrize("query", EXPORT_QUERIES)
def test_the_risk_excel_file_has_the_same_cells_as_when_built_from_each_risk(
    democratic_client, varied_risks, query
):
    """PostgreSQL writes the sheet's rows: the cells are those xlsx_response() writes from the
    values of each risk's model, awkward text and control characters included."""
    matrix = Matrix.load()
    rows = [reference_row(risk, matrix) for risk in filtered_risks(query)]
    reference = exports.xlsx_response(EXPORT_HEADER, rows, filename="r.xlsx", sheet_title="Risks")
    streamed = sheet_cells(body(democratic_client.get(RISK_XLSX, query)))
    assert streamed == sheet_cells(b"".join(reference.streaming_content))
    assert len(streamed) == 1 + len(rows)
    if query == {"status": "all"}:
        cells = {row[4][1]: [cell[1] for cell in row] for row in streamed}
        assert (
            cells["'=1+1 after a control character"][6:9] == ["'=1+1 after a control character"] * 3
        ), "a formula after a control character is made safe once the character is out"
        stripped = "Backspace, verticaltab, formfeed and a bell"
        assert cells[stripped][6:9] == [stripped] * 3
        assert cells[CONTROL_TEXT[2]][6:9] == [CONTROL_TEXT[2]] * 3
        assert cells[None][6:9] == [None] * 3, "control characters alone make a blank"
        lines = 'Commas, "quotes", and\nlines\nof text'
        assert cells[lines][6] == lines
        raised, reviewed, due = cells["'=1+1"][23:26]
        assert (raised.date(), reviewed, due.date()) == (
            date(2025, 12, 31),
            None,
            today() - timedelta(days=1),
        )
        assert cells["'=1+1"][11:15] == [4, 5, 20, "Very high"]


def _querydict(query):
    data = QueryDict(mutable=True)
    data.update(query)
    return data


def test_the_risk_csv_makes_awkward_text_safe_and_writes_uk_dates(democratic_client, varied_risks):
    text = body(democratic_client.get(RISK_CSV, {"status": "all"})).decode("utf-8-sig")
    rows = {row[4]: row for row in csv.reader(io.StringIO(text))}
    first = rows["'=1+1"]
    assert first[:4] == [first[0], '\'+Awkward, "partnership"', "'@Directorate", "R1"]
    assert first[5:11] == ["Financial", "'=1+1", " =padded", "", "'=1+1", "Open"]
    assert first[11:23] == ["4", "5", "20", "Very high", "1", "1", "1", "'-Low",
                            "2", "3", "6", 'Medium, 50% "likely"']  # fmt: skip
    assert first[23:] == ["31/12/2025", "", f"{today() - timedelta(days=1):%d/%m/%Y}", "Yes", "No",
                          "", "", "0", "0"]  # fmt: skip
    assert rows["'@SUM(A1:A2)"][9] == "Cllr @SUM(A1:A2)", "a councillor's title comes first"
    assert rows["'-2"][5:10] == ["'=not a choice", "'-2", "'Already quoted", "'-2", "'-2"]
    assert rows["'+44 1632 960000"][9] == "Cllr +44 1632 960000"
    assert rows["'\tTabbed"][6] == "'\tTabbed"
    assert rows["'\rCarriage return first"][8] == "'\rCarriage return first"
    lines = 'Commas, "quotes", and\r\nlines\nof text'
    assert rows[lines][6:10] == [lines, "'\tTabbed", lines, lines]
    cafe = "Café ☕ – naïve Ünïcödé 日本語"
    assert rows[cafe][6:10] == [cafe, "'+44 1632 960000", cafe, f"Cllr {cafe}"]
    assert "'Already quoted" in rows and "a=b, not a formula" in rows and " =padded" in rows


def test_an_officer_exports_only_the_risks_of_partnerships_they_may_read(
    officer_client, officer, varied_risks
):
    draft = PartnershipFactory(name="Someone else's draft")
    RiskFactory(partnership=draft, title="Hidden draft risk")
    mine = PartnershipFactory(name="My draft", author=officer)
    RiskFactory(partnership=mine, title="My draft risk")
    text = body(officer_client.get(RISK_CSV, {"status": "all"})).decode("utf-8-sig")
    excel = load_workbook(io.BytesIO(body(officer_client.get(RISK_XLSX, {"status": "all"}))))
    titles = {row[4] for row in excel.active.iter_rows(min_row=2, values_only=True)}
    assert "My draft risk" in text and "My draft risk" in titles
    assert "Hidden draft risk" not in text and "Hidden draft risk" not in titles
    assert len(titles) == 1 + VARIED_RISKS


def test_the_excel_export_holds_the_same_cells_as_the_csv_with_real_dates_and_numbers(
    democratic_client, varied_risks
):
    text = body(democratic_client.get(RISK_CSV, {"status": "all"})).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    workbook = load_workbook(io.BytesIO(body(democratic_client.get(RISK_XLSX, {"status": "all"}))))
    sheet = workbook.active
    assert sheet.title == "Risks"
    assert sheet.freeze_panes == "A2"
    cells = list(sheet.iter_rows())
    assert [cell.value for cell in cells[0]] == EXPORT_HEADER
    assert len(cells) == len(csv_rows)
    for excel_row, csv_row in zip(cells[1:], csv_rows[1:], strict=True):
        for cell, expected in zip(excel_row, csv_row, strict=True):
            if cell.value is None:
                assert ILLEGAL_CHARACTERS_RE.sub("", expected) == ""
            elif cell.is_date:
                assert cell.number_format == "dd/mm/yyyy"
                assert f"{cell.value:%d/%m/%Y}" == expected
            elif isinstance(cell.value, int):
                assert str(cell.value) == expected
            else:
                assert cell.data_type == "s", "text must never be stored as a formula"
                # A sheet cannot hold control characters, and an XML reader turns a stored
                # carriage return into a line feed.
                expected = exports.escape_cell(ILLEGAL_CHARACTERS_RE.sub("", expected))
                assert cell.value == expected.replace("\r\n", "\n").replace("\r", "\n")


def first_piece_then_rest(client, url):
    """A download's first piece, the rest, the queries run before the first piece was sent, the
    queries that read risks, and every query."""
    with CaptureQueriesContext(connection) as captured:
        pieces = iter(client.get(url, {"status": "all"}).streaming_content)
        first = next(pieces)
        before_rows = [query["sql"] for query in captured.captured_queries]
        rest = b"".join(pieces)
    queries = [query["sql"] for query in captured.captured_queries]
    assert not any('"risks_risk"' in sql for sql in before_rows), "rows were read before sending"
    reads = [sql for sql in queries if '"risks_risk"' in sql]
    assert len(reads) == 1, "one query reads the rows"
    assert reads[0].startswith("COPY ("), "PostgreSQL must write the rows"
    assert queries[queries.index(reads[0]) - 1] == "SET TRANSACTION READ ONLY"
    return first, rest, reads[0]


def test_the_heading_is_sent_before_the_risks_are_read(democratic_client, varied_risks):
    first, rest, read = first_piece_then_rest(democratic_client, RISK_CSV)
    assert first.decode("utf-8") == "\ufeff" + ",".join(EXPORT_HEADER) + "\r\n"
    assert len(list(csv.reader(io.StringIO(rest.decode("utf-8"))))) == VARIED_RISKS
    assert read.endswith(") TO STDOUT WITH (FORMAT csv)")


def test_the_excel_file_starts_before_the_risks_are_read(democratic_client, varied_risks):
    first, rest, read = first_piece_then_rest(democratic_client, RISK_XLSX)
    assert first.startswith(b"PK"), "the workbook's first bytes go out at once"
    assert load_workbook(io.BytesIO(first + rest)).active.max_row == 1 + VARIED_RISKS
    assert read.endswith(") TO STDOUT"), "PostgreSQL writes each row as the sheet's XML"


@pytest.mark.django_db(transaction=True)
def test_a_download_given_up_half_way_ends_its_transaction(democratic_client, varied_risks):
    grow_risks(3000)
    response = democratic_client.get(RISK_CSV, {"status": "all"})
    pieces = iter(response.streaming_content)
    next(pieces)
    next(pieces)
    assert connection.in_atomic_block, "the rows are read inside a transaction"
    # What the server does when the person cancels the download.
    response.close()
    assert not connection.in_atomic_block
    assert Risk.objects.count() == 3000 + VARIED_RISKS


def grow_risks(count):
    """Add count open risks in one statement: quick enough to do 20,000 in a test."""
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)
    owner = PersonFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO risks_risk (partnership_id, reference, title, cause, event, impact,
                category, owner_id, status, closed_reason, inherent_likelihood, inherent_impact,
                actual_likelihood, actual_impact, residual_likelihood, residual_impact,
                raised_on, next_review_due, version, created_at, updated_at)
            SELECT %s, 'R' || n, 'Bulk risk ' || n, 'A cause that takes a line or two of text',
                '=An event', 'An impact on residents', 'financial', %s, 'open', '',
                5, 5, 1 + n %% 5, 1 + n %% 4, 1, 1, %s, %s + (n %% 9 - 4), 1, now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [partnership.pk, owner.pk, today(), today(), count],
        )


def export_cost(client, url):
    """Queries run and the most memory Python held while one download was read and dropped."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"status": "all"})
        size = sum(len(piece) for piece in response.streaming_content)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(captured.captured_queries), peak, size


# Excel takes longer to write under tracemalloc, so it is measured on fewer rows.
@pytest.mark.proof
@pytest.mark.parametrize(("url", "small"), [(RISK_CSV, 2000), (RISK_XLSX, 1000)])
def test_queries_and_memory_stay_flat_with_ten_times_the_risks(democratic_client, url, small):
    grow_risks(small)
    small_queries, small_peak, small_size = export_cost(democratic_client, url)
    grow_risks(9 * small)
    large_queries, large_peak, large_size = export_cost(democratic_client, url)
    assert large_size > 8 * small_size, "the larger download must hold the extra rows"
    assert large_queries == small_queries
    # Building every row in memory first would take ten times as much for ten times the rows.
    assert large_peak < 1.5 * small_peak, f"{small_peak:,} bytes, then {large_peak:,}"


@pytest.mark.parametrize(
    "url",
    [reverse("register:partnership_export", args=["csv"]), reverse("register:public_register_csv")],
)
def test_register_downloads_stream_from_a_server_side_cursor(democratic_client, url):
    for number in range(3):
        PartnershipFactory(status=Partnership.Status.ACTIVE, name=f"Partnership {number}")
    with CaptureQueriesContext(connection) as captured:
        response = democratic_client.get(url)
        pieces = iter(response.streaming_content)
        next(pieces)
        before_rows = len(captured.captured_queries)
        rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8"))))
    assert response.streaming
    assert len(rows) == 3
    reads = [q["sql"] for q in captured.captured_queries[before_rows:]]
    assert any(sql.startswith("DECLARE") and "register_partnership" in sql for sql in reads)


def test_measure_export_counts_the_rows_of_both_kinds_of_download(democratic_client):
    grow_risks(1500)
    for url in (RISK_CSV + "?status=all", RISK_XLSX + "?status=all"):
        figures = measure_export(url, democratic_client)
        assert figures["rows"] == 1500
        assert figures["rows_per_s"] > 0
        assert 0 < figures["first_byte_ms"] <= figures["seconds"] * 1000
        assert figures["peak_rss_mb"] >= figures["start_rss_mb"] > 0
