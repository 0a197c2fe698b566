"""Importing and exporting the register in admin: preview, per-row errors, all or nothing,
round trips, formula escaping and the audit history."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pghistory.models import Events

from partnerships_site.history import history_for
from register.models import (
    Directorate,
    Organisation,
    Partnership,
    PartnershipPartner,
    StatusChange,
)
from register.resources import PartnershipResource
from tests.factories import (
    CorporatePriorityFactory,
    DirectorateFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    complete_partnership,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:register_partnership_import")
PROCESS_URL = reverse("admin:register_partnership_process_import")
EXPORT_URL = reverse("admin:register_partnership_export")
CSV_FORMAT, XLSX_FORMAT = "0", "1"

HEADERS = [
    "Reference",
    "Name of partnership",
    "Purpose",
    "Status",
    "Role of the Council",
    "Lead directorate",
    "Sponsoring officer",
    "Officer accountable for monitoring",
    "Lead organisation",
    "Other partners",
    "Corporate Plan priorities",
    "Start date",
    "End date",
    "Governing document",
    "Material service delivery",
    "Confidential",
    "Next review due",
]


@pytest.fixture
def reference_data(directorate):
    CorporatePriorityFactory(name="Safer communities")
    CorporatePriorityFactory(name="Healthy lives")
    OrganisationFactory(name="Kent Police", sector=Organisation.Sector.PUBLIC)


def row(**values):
    """A file row with sensible values, any of them replaced by keyword (spaces as _)."""
    base = {
        "Reference": "",
        "Name of partnership": "Community Safety Partnership",
        "Purpose": "To reduce crime and disorder in the borough.",
        "Status": "Active",
        "Role of the Council": "Member (representative)",
        "Lead directorate": "Housing and Wellbeing",
        "Sponsoring officer": "sponsor",
        "Officer accountable for monitoring": "officer@example.gov.uk",
        "Lead organisation": "Kent Police",
        "Other partners": "Exampleshire Mind [Voluntary]; NHS Kent ICB",
        "Corporate Plan priorities": "Safer communities; healthy lives",
        "Start date": "01/04/2024",
        "End date": "31/03/2027",
        "Governing document": "Memorandum of understanding",
        "Material service delivery": "No",
        "Confidential": "No",
        "Next review due": "01/04/2027",
    }
    for key, value in values.items():
        base[key.replace("_", " ")] = value
    return [base[header] for header in HEADERS]


def csv_upload(rows, headers=HEADERS, name="register.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        "register.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def preview(client, upload, file_format=CSV_FORMAT):
    return client.post(IMPORT_URL, {"import_file": upload, "format": file_format, "resource": "0"})


def confirm(client, preview_response):
    confirm_form = preview_response.context["confirm_form"]
    assert confirm_form is not None, "the preview offered no confirmation"
    return client.post(PROCESS_URL, confirm_form.initial)


def counts():
    return (
        Partnership.objects.count(),
        Organisation.objects.count(),
        PartnershipPartner.objects.count(),
    )


def export(client, file_format=CSV_FORMAT, **filters):
    url = EXPORT_URL
    if filters:
        url += "?" + "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(url, {"format": file_format, "resource": "0"})
    assert response.status_code == 200
    return response


def csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# A good file --------------------------------------------------------------------------------


def test_a_valid_csv_is_previewed_then_imported_with_partners_and_priorities(
    democratic_client, democratic_services, sponsor, officer, reference_data
):
    before = counts()
    upload = csv_upload([row(), row(Name_of_partnership="Health and Wellbeing Board")])

    response = preview(democratic_client, upload)

    assert response.status_code == 200
    assert counts() == before, "the preview wrote to the database"
    result = response.context["result"]
    assert [r.import_type for r in result.valid_rows()] == ["new", "new"]
    assert "Preview" in response.content.decode()

    response = confirm(democratic_client, response)

    assert response.status_code == 302
    partnership = Partnership.objects.get(name="Community Safety Partnership")
    assert partnership.reference.startswith("P-")
    assert partnership.author == democratic_services
    assert partnership.status == Partnership.Status.ACTIVE
    assert partnership.directorate.name == "Housing and Wellbeing"
    assert partnership.sponsoring_officer == sponsor
    assert partnership.monitoring_officer == officer
    assert partnership.start_date == date(2024, 4, 1)
    assert partnership.end_date == date(2027, 3, 31)
    assert partnership.governing_document_type == Partnership.GoverningDocument.MOU
    partners = {p.organisation.name: p.is_lead for p in partnership.partners.all()}
    assert partners == {"Kent Police": True, "Exampleshire Mind": False, "NHS Kent ICB": False}
    assert Organisation.objects.get(name="Exampleshire Mind").sector == "voluntary"
    assert Organisation.objects.get(name="NHS Kent ICB").sector == "public"
    assert Organisation.objects.filter(name__iexact="Exampleshire Mind").count() == 1
    assert sorted(p.name for p in partnership.corporate_priorities.all()) == [
        "Healthy lives",
        "Safer communities",
    ]
    change = StatusChange.objects.get(partnership=partnership)
    assert (change.from_status, change.to_status) == ("", "active")
    assert partnership.checklist_answers.exists()


def test_every_import_change_is_in_the_audit_history(
    democratic_client, democratic_services, reference_data
):
    partnership = complete_partnership(
        name="Old name", directorate=DirectorateFactory(name="Housing and Wellbeing")
    )
    upload = csv_upload(
        [[partnership.reference, "New name"]], headers=["Reference", "Name of partnership"]
    )

    confirm(democratic_client, preview(democratic_client, upload))

    partnership.refresh_from_db()
    assert partnership.name == "New name"
    assert partnership.version == 2
    (event,) = Events.objects.tracks(partnership).filter(pgh_label="update")
    assert event.pgh_context["source"] == "import"
    assert event.pgh_context["file"] == "register.csv"
    assert event.pgh_context["user"] == democratic_services.pk
    entry = next(entry for entry in history_for(partnership) if entry.what == "Changed")
    assert entry.who == democratic_services.get_full_name()
    assert any(
        (c.field, c.before, c.after) == ("Name of partnership", "Old name", "New name")
        for c in entry.changes
    )


def test_xlsx_import_works_with_excel_dates(democratic_client, reference_data, sponsor, officer):
    values = row(Start_date=date(2025, 6, 1), End_date="30/06/2028")
    response = preview(democratic_client, xlsx_upload([values]), XLSX_FORMAT)
    assert response.context["result"].valid_rows()

    confirm(democratic_client, response)

    partnership = Partnership.objects.get(name="Community Safety Partnership")
    assert (partnership.start_date, partnership.end_date) == (date(2025, 6, 1), date(2028, 6, 30))
    assert partnership.partners.count() == 3


# A file with a bad row writes nothing -------------------------------------------------------


def test_one_bad_row_writes_nothing_and_names_the_row_and_column(
    democratic_client, reference_data, sponsor, officer
):
    before = counts()
    upload = csv_upload(
        [
            row(Name_of_partnership="First", Other_partners="Brand New Trust"),
            row(Name_of_partnership="Second", Lead_organisation="Another New Body"),
            row(Name_of_partnership="Third", Start_date="01/04/2026", End_date="31/03/2026"),
        ]
    )

    response = preview(democratic_client, upload)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert counts() == before
    assert not Organisation.objects.filter(name__in=["Brand New Trust", "Another New Body"])
    errors = [
        (row.number + 1, column, message)
        for row in response.context["result"].invalid_rows
        for column, messages in row.field_specific_errors.items()
        for message in messages
    ]
    assert errors == [(4, "End date", "The end date cannot be before the start date")]
    content = response.content.decode()
    assert "Nothing has been imported" in content
    assert "Row 4" in content
    assert "End date" in content


def test_an_unknown_directorate_writes_nothing(democratic_client, reference_data, sponsor, officer):
    before = counts()
    upload = csv_upload(
        [row(), row(Name_of_partnership="Other", Lead_directorate="Department of Fun")]
    )

    response = preview(democratic_client, upload)

    assert counts() == before
    content = response.content.decode()
    assert "Row 3" in content
    assert "Lead directorate" in content
    assert "There is no directorate called “Department of Fun”" in content


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Start date", "31/02/2026", "is not a real date"),
        ("Start date", "2026", "is not a real date"),
        ("Corporate Plan priorities", "Safer communities; Free ice cream", "Free ice cream"),
        ("Name of partnership", "x" * 201, "at most 200 characters"),
        ("Name of partnership", "", "cannot be blank"),
        ("Material service delivery", "Maybe", "Enter Yes or No"),
        ("Sponsoring officer", "nobody@example.gov.uk", "No one signs in"),
        ("Role of the Council", "Overlord", "is not one of the choices"),
        ("Lead organisation", "Kent Police; NHS Kent ICB", "only one lead organisation"),
        ("Other partners", "Some Charity [Charitable]", "sector in square brackets"),
        ("Other partners", "N" * 201 + " [Voluntary]", "at most 200 characters"),
        ("Reference", "P-1999-001", "No partnership has the reference"),
    ],
)
def test_bad_values_are_reported_by_column_and_write_nothing(
    democratic_client, reference_data, sponsor, officer, column, value, message
):
    before = counts()
    response = preview(democratic_client, csv_upload([row(**{column.replace(" ", "_"): value})]))

    assert response.status_code == 200
    assert counts() == before
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.number == 1
    assert message in " ".join(invalid.field_specific_errors[column])


def test_the_confirmed_import_writes_nothing_if_the_file_has_become_invalid(
    democratic_client, reference_data, sponsor, officer, other_directorate
):
    before = counts()
    upload = csv_upload(
        [
            row(Lead_directorate=other_directorate.name, Other_partners="Brand New Trust"),
            row(Name_of_partnership="Second"),
        ]
    )
    response = preview(democratic_client, upload)
    # Between the preview and the confirmation, the second row's directorate is renamed.
    Directorate.objects.filter(name="Housing and Wellbeing").update(name="Housing")

    response = confirm(democratic_client, response)

    assert response.status_code == 200
    assert counts() == before
    assert "Nothing was imported" in response.content.decode()


def test_a_status_cannot_be_changed_by_import(democratic_client, reference_data):
    partnership = PartnershipFactory(status=Partnership.Status.DRAFT)
    upload = csv_upload([[partnership.reference, "Active"]], headers=["Reference", "Status"])

    response = preview(democratic_client, upload)

    (invalid,) = response.context["result"].invalid_rows
    assert "status changes only through" in invalid.field_specific_errors["Status"][0]
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.DRAFT


def test_partners_cannot_be_removed_by_import(democratic_client, reference_data):
    partnership = PartnershipFactory()
    PartnerFactory(partnership=partnership, organisation=OrganisationFactory(name="Staying Put"))
    upload = csv_upload([[partnership.reference, ""]], headers=["Reference", "Other partners"])

    response = preview(democratic_client, upload)

    (invalid,) = response.context["result"].invalid_rows
    assert "“Staying Put”" in invalid.field_specific_errors["Other partners"][0]
    assert partnership.partners.count() == 1


def test_an_import_without_the_admin_rolls_back_a_bad_file(democratic_services, reference_data):
    import tablib

    dataset = tablib.Dataset(headers=["Reference", "Name of partnership", "Other partners"])
    dataset.append(["", "Fine", "Another New Charity"])
    dataset.append(["", "x" * 201, ""])
    before = counts()

    result = PartnershipResource().import_data(dataset, user=democratic_services)

    assert result.has_validation_errors()
    assert counts() == before


# Export -------------------------------------------------------------------------------------


@pytest.fixture
def register_with_tricky_text(reference_data, sponsor, officer, directorate):
    council_led = complete_partnership(
        name='=HYPERLINK("http://evil.example","Click")',
        purpose="-1+1 is a formula to a spreadsheet",
        council_role=Partnership.CouncilRole.LEAD,
        sponsoring_officer=sponsor,
        monitoring_officer=officer,
        directorate=directorate,
        start_date=date(2025, 4, 1),
        end_date=date(2028, 3, 31),
        material_service_delivery=True,
    )
    council_led.partners.update(is_lead=False)
    other = complete_partnership(
        name="@SUM(A1:A2)",
        purpose="+44 1234 567890\tand a tab",
        sponsoring_officer=sponsor,
        monitoring_officer=officer,
        directorate=directorate,
        is_confidential=True,
    )
    PartnerFactory(
        partnership=other, organisation=OrganisationFactory(name="\rCarriage Return Ltd")
    )
    return [council_led, other]


def test_export_has_the_same_columns_as_import(democratic_client, register_with_tricky_text):
    rows = csv_rows(export(democratic_client))
    assert rows[0] == HEADERS
    assert len(rows) == 3


def test_export_escapes_cells_that_a_spreadsheet_would_run_as_formulae(
    democratic_client, register_with_tricky_text
):
    rows = csv_rows(export(democratic_client))
    cells = [cell for values in rows[1:] for cell in values]

    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    assert "'-1+1 is a formula to a spreadsheet" in cells
    assert "'@SUM(A1:A2)" in cells
    assert "'+44 1234 567890\tand a tab" in cells
    assert any(cell.startswith("'\rCarriage Return Ltd") for cell in cells)
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for cell in cells if cell.startswith(dangerous)]

    workbook = openpyxl.load_workbook(io.BytesIO(export(democratic_client, XLSX_FORMAT).content))
    sheet = workbook.active
    values = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    assert not [cell.value for cell in values if cell.data_type == "f"]
    assert "'@SUM(A1:A2)" in [cell.value for cell in values]


def test_export_follows_the_changelist_filters(democratic_client, register_with_tricky_text):
    rows = csv_rows(export(democratic_client, is_confidential__exact="1"))
    assert [values[1] for values in rows[1:]] == ["'@SUM(A1:A2)"]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_reimporting_an_unchanged_export_changes_nothing(
    democratic_client, register_with_tricky_text, file_format
):
    exported = export(democratic_client, file_format)
    versions = dict(Partnership.objects.values_list("pk", "version"))
    events_before = Events.objects.count()
    before = counts()
    extension = "csv" if file_format == CSV_FORMAT else "xlsx"
    upload = SimpleUploadedFile(f"export.{extension}", exported.content)

    response = preview(democratic_client, upload, file_format)

    result = response.context["result"]
    assert not result.has_errors()
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert result.totals["skip"] == 2
    assert result.totals["update"] == result.totals["new"] == 0

    confirm(democratic_client, response)

    assert counts() == before
    assert dict(Partnership.objects.values_list("pk", "version")) == versions
    assert Events.objects.count() == events_before


def test_an_edited_export_imports_just_the_edit(democratic_client, register_with_tricky_text):
    rows = csv_rows(export(democratic_client))
    rows[1][HEADERS.index("Other partners")] += "; Exampleshire Mind [Community]"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    upload = SimpleUploadedFile("edited.csv", buffer.getvalue().encode())

    response = preview(democratic_client, upload)

    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update", "skip"]
    confirm(democratic_client, response)
    edited = Partnership.objects.get(reference=rows[1][0])
    assert edited.partners.filter(organisation__name="Exampleshire Mind").exists()
    assert Organisation.objects.get(name="Exampleshire Mind").sector == "community"
    assert edited.version == 2


# Organisations ------------------------------------------------------------------------------


def test_organisations_import_matches_names_ignoring_case(democratic_client):
    OrganisationFactory(name="Kent Police", sector=Organisation.Sector.PUBLIC)
    upload = csv_upload(
        [
            ["KENT POLICE", "Public", "", "https://www.kent.police.uk", "Yes"],
            ["Age UK", "Voluntary", "1128267", "", ""],
        ],
        headers=["Name of organisation", "Sector", "Registration number", "Website", "In use"],
    )
    url = reverse("admin:register_organisation_import")
    response = democratic_client.post(
        url, {"import_file": upload, "format": CSV_FORMAT, "resource": "0"}
    )
    assert [r.import_type for r in response.context["result"].valid_rows()] == ["update", "new"]

    democratic_client.post(
        reverse("admin:register_organisation_process_import"),
        response.context["confirm_form"].initial,
    )

    assert Organisation.objects.count() == 2
    assert (
        Organisation.objects.get(name__iexact="kent police").website == "https://www.kent.police.uk"
    )
    age_uk = Organisation.objects.get(name="Age UK")
    assert (age_uk.registration_number, age_uk.is_active) == ("1128267", True)
