"""The council risk list's downloads: PostgreSQL writes the CSV, Python the Excel file.

tests/proof/test_export_speed.py holds the CSV to the bytes the Python writer makes of the same
rows; these tests say what a person gets in each file.
"""

import csv
import io
from datetime import date, timedelta

import psycopg
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partnerships_site import exports
from register.models import Partnership, Person
from risks.exports import EXPORT_HEADER
from risks.models import Risk, RiskReview
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

pytestmark = pytest.mark.django_db

CSV_URL = reverse("risks:risk_council_export", args=["csv"])
XLSX_URL = reverse("risks:risk_council_export", args=["xlsx"])


def read_csv(response):
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def titles(rows):
    return sorted(row[4] for row in rows[1:])


@pytest.fixture
def housing(db):
    return PartnershipFactory(
        status=Partnership.Status.ACTIVE,
        name="Homelessness Prevention Forum",
        directorate=DirectorateFactory(name="Housing and Wellbeing"),
    )


@pytest.fixture
def reported_risk(housing):
    """An open risk for the board, reported, reviewed, overdue, with an overdue action."""
    risk = RiskFactory(
        partnership=housing,
        owner=PersonFactory(name="Ann Smith", kind=Person.Kind.COUNCILLOR),
        title="Funding withdrawn, again",
        category="legal",
        cause='=HYPERLINK("http://evil.example")',
        event="-1 partner",
        impact="Residents lose the service; the council's name suffers",
        actual_likelihood=4,
        actual_impact=5,
        raised_on=date(2026, 1, 31),
        next_review_due=today() - timedelta(days=1),
    )
    ActionFactory(risk=risk, estimated_completion=today() - timedelta(days=2))
    ActionFactory(risk=risk, estimated_completion=today() + timedelta(days=2))
    EscalationFactory(risk=risk, reported_on=date(2026, 2, 13), board_response="action_directed")
    RiskReview.objects.create(
        risk=risk,
        reviewed_on=date(2026, 2, 1),
        reviewer=UserFactory(),
        next_review_due=date(2026, 5, 1),
        **{f"{kind}_{axis}": 2 for kind in ("inherent", "actual", "residual")
           for axis in ("likelihood", "impact")},
    )  # fmt: skip
    return risk


def test_the_csv_has_every_cell_of_a_risk_with_uk_dates(officer_client, reported_risk, housing):
    rows = read_csv(officer_client.get(CSV_URL))
    assert rows == [
        EXPORT_HEADER,
        [
            housing.reference,
            "Homelessness Prevention Forum",
            "Housing and Wellbeing",
            "R1",
            "Funding withdrawn, again",
            "Legal and compliance",
            '\'=HYPERLINK("http://evil.example")',
            "'-1 partner",
            "Residents lose the service; the council's name suffers",
            "Cllr Ann Smith",
            "Open",
            *["4", "5", "20", "Very high"],
            *["4", "5", "20", "Very high"],
            *["2", "3", "6", "Medium"],
            "31/01/2026",
            "01/02/2026",
            f"{today() - timedelta(days=1):%d/%m/%Y}",
            "Yes",
            "Yes",
            "13/02/2026",
            "Action directed",
            "2",
            "1",
        ],
    ]


def test_the_excel_file_has_the_same_risk_with_real_dates(officer_client, reported_risk):
    header, row = read_xlsx(officer_client.get(XLSX_URL))
    assert header == EXPORT_HEADER
    assert row[6] == '\'=HYPERLINK("http://evil.example")'
    assert row[13] == 20
    assert [cell.date() for cell in (row[23], row[24], row[28])] == [
        date(2026, 1, 31),
        date(2026, 2, 1),
        date(2026, 2, 13),
    ]
    assert row[26:28] == ["Yes", "Yes"]


@pytest.fixture
def spread(housing):
    """Risks in several states, across two partnerships."""
    other = PartnershipFactory(status=Partnership.Status.ACTIVE)
    risks = {
        "very_high": RiskFactory(partnership=housing, title="Very high", actual_likelihood=4,
                                 actual_impact=5),
        "overdue": RiskFactory(partnership=housing, title="Overdue review",
                               next_review_due=today() - timedelta(days=3)),
        "low": RiskFactory(partnership=other, title="Low", actual_likelihood=1, actual_impact=1),
        "closed": RiskFactory(partnership=other, title="Closed", status=Risk.Status.CLOSED,
                              closed_reason="Gone", closed_on=today()),
    }  # fmt: skip
    ActionFactory(risk=risks["low"], estimated_completion=today() - timedelta(days=1))
    EscalationFactory(risk=risks["very_high"])
    return risks


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Low", "Overdue review", "Very high"]),
        ({"status": "all"}, ["Closed", "Low", "Overdue review", "Very high"]),
        ({"status": "closed"}, ["Closed"]),
        ({"review_overdue": "on"}, ["Overdue review"]),
        ({"action_overdue": "on"}, ["Low"]),
        ({"escalated": "reported"}, ["Very high"]),
        ({"likelihood": "1", "impact": "1"}, ["Low"]),
        ({"category": "financial", "score": "inherent", "likelihood": "4"},
         ["Low", "Overdue review", "Very high"]),
    ],
)  # fmt: skip
def test_both_downloads_follow_the_lists_filters(officer_client, spread, query, expected):
    assert titles(read_csv(officer_client.get(CSV_URL, query))) == expected
    assert titles(read_xlsx(officer_client.get(XLSX_URL, query))) == expected


def test_the_partnership_filter_is_applied_to_the_csv(officer_client, spread, housing):
    rows = read_csv(officer_client.get(CSV_URL, {"partnership": housing.reference}))
    assert titles(rows) == ["Overdue review", "Very high"]


def test_an_officer_gets_only_the_risks_they_may_read(officer, other_officer, client, spread):
    RiskFactory(partnership=PartnershipFactory(author=other_officer), title="Someone else's draft")
    RiskFactory(partnership=PartnershipFactory(author=officer), title="My draft")
    client.force_login(officer)
    expected = ["Closed", "Low", "My draft", "Overdue review", "Very high"]
    assert titles(read_csv(client.get(CSV_URL, {"status": "all"}))) == expected
    assert titles(read_xlsx(client.get(XLSX_URL, {"status": "all"}))) == expected


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize(
    "query",
    [
        {"status": "closed", "review_overdue": "on"},
        {"escalated": "awaiting"},
        {"band": "999"},
        {"likelihood": "1", "impact": "5", "score": "residual"},
    ],
)
def test_a_download_matching_no_risks_is_the_heading_alone(officer_client, spread, url, query):
    response = officer_client.get(url, query)
    rows = read_csv(response) if url == CSV_URL else read_xlsx(response)
    assert rows == [EXPORT_HEADER]


# What the risk list shows as an error in its filters; the downloads have nothing to show.
BAD_QUERIES = [
    {"likelihood": "9"},
    {"band": "abc"},
    {"score": "x"},
    {"partnership": "P-0000-000"},
    {"owner": "x"},
    {"status": "deleted"},
    {"escalated": "1"},
    {"owner": "1' OR '1'='1"},
    {"partnership": "x'); DROP TABLE risks_risk; --"},
    {"category": "legal%' --"},
    {"likelihood": "1; SELECT pg_sleep(10)"},
    {"band": "9" * 400},
]


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_filters_give_the_heading_alone_not_an_error(officer_client, spread, url, query):
    response = officer_client.get(url, query)
    rows = read_csv(response) if url == CSV_URL else read_xlsx(response)
    assert rows == [EXPORT_HEADER]
    assert Risk.objects.count() == 4


def test_a_download_leaves_the_connection_able_to_write(officer_client, spread, housing):
    assert len(read_csv(officer_client.get(CSV_URL))) == 4
    RiskFactory(partnership=housing, title="Added after the download")
    assert "Added after the download" in titles(read_csv(officer_client.get(CSV_URL)))


def test_postgresql_writes_the_csv_in_a_transaction_that_cannot_write(db):
    response = exports.csv_query_response(
        ["Next id"],
        "SELECT nextval(pg_get_serial_sequence('risks_risk', 'id'))",
        filename="t.csv",
    )
    pieces = iter(response.streaming_content)
    next(pieces)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        next(pieces)
