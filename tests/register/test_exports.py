import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from partnerships_site import exports
from register.models import Partnership, PartnershipPartner
from tests.factories import (
    DirectorateFactory,
    FinancialContributionFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    UserFactory,
)

Status = Partnership.Status
CSV_URL = reverse("register:partnership_export", args=["csv"])
XLSX_URL = reverse("register:partnership_export", args=["xlsx"])
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


# The shared helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_escape_cell_makes_each_formula_trigger_inert(trigger):
    assert exports.escape_cell(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


@pytest.mark.parametrize("value", ["Plain text", "", "a=b", "Cllr O'Neil", " =padded"])
def test_escape_cell_leaves_other_text_alone(value):
    assert exports.escape_cell(value) == value


@pytest.mark.parametrize("value", [-5, Decimal("-12.50"), 3.5, None, date(2026, 11, 26)])
def test_escape_cell_leaves_numbers_dates_and_blanks_as_they_are(value):
    assert exports.escape_cell(value) == value


def test_download_filenames_are_safe_and_dated():
    name = exports.download_filename(
        "Partnership register/../../etc", "csv", today=date(2026, 11, 26)
    )
    assert name == "partnership-registeretc-2026-11-26.csv"


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_csv_writer_escapes_every_trigger_and_keeps_numbers(trigger):
    response = exports.csv_response(
        ["Text", "Number", "Date"],
        [[f"{trigger}1+1", Decimal("-3.50"), date(2026, 4, 1)]],
        filename="test-2026-11-26.csv",
    )
    rows = read_csv(response)
    assert rows[1] == [f"'{trigger}1+1", "-3.50", "01/04/2026"]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="test-2026-11-26.csv"'


def test_csv_writer_writes_uk_dates_and_london_times_to_the_minute():
    response = exports.csv_response(
        ["Date", "Summer", "Winter", "Yes", "No", "Blank"],
        [
            [
                date(2026, 11, 26),
                datetime(2026, 7, 1, 13, 5, 59, tzinfo=UTC),
                datetime(2026, 12, 1, 14, 5, tzinfo=UTC),
                True,
                False,
                None,
            ]
        ],
        filename="t.csv",
    )
    assert read_csv(response)[1] == [
        "26/11/2026",
        "01/07/2026 14:05",
        "01/12/2026 14:05",
        "Yes",
        "No",
        "",
    ]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_xlsx_writer_escapes_every_trigger_and_keeps_numbers_as_numbers(trigger):
    response = exports.xlsx_response(
        ["Text", "Number", "Date"],
        [[f"{trigger}1+1", Decimal("-3.50"), date(2026, 4, 1)]],
        filename="test-2026-11-26.xlsx",
        sheet_title="Test",
    )
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    text, number, day = next(workbook.active.iter_rows(min_row=2))
    # An XML reader turns a stored carriage return into a line feed; the quote comes first.
    assert text.value in {f"'{trigger}1+1", f"'{trigger.replace(chr(13), chr(10))}1+1"}
    assert text.data_type == "s", "the text must not be stored as a formula"
    assert number.value == Decimal("-3.5")
    assert number.data_type == "n"
    assert day.value.date() == date(2026, 4, 1)


def test_xlsx_writer_drops_control_characters_excel_cannot_hold():
    response = exports.xlsx_response(
        ["Text"], [["Bell\x07 and escape\x1b"]], filename="t.xlsx", sheet_title="T"
    )
    assert read_xlsx(response)[1] == ["Bell and escape"]


# The register's downloads ---------------------------------------------------------------------


@pytest.fixture
def register(db, officer, other_officer):
    """A live partnership with partners and money, another one, and someone else's draft."""
    sponsor = UserFactory(first_name="Sanjay", last_name="Patel")
    main = PartnershipFactory(
        name='=HYPERLINK("http://evil.example")',
        purpose="+Work together",
        status=Status.ACTIVE,
        council_role=Partnership.CouncilRole.REPRESENTATIVE,
        directorate=DirectorateFactory(name="Housing and Wellbeing"),
        sponsoring_officer=sponsor,
        start_date=date(2026, 4, 1),
        end_date=date(2029, 3, 31),
        next_review_due=date(2027, 4, 1),
        material_service_delivery=True,
    )
    PartnerFactory(partnership=main, organisation=OrganisationFactory(name="@Police"), is_lead=True)
    PartnerFactory(partnership=main, organisation=OrganisationFactory(name="NHS Trust"))
    FinancialContributionFactory(partnership=main, amount=Decimal("1234.56"))
    other = PartnershipFactory(name="Another partnership", status=Status.UNDER_REVIEW)
    draft = PartnershipFactory(name="Someone else's draft", author=other_officer)
    return {"main": main, "other": other, "draft": draft}


@pytest.mark.django_db
def test_csv_export_has_every_column_escaped_and_all_rows(officer_client, register):
    response = officer_client.get(CSV_URL, {"sort": "name"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="partnership-register-')
    rows = read_csv(response)
    assert rows[0] == [
        "Reference",
        "Name",
        "Status",
        "Purpose",
        "Role of the Council",
        "Lead organisation",
        "Partners",
        "Directorate",
        "Sponsoring officer",
        "Significant",
        "Annual financial commitment (£)",
        "Start date",
        "End date",
        "Next review due",
    ]
    main = register["main"]
    assert rows[1] == [
        main.reference,
        '\'=HYPERLINK("http://evil.example")',
        "Active",
        "'+Work together",
        "Member (representative)",
        "'@Police",
        "'@Police; NHS Trust",
        "Housing and Wellbeing",
        "Sanjay Patel",
        "Yes",
        "1234.56",
        "01/04/2026",
        "31/03/2029",
        "01/04/2027",
    ]
    assert rows[2][1] == "Another partnership"
    assert len(rows) == 3, "someone else's draft must not be exported"


@pytest.mark.django_db
def test_xlsx_export_has_the_same_rows_with_real_numbers_and_dates(officer_client, register):
    response = officer_client.get(XLSX_URL, {"sort": "name"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    rows = read_xlsx(response)
    assert rows[0][0] == "Reference"
    main = rows[1]
    assert main[1] == '\'=HYPERLINK("http://evil.example")'
    assert main[5] == "'@Police"
    assert main[10] == pytest.approx(1234.56)
    assert main[11].date() == date(2026, 4, 1)
    assert [row[1] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example")',
        "Another partnership",
    ]


@pytest.mark.django_db
def test_export_follows_the_filters_and_sort_of_the_list_but_not_its_pages(officer_client, officer):
    author = officer
    for number in range(60):
        PartnershipFactory(
            name=f"Lead {number:02d}",
            status=Status.ACTIVE,
            council_role=Partnership.CouncilRole.LEAD,
            author=author,
        )
    PartnershipFactory(status=Status.ACTIVE, council_role=Partnership.CouncilRole.OTHER)
    rows = read_csv(
        officer_client.get(CSV_URL, {"council_role": "lead", "sort": "-name", "page": 2})
    )
    names = [row[1] for row in rows[1:]]
    assert len(names) == 60
    assert names[0] == "Lead 59"
    assert names[-1] == "Lead 00"


@pytest.mark.django_db
def test_a_bad_filter_on_an_export_sends_you_back_to_the_register_with_the_error(officer_client):
    response = officer_client.get(CSV_URL, {"status": "nonsense"})
    assert response.status_code == 302
    assert response.url == f"{reverse('register:partnership_list')}?status=nonsense"


@pytest.mark.django_db
def test_an_unknown_export_format_is_not_found(officer_client):
    assert officer_client.get("/partnerships/export.pdf", follow=True).status_code == 404


@pytest.mark.django_db
def test_an_officer_of_another_directorate_cannot_export_a_draft(client, officer, other_officer):
    draft = PartnershipFactory(author=officer, name="Draft for housing")
    client.force_login(other_officer)
    csv_rows = read_csv(client.get(CSV_URL))
    xlsx_rows = read_xlsx(client.get(XLSX_URL))
    assert all(draft.reference not in row for row in csv_rows)
    assert all(draft.reference not in row for row in xlsx_rows)


@pytest.mark.django_db
def test_export_needs_sign_in(client):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_csv_export_runs_a_fixed_number_of_queries(officer_client, officer):
    author = UserFactory()
    organisation = OrganisationFactory()

    def add(count, start):
        partnerships = Partnership.objects.bulk_create(
            Partnership(
                reference=f"P-2098-{start + n:04d}",
                name=f"Bulk {start + n}",
                status=Status.ACTIVE,
                author=author,
                sponsoring_officer=officer,
            )
            for n in range(count)
        )
        PartnershipPartner.objects.bulk_create(
            PartnershipPartner(partnership=p, organisation=organisation, is_lead=True)
            for p in partnerships
        )

    def measure():
        with CaptureQueriesContext(connection) as captured:
            rows = read_csv(officer_client.get(CSV_URL))
        return len(captured.captured_queries), len(rows)

    add(5, 0)
    small, small_rows = measure()
    add(300, 5)
    large, large_rows = measure()
    assert (small_rows, large_rows) == (6, 306)
    assert small == large
