"""Bad input on every page of the registration form: a clear error beside the field and in the
summary, what was typed kept, nothing written, and never a server error."""

import re

import pytest
from django.urls import reverse

from register import services
from register.models import (
    ChecklistAnswer,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Representation,
)
from tests.factories import CorporatePriorityFactory, PartnershipFactory, RepresentationFactory
from tests.helpers import date_boxes
from tests.register.registration_helpers import (
    assert_field_error,
    error_summary,
    fill,
    form_data,
    section_url,
)

pytestmark = pytest.mark.django_db

ROW_MODELS = [
    Representation,
    PartnershipPartner,
    FinancialContribution,
    OfficerTime,
    InKindContribution,
    Person,
    Organisation,
]


@pytest.fixture
def draft(officer):
    return services.start_registration(author=officer, name="Riverside Regeneration Partnership")


def row_counts():
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


def is_choice(content, name):
    name = re.escape(name)
    return bool(
        re.search(rf'<select name="{name}"', content)
        or re.search(rf'type="radio"\s+name="{name}"|name="{name}" type="radio"', content)
    )


def assert_refused(client, draft, slug, changes, anchor, message):
    """Post the page with the changes: refused with the message, typed input kept, nothing saved."""
    before_rows = row_counts()
    before = Partnership.objects.values().get(pk=draft.pk)
    response = fill(client, section_url(draft, slug), changes.items())
    assert response.status_code == 200, "expected the page again with errors"
    assert_field_error(response, anchor, message)
    assert response.content.decode().count("<title>Error: ") == 1
    kept = form_data(response)
    content = response.content.decode()
    for name, value in changes.items():
        if name in {"version"} or name.endswith("TOTAL_FORMS"):
            continue
        if is_choice(content, name) and kept.get(name, "") == "":
            continue  # a forged choice cannot be shown selected: it is not one of the options
        assert kept.get(name, "") == value, f"{name} was not kept as typed"
    assert row_counts() == before_rows
    assert Partnership.objects.values().get(pk=draft.pk) == before
    return response


TOO_LONG = "x" * 201

SECTION_CASES = [
    # Section 1
    (
        "about_you",
        {"completed_by_extension": "1" * 21},
        "id_completed_by_extension",
        "Extension must be 20 characters or fewer",
    ),
    (
        "about_you",
        {"completed_by_role": "r" * 151},
        "id_completed_by_role",
        "Role in the partnership must be 150 characters or fewer",
    ),
    # Section 2: the partnership
    ("partnership", {"name": ""}, "id_name", "Enter the name of the partnership"),
    (
        "partnership",
        {"name": TOO_LONG},
        "id_name",
        "Name of partnership must be 200 characters or fewer",
    ),
    (
        "partnership",
        {"purpose": "p" * 5001},
        "id_purpose",
        "Purpose of the partnership must be 5,000 characters or fewer",
    ),
    (
        "partnership",
        date_boxes("start_date", "31/02/2026"),
        "id_start_date",
        "Start date must be a real date",
    ),
    (
        "partnership",
        date_boxes("start_date", "26/11/0026"),
        "id_start_date",
        "Start date must be between 1900 and 2200",
    ),
    (
        "partnership",
        date_boxes("end_date", ("next", "year", "2027")),
        "id_end_date",
        "End date must be a real date",
    ),
    (
        "partnership",
        date_boxes("start_date", "01/04/2027") | date_boxes("end_date", "31/03/2027"),
        "id_end_date",
        "End date must be the same as or after the start date",
    ),
    (
        "partnership",
        date_boxes("start_date", "1//2026"),
        "id_start_date_1",
        "Start date must include a month",
    ),
    (
        "partnership",
        date_boxes("end_date", "//2027"),
        "id_end_date",
        "End date must include a day and month",
    ),
    (
        "partnership",
        date_boxes("start_date", "1/4/26"),
        "id_start_date_2",
        "Start date must have a 4-digit year",
    ),
    (
        "partnership",
        date_boxes("start_date", ("first", "April", "2026")),
        "id_start_date",
        "Start date must be a real date",
    ),
    (
        "partnership",
        date_boxes("start_date", ("1", "4", "-2026")),
        "id_start_date_2",
        "Start date must be a real date",
    ),
    (
        "partnership",
        {"sponsoring_officer": "999999"},
        "id_sponsoring_officer",
        "Select an officer from the list",
    ),
    (
        "partnership",
        {"monitoring_officer": "1; DROP TABLE auth_user"},
        "id_monitoring_officer",
        "Select an officer from the list",
    ),
    (
        "partnership",
        {"directorate": "999999"},
        "id_directorate",
        "Select a directorate from the list",
    ),
    (
        "partnership",
        {"material_service_delivery": "maybe"},
        "id_material_service_delivery_1",
        "Select yes or no",
    ),
    # Role of the Council and representatives
    (
        "council_role",
        {"council_role": "boss"},
        "id_council_role_1",
        "Select the role of the Council",
    ),
    (
        "council_role",
        {"council_role": "other", "council_role_other": ""},
        "id_council_role_other",
        "Describe the Council's role",
    ),
    (
        "council_role",
        {"council_role_other": "d" * 501, "council_role": "other"},
        "id_council_role_other",
        "If other, describe the Council's role must be 500 characters or fewer",
    ),
    (
        "council_role",
        {"representations-0-person_name": "Jane Smith"},
        "id_representations-0-person_kind_1",
        "Select councillor or council officer",
    ),
    (
        "council_role",
        date_boxes("representations-0-appointed_from", "01/05/2026"),
        "id_representations-0-person_name",
        "Enter the full name of the councillor or officer",
    ),
    (
        "council_role",
        {
            "representations-0-person_name": "n" * 151,
            "representations-0-person_kind": "officer",
        },
        "id_representations-0-person_name",
        "Full name must be 150 characters or fewer",
    ),
    (
        "council_role",
        {
            "representations-0-person_name": "Jane Smith",
            "representations-0-person_kind": "councillor",
            **date_boxes("representations-0-appointed_from", "01/05/2026"),
            **date_boxes("representations-0-appointed_to", "30/04/2026"),
        },
        "id_representations-0-appointed_to",
        "Appointed to must be the same as or after appointed from",
    ),
    (
        "council_role",
        {
            "representations-0-person_name": "Jane Smith",
            "representations-0-person_kind": "councillor",
            **date_boxes("representations-0-appointed_from", "29/02/2026"),
        },
        "id_representations-0-appointed_from",
        "Appointed from must be a real date",
    ),
    (
        "council_role",
        {
            "representations-0-person_name": "Jane Smith",
            "representations-0-person_kind": "councillor",
            **date_boxes("representations-0-appointed_to", "30/4/"),
        },
        "id_representations-0-appointed_to_2",
        "Appointed to must include a year",
    ),
    (
        "council_role",
        {
            "representations-0-person_name": "Jane Smith",
            "representations-0-person_kind": "councillor",
            "representations-0-role": "other",
        },
        "id_representations-0-role_other",
        "Describe the role in the partnership",
    ),
    # Partners
    (
        "partners",
        {"partners-0-organisation_name": "A brand new organisation"},
        "id_partners-0-sector",
        "Select the sector of the organisation",
    ),
    (
        "partners",
        {"partners-0-organisation_name": "o" * 201, "partners-0-sector": "public"},
        "id_partners-0-organisation_name",
        "Name of organisation must be 200 characters or fewer",
    ),
    (
        "partners",
        {"partners-0-sector": "public"},
        "id_partners-0-organisation_name",
        "Enter the name of the organisation",
    ),
    (
        "partners",
        {
            "partners-TOTAL_FORMS": "2",
            "partners-0-organisation_name": "Alpha Trust",
            "partners-0-sector": "voluntary",
            "partners-0-is_lead": "on",
            "partners-1-organisation_name": "Beta Ltd",
            "partners-1-sector": "private",
            "partners-1-is_lead": "on",
        },
        "partners-errors",
        "Only one organisation can lead the partnership",
    ),
    (
        "partners",
        {
            "partners-TOTAL_FORMS": "2",
            "partners-0-organisation_name": "Alpha Trust",
            "partners-0-sector": "voluntary",
            "partners-1-organisation_name": "ALPHA TRUST",
            "partners-1-sector": "voluntary",
        },
        "id_partners-1-organisation_name",
        "This organisation is already listed",
    ),
    # Resources
    *[
        (
            "resources",
            {
                "financial_contributions-0-amount": amount,
                "financial_contributions-0-form": "grant",
                "financial_contributions-0-is_budgeted": "True",
            },
            "id_financial_contributions-0-amount",
            message,
        )
        for amount, message in [
            ("-1", "Amount cannot be less than £0"),
            ("1000000000", "Amount must be less than £1,000,000,000"),
            ("999,999,999,999", "Amount must be less than £1,000,000,000"),
            ("1e9", "Amount must be in pounds and pence, for example 1,250.50"),
            ("£abc", "Amount must be in pounds and pence, for example 1,250.50"),
            ("NaN", "Amount must be in pounds and pence, for example 1,250.50"),
            ("12.345", "Amount must be in pounds and pence, for example 1,250.50"),
            ("=1+1", "Amount must be in pounds and pence, for example 1,250.50"),
        ]
    ],
    (
        "resources",
        {"financial_contributions-0-amount": "100", "financial_contributions-0-form": "grant"},
        "id_financial_contributions-0-financial_year",
        "Select the financial year",
    ),
    (
        "resources",
        {
            "financial_contributions-0-amount": "100",
            "financial_contributions-0-financial_year": "1999",
        },
        "id_financial_contributions-0-financial_year",
        "Select a financial year from the list",
    ),
    (
        "resources",
        {"financial_contributions-0-amount": "100"},
        "id_financial_contributions-0-is_budgeted_1",
        "Say whether it is budgeted",
    ),
    (
        "resources",
        {"officer_time-0-person_name": "Sam Patel", "officer_time-0-hours_per_month": "745"},
        "id_officer_time-0-hours_per_month",
        "Hours a month must be 744 or fewer (every hour of a month)",
    ),
    (
        "resources",
        {"officer_time-0-person_name": "Sam Patel", "officer_time-0-hours_per_month": "-1"},
        "id_officer_time-0-hours_per_month",
        "Hours a month cannot be less than 0",
    ),
    (
        "resources",
        {"officer_time-0-person_name": "Sam Patel", "officer_time-0-hours_per_month": "lots"},
        "id_officer_time-0-hours_per_month",
        "Enter the hours as a number, for example 7.5",
    ),
    (
        "resources",
        {"officer_time-0-hours_per_month": "10"},
        "id_officer_time-0-person_name",
        "Enter the officer's name",
    ),
    (
        "resources",
        {
            "in_kind_contributions-0-kind": "printing",
            "in_kind_contributions-0-estimated_value": "-5",
        },
        "id_in_kind_contributions-0-estimated_value",
        "Estimated value a year cannot be less than £0",
    ),
    (
        "resources",
        {"in_kind_contributions-0-estimated_value": "50"},
        "id_in_kind_contributions-0-kind",
        "Select the kind of support",
    ),
    # Section 3: risk
    (
        "risk",
        {"has_risk_register": "perhaps"},
        "id_has_risk_register_1",
        "Select yes or no",
    ),
    (
        "risk",
        {"risk_manager": TOO_LONG},
        "id_risk_manager",
        "Who is responsible for managing risk for the partnership? must be 200 characters or fewer",
    ),
    # Documents
    (
        "documents",
        {"governing_document_type": "napkin"},
        "id_governing_document_type_1",
        "Select the form of the governing document",
    ),
    (
        "documents",
        date_boxes("governing_document_date", "32/01/2026"),
        "id_governing_document_date",
        "Date of governing document must be a real date",
    ),
    # Evaluation
    (
        "evaluation",
        {"benefits_justify_costs": "perhaps"},
        "id_benefits_justify_costs_1",
        "Select Yes, No or Not sure yet",
    ),
    (
        "evaluation",
        {"evaluation_legal": "l" * 5001},
        "id_evaluation_legal",
        "Legal issues must be 5,000 characters or fewer",
    ),
    # A page whose version is not a number
    (
        "risk",
        {"version": "abc"},
        "main-form-errors",
        "This page is out of date. Reload it and try again.",
    ),
]


@pytest.mark.parametrize(
    ("slug", "changes", "anchor", "message"),
    SECTION_CASES,
    ids=[f"{case[0]}-{case[3][:40]}" for case in SECTION_CASES],
)
def test_bad_input_is_refused_with_a_clear_error(
    officer_client, draft, slug, changes, anchor, message
):
    assert_refused(officer_client, draft, slug, changes, anchor, message)


def test_checklist_answers_must_be_from_the_list(officer_client, draft):
    answer = draft.checklist_answers.order_by("consideration__position").first()
    assert_refused(
        officer_client,
        draft,
        "checklist",
        {f"answer_{answer.pk}": "maybe"},
        f"id_answer_{answer.pk}_1",
        "Select Yes, No or Not applicable",
    )


def test_checklist_notes_have_a_limit(officer_client, draft):
    answer = draft.checklist_answers.first()
    assert_refused(
        officer_client,
        draft,
        "checklist",
        {f"notes_{answer.pk}": "n" * 2001},
        f"id_notes_{answer.pk}",
        f"Notes on “{answer.consideration.question}” must be 2,000 characters or fewer",
    )


def test_corporate_plan_priorities_must_be_from_the_list(officer_client, draft):
    CorporatePriorityFactory(name="A thriving town centre")
    retired = CorporatePriorityFactory(name="Retired priority", is_active=False)
    for forged in ["999999", str(retired.pk), "x"]:
        response = fill(
            officer_client, section_url(draft, "corporate_plan"), corporate_priorities=[forged]
        )
        assert response.status_code == 200
        assert_field_error(response, "id_corporate_priorities_1", "Select priorities from the list")
    assert draft.corporate_priorities.count() == 0


def test_the_council_cannot_lead_and_a_partner_lead_too(officer_client, draft):
    Partnership.objects.filter(pk=draft.pk).update(council_role="lead")
    draft.refresh_from_db()
    assert_refused(
        officer_client,
        draft,
        "partners",
        {
            "partners-0-organisation_name": "Alpha Trust",
            "partners-0-sector": "voluntary",
            "partners-0-is_lead": "on",
        },
        "partners-errors",
        "The Council leads this partnership (see Role of the Council), so no other organisation "
        "can be marked as leading it",
    )


def test_the_council_cannot_be_made_lead_while_a_partner_leads(officer_client, draft):
    PartnershipPartner.objects.create(
        partnership=draft,
        organisation=Organisation.objects.create(name="Alpha Trust", sector="voluntary"),
        is_lead=True,
    )
    assert_refused(
        officer_client,
        draft,
        "council_role",
        {"council_role": "lead"},
        "id_council_role_1",
        "Another organisation is marked as leading the partnership. Untick it under Partners and "
        "lead organisation before choosing Lead member",
    )


# Text is stored as typed and shown as text ---------------------------------------------------


def test_script_tags_are_stored_as_typed_and_shown_escaped(officer_client, draft):
    script = "<script>alert(1)</script>"
    response = fill(officer_client, section_url(draft, "partnership"), name=script, purpose=script)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == script
    for url in [
        reverse("register:partnership_edit", args=[draft.reference]),
        section_url(draft, "partnership"),
        reverse("register:partnership_check", args=[draft.reference]),
    ]:
        content = officer_client.get(url).content.decode()
        assert script not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_script_tags_in_rows_are_shown_escaped(officer_client, draft):
    script = "<script>alert(1)</script>"
    fill(
        officer_client,
        section_url(draft, "council_role"),
        {
            "representations-0-person_name": script,
            "representations-0-person_kind": "officer",
        }.items(),
    )
    assert draft.representations.get().person.name == script
    for url in [
        section_url(draft, "council_role"),
        reverse("register:partnership_check", args=[draft.reference]),
    ]:
        assert script not in officer_client.get(url).content.decode()


def test_formula_strings_are_stored_exactly_as_typed(officer_client, draft):
    formula = '=HYPERLINK("http://evil.example/","Click me")'
    fill(officer_client, section_url(draft, "risk"), risk_manager=formula)
    fill(
        officer_client,
        section_url(draft, "partners"),
        {"partners-0-organisation_name": "@SUM(1+1)", "partners-0-sector": "private"}.items(),
    )
    draft.refresh_from_db()
    assert draft.risk_manager == formula
    assert draft.partners.get().organisation.name == "@SUM(1+1)"


# Forged ids, counts and versions --------------------------------------------------------------


def test_a_forged_row_id_from_another_partnership_is_refused(officer_client, draft, officer):
    other = PartnershipFactory(author=officer)
    theirs = RepresentationFactory(partnership=other, person__name="Their Rep")
    response = assert_refused(
        officer_client,
        draft,
        "council_role",
        {
            "representations-INITIAL_FORMS": "1",
            "representations-0-id": str(theirs.pk),
            "representations-0-person_name": "Hijacked",
            "representations-0-person_kind": "officer",
        },
        "representations-0-form-errors",
        "This representative is not part of this partnership. Reload the page and try again.",
    )
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.partnership == other and theirs.person.name == "Their Rep"


def test_removing_another_partnerships_row_by_a_forged_id_deletes_nothing(
    officer_client, draft, officer
):
    other = PartnershipFactory(author=officer)
    theirs = RepresentationFactory(partnership=other)
    response = fill(
        officer_client,
        section_url(draft, "council_role"),
        {
            "representations-INITIAL_FORMS": "1",
            "representations-0-id": str(theirs.pk),
            "representations-0-DELETE": "on",
        }.items(),
    )
    assert response.status_code in (200, 302)
    assert Representation.objects.filter(pk=theirs.pk).exists()


def test_a_forged_partnership_in_a_row_is_refused(officer_client, draft, officer):
    other = PartnershipFactory(author=officer)
    response = fill(
        officer_client,
        section_url(draft, "partners"),
        {
            "partners-0-partnership": str(other.pk),
            "partners-0-organisation_name": "Gamma",
            "partners-0-sector": "public",
        }.items(),
    )
    assert response.status_code == 200
    assert "This partner is not part of this partnership" in " ".join(error_summary(response))
    assert PartnershipPartner.objects.count() == 0


@pytest.mark.parametrize("total", ["1000", "many"])
def test_forged_row_counts_are_refused(officer_client, draft, total):
    response = fill(
        officer_client,
        section_url(draft, "partners"),
        {"partners-TOTAL_FORMS": total, "partners-0-organisation_name": "Gamma"}.items(),
    )
    assert response.status_code == 200
    assert error_summary(response)
    assert PartnershipPartner.objects.count() == 0


def test_a_negative_row_count_posts_no_rows(officer_client, draft):
    fill(
        officer_client,
        section_url(draft, "partners"),
        {"partners-TOTAL_FORMS": "-1", "partners-0-organisation_name": "Gamma"}.items(),
    )
    assert PartnershipPartner.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_a_missing_management_form_never_fails_the_page(officer_client, draft):
    response = officer_client.post(
        section_url(draft, "partners"), {"version": "1", "action": "continue"}
    )
    assert response.status_code == 200
    assert error_summary(response)


def test_a_forged_version_saves_nothing(officer_client, draft):
    response = fill(officer_client, section_url(draft, "risk"), version="99", risk_manager="X")
    assert response.status_code == 200
    assert (
        "Someone else saved changes to this partnership since you opened this page"
        in error_summary(response)
    )
    draft.refresh_from_db()
    assert draft.risk_manager == "" and draft.version == 1


def test_the_checklist_ignores_answers_to_another_partnerships_points(
    officer_client, draft, officer
):
    other = services.start_registration(author=officer, name="Other")
    theirs = other.checklist_answers.first()
    response = fill(
        officer_client, section_url(draft, "checklist"), **{f"answer_{theirs.pk}": "no"}
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.answer == ""
    assert ChecklistAnswer.objects.filter(answer="no").count() == 0
