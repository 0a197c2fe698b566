"""Registering a partnership in the browser form: start, task list, sections, check and submit."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from register import services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Representation,
    StatusChange,
    current_financial_year,
)
from register.sections import SECTIONS
from tests.factories import (
    CorporatePriorityFactory,
    PartnershipFactory,
    RepresentationFactory,
    complete_partnership,
)
from tests.helpers import assert_queries_fixed, date_boxes
from tests.register.registration_helpers import error_summary, fill, form_data, section_url

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^P-\d{4}-\d{3}$")


@pytest.fixture
def draft(officer):
    return services.start_registration(author=officer, name="Riverside Regeneration Partnership")


def start(client, name="Town Centre Partnership", token=None, purpose=""):
    return client.post(
        reverse("register:partnership_create"),
        {"name": name, "purpose": purpose, "creation_token": str(token or uuid.uuid4())},
    )


# Starting a registration ----------------------------------------------------------------------


def test_starting_a_registration_opens_a_draft_prefilled_from_the_profile(officer_client, officer):
    page = officer_client.get(reverse("register:partnership_create"))
    token = form_data(page)["creation_token"]
    assert uuid.UUID(token)

    response = start(officer_client, token=token, purpose="Joint work on the river front.")

    partnership = Partnership.objects.get()
    assert REFERENCE.match(partnership.reference)
    assert partnership.status == Partnership.Status.DRAFT
    assert partnership.author == officer
    assert partnership.purpose == "Joint work on the river front."
    assert partnership.completed_by_name == officer.get_full_name()
    assert partnership.completed_by_title == officer.profile.job_title
    assert partnership.completed_by_directorate == "Housing and Wellbeing"
    assert partnership.checklist_answers.count() == ChecklistConsideration.objects.count()
    assert response.url == reverse("register:partnership_edit", args=[partnership.reference])


def test_posting_the_start_form_twice_creates_one_partnership(officer_client):
    token = uuid.uuid4()
    first = start(officer_client, token=token)
    second = start(officer_client, token=token)
    assert Partnership.objects.count() == 1
    assert first.url == second.url


def test_start_form_needs_a_name_and_keeps_what_was_typed(officer_client):
    response = start(officer_client, name="", purpose="Kept <b>as typed</b>")
    assert response.status_code == 200
    assert "Enter the name of the partnership" in error_summary(response)
    assert "Kept &lt;b&gt;as typed&lt;/b&gt;" in response.content.decode()
    assert Partnership.objects.count() == 0


def test_start_form_with_a_forged_token_writes_nothing(officer_client):
    response = officer_client.post(
        reverse("register:partnership_create"), {"name": "Forged", "creation_token": "1 OR 1=1"}
    )
    assert response.status_code == 200
    assert "This page has expired. Reload it and try again." in error_summary(response)
    assert Partnership.objects.count() == 0


def test_read_only_user_cannot_start_a_registration(read_only_client):
    assert read_only_client.get(reverse("register:partnership_create")).status_code == 403
    assert start(read_only_client).status_code == 403
    assert Partnership.objects.count() == 0


def test_another_officers_creation_token_is_refused(client, officer, other_officer):
    token = uuid.uuid4()
    services.start_registration(author=officer, name="Mine", creation_token=token)
    client.force_login(other_officer)
    assert start(client, token=token).status_code == 403
    assert Partnership.objects.count() == 1


# The task list --------------------------------------------------------------------------------


def test_task_list_lists_the_sections_in_the_forms_order_with_their_status(officer_client, draft):
    response = officer_client.get(reverse("register:partnership_edit", args=[draft.reference]))
    content = response.content.decode()
    positions = [content.index(f'id="{section.slug}-status"') for section in SECTIONS]
    assert positions == sorted(positions)
    assert [s.slug for s in SECTIONS] == [
        "about_you",
        "partnership",
        "council_role",
        "corporate_plan",
        "partners",
        "resources",
        "risk",
        "checklist",
        "documents",
        "evaluation",
    ]
    assert content.count("Incomplete</strong>") == len(SECTIONS)
    assert draft.reference in content
    assert "Check your answers and submit" in content


def test_task_list_marks_complete_sections_completed(officer_client, officer):
    partnership = complete_partnership(author=officer)
    response = officer_client.get(
        reverse("register:partnership_edit", args=[partnership.reference])
    )
    assert [task["complete"] for task in response.context["tasks"]] == [True] * len(SECTIONS)
    assert "You have completed 10 of 10 sections." in response.content.decode()


def test_task_list_shows_why_a_registration_was_returned(
    officer_client, officer, democratic_services
):
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    services.decide(
        partnership=partnership,
        by=democratic_services,
        decision=ApprovalDecision.Decision.RETURNED,
        decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
        decided_on=date(2026, 11, 20),
        reason="Add the terms of reference.",
    )
    response = officer_client.get(
        reverse("register:partnership_edit", args=[partnership.reference])
    )
    content = response.content.decode()
    assert "Returned for changes" in content
    assert "Add the terms of reference." in content
    assert "20 November 2026" in content


def test_an_unknown_section_is_not_found(officer_client, draft):
    assert officer_client.get(section_url(draft, "no_such_section")).status_code == 404


# Every section, start to finish ---------------------------------------------------------------


def test_an_officer_completes_every_section_and_submits(
    officer_client, officer, sponsor, django_capture_on_commit_callbacks
):
    priority = CorporatePriorityFactory(name="A thriving town centre")
    year = str(current_financial_year())
    start(officer_client, name="Town Centre Partnership")
    partnership = Partnership.objects.get()
    ref = partnership.reference

    def save(slug, **fields):
        response = fill(officer_client, section_url(partnership, slug), **fields)
        assert response.status_code == 302, error_summary(response)
        return response

    response = save("about_you", completed_by_role="Chair")
    assert response.url == section_url(partnership, "partnership")
    save(
        "partnership",
        purpose="To bring the town centre back to life.",
        directorate=str(officer.profile.directorate_id),
        sponsoring_officer=str(sponsor.pk),
        monitoring_officer=str(officer.pk),
        **date_boxes("start_date", "01/04/2026"),
        **date_boxes("end_date", "31/03/2029"),
        material_service_delivery="True",
        is_confidential="False",
    )
    response = fill(
        officer_client,
        section_url(partnership, "council_role"),
        {
            "council_role": "representative",
            "representations-TOTAL_FORMS": "2",
            "representations-0-person_name": "Jane Smith",
            "representations-0-person_kind": "councillor",
            "representations-0-role": "representative",
            **date_boxes("representations-0-appointed_from", "15/05/2026"),
            "representations-1-person_name": "Sam Patel",
            "representations-1-person_kind": "officer",
            "representations-1-role": "manager",
        }.items(),
    )
    assert response.status_code == 302, error_summary(response)
    save(
        "corporate_plan",
        corporate_priorities=[str(priority.pk)],
        corporate_plan_contribution="More visitors to the town centre.",
    )
    response = fill(
        officer_client,
        section_url(partnership, "partners"),
        {
            "partners-TOTAL_FORMS": "2",
            "partners-0-organisation_name": "Exampleshire County Council",
            "partners-0-sector": "public",
            "partners-0-is_lead": "on",
            "partners-1-organisation_name": "Town Centre Traders",
            "partners-1-sector": "private",
        }.items(),
    )
    assert response.status_code == 302, error_summary(response)
    response = fill(
        officer_client,
        section_url(partnership, "resources"),
        {
            "financial_contributions-0-amount": "£25,000.50",
            "financial_contributions-0-form": "grant",
            "financial_contributions-0-is_budgeted": "True",
            "financial_contributions-0-financial_year": year,
            "officer_time-0-person_name": "Sam Patel",
            "officer_time-0-hours_per_month": "7.5",
            "in_kind_contributions-0-kind": "accommodation",
            "in_kind_contributions-0-description": "A meeting room one day a week",
            "in_kind_contributions-0-estimated_value": "3,000",
        }.items(),
    )
    assert response.status_code == 302, error_summary(response)
    save("risk", has_risk_register="True", risk_manager="The partnership board")
    answers = {f"answer_{a.pk}": "yes" for a in partnership.checklist_answers.all()}
    save("checklist", **answers)
    save(
        "documents",
        governing_document_type="mou",
        **date_boxes("governing_document_date", "01/04/2026"),
    )
    response = save(
        "evaluation",
        evaluation_risks_rewards="More footfall; some reputational risk.",
        benefits_justify_costs="yes",
        benefits_notes="The grant is matched by the county.",
    )
    assert response.url == reverse("register:partnership_check", args=[ref])

    partnership.refresh_from_db()
    assert partnership.completed_by_role == "Chair"
    assert partnership.sponsoring_officer == sponsor
    assert partnership.start_date == date(2026, 4, 1)
    assert partnership.end_date == date(2029, 3, 31)
    assert partnership.material_service_delivery is True
    assert partnership.council_role == Partnership.CouncilRole.REPRESENTATIVE
    reps = {(r.person.name, r.person.kind, r.role) for r in partnership.representations.all()}
    assert reps == {
        ("Jane Smith", Person.Kind.COUNCILLOR, Representation.Role.REPRESENTATIVE),
        ("Sam Patel", Person.Kind.OFFICER, Representation.Role.MANAGER),
    }
    assert list(partnership.corporate_priorities.all()) == [priority]
    assert partnership.lead_organisation_name == "Exampleshire County Council"
    assert partnership.partners.count() == 2
    contribution = partnership.financial_contributions.get()
    assert contribution.amount == Decimal("25000.50")
    assert contribution.financial_year == int(year)
    assert partnership.officer_time.get().hours_per_month == Decimal("7.5")
    assert partnership.in_kind_contributions.get().estimated_value == Decimal("3000")
    assert partnership.has_risk_register is True
    assert not partnership.checklist_answers.filter(answer="").exists()
    assert partnership.governing_document_type == Partnership.GoverningDocument.MOU
    assert services.missing_for_submission(partnership) == []

    check = officer_client.get(reverse("register:partnership_check", args=[ref]))
    content = check.content.decode()
    assert "Jane Smith – Representative (appointed 15 May 2026 to no set end)" in content
    assert "£25,000.50 grant" in content
    assert "Some answers are missing" not in content
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("register:partnership_check", args=[ref]))
    assert response.url == reverse("register:partnership_submitted", args=[ref])
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert len(mail.outbox) == 1

    confirmation = officer_client.get(response.url)
    assert "Registration submitted" in confirmation.content.decode()
    assert ref in confirmation.content.decode()
    assert "significant partnership" in confirmation.content.decode()


def test_save_and_come_back_later_returns_to_the_task_list_with_a_banner(officer_client, draft):
    response = fill(
        officer_client, section_url(draft, "about_you"), completed_by_role="Sponsor", action="later"
    )
    assert response.url == reverse("register:partnership_edit", args=[draft.reference])
    task_list = officer_client.get(response.url)
    assert "Your answers have been saved" in task_list.content.decode()
    draft.refresh_from_db()
    assert draft.completed_by_role == "Sponsor"
    assert draft.version == 2


def test_a_section_shows_the_stored_dates_in_their_three_boxes(officer_client, draft):
    Partnership.objects.filter(pk=draft.pk).update(
        start_date=date(2026, 4, 1), end_date=date(2029, 3, 31)
    )
    RepresentationFactory(partnership=draft, appointed_from=date(2026, 5, 15))
    shown = form_data(officer_client.get(section_url(draft, "partnership")))
    assert [shown.get(f"start_date_{box}") for box in range(3)] == ["1", "4", "2026"]
    assert [shown.get(f"end_date_{box}") for box in range(3)] == ["31", "3", "2029"]
    rows = form_data(officer_client.get(section_url(draft, "council_role")))
    assert [rows.get(f"representations-0-appointed_from_{box}") for box in range(3)] == [
        "15",
        "5",
        "2026",
    ]
    assert [rows.get(f"representations-0-appointed_to_{box}") for box in range(3)] == ["", "", ""]


def test_a_draft_can_be_saved_incomplete(officer_client, draft):
    response = fill(
        officer_client,
        section_url(draft, "partnership"),
        purpose="",
        **date_boxes("start_date", ""),
    )
    assert response.status_code == 302
    assert ("partnership", "Enter the start date") in services.missing_for_submission(draft)


# Rows: add another, remove, reuse ---------------------------------------------------------------


def test_add_another_shows_one_more_blank_row_and_saves_nothing(officer_client, draft):
    url = section_url(draft, "council_role")
    response = fill(
        officer_client,
        url,
        {"representations-0-person_name": "Cllr Pat Jones", "council_role": "lead"}.items(),
        add="representations",
        action=None,
    )
    assert response.status_code == 200
    data = form_data(response)
    assert data["representations-TOTAL_FORMS"] == "2"
    assert "representations-1-person_name" in data
    assert data["representations-0-person_name"] == "Cllr Pat Jones"
    assert data["council_role"] == "lead"
    assert Representation.objects.count() == 0
    draft.refresh_from_db()
    assert draft.council_role == "" and draft.version == 1


def test_a_removed_row_is_deleted_and_others_kept(officer_client, draft):
    keep = RepresentationFactory(partnership=draft, person__name="Alex Keep")
    remove = RepresentationFactory(partnership=draft, person__name="Bo Remove")
    url = section_url(draft, "council_role")
    data = form_data(officer_client.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and value == str(remove.pk)
    )
    data[f"representations-{index}-DELETE"] = "on"
    data["action"] = "continue"
    response = officer_client.post(url, data)
    assert response.status_code == 302, error_summary(response)
    assert list(draft.representations.all()) == [keep]
    assert Person.objects.filter(name="Bo Remove").exists()


def test_people_and_organisations_are_found_by_name_ignoring_case(officer_client, draft):
    existing_person = Person.objects.create(name="Jane Smith", kind=Person.Kind.COUNCILLOR)
    existing_org = Organisation.objects.create(name="Age UK Exampleshire", sector="voluntary")
    fill(
        officer_client,
        section_url(draft, "council_role"),
        {
            "representations-0-person_name": "  jane   SMITH ",
            "representations-0-person_kind": "councillor",
        }.items(),
    )
    fill(
        officer_client,
        section_url(draft, "partners"),
        {"partners-0-organisation_name": "age uk exampleshire"}.items(),
    )
    assert draft.representations.get().person == existing_person
    assert draft.partners.get().organisation == existing_org
    assert Person.objects.count() == 1 and Organisation.objects.count() == 1


def test_moving_the_lead_from_one_partner_to_another_saves(officer_client, draft):
    PartnershipPartner.objects.create(
        partnership=draft,
        organisation=Organisation.objects.create(name="Alpha", sector="public"),
        is_lead=True,
    )
    PartnershipPartner.objects.create(
        partnership=draft, organisation=Organisation.objects.create(name="Beta", sector="public")
    )
    url = section_url(draft, "partners")
    data = form_data(officer_client.get(url))
    for i in range(2):
        data.pop(f"partners-{i}-is_lead", None)
        if data[f"partners-{i}-organisation_name"] == "Beta":
            data[f"partners-{i}-is_lead"] = "on"
    data["action"] = "continue"
    response = officer_client.post(url, data)
    assert response.status_code == 302, error_summary(response)
    assert draft.partners.get(is_lead=True).organisation.name == "Beta"


def test_checklist_adds_considerations_added_since_the_draft_was_opened(officer_client, draft):
    added = ChecklistConsideration.objects.create(
        section="general", question="Is there a named data protection lead?", position=999
    )
    response = officer_client.get(section_url(draft, "checklist"))
    assert "Is there a named data protection lead?" in response.content.decode()
    assert ChecklistAnswer.objects.filter(partnership=draft, consideration=added).count() == 1


def test_resources_page_totals_what_is_saved_by_financial_year(officer_client, draft):
    FinancialContribution.objects.create(
        partnership=draft, amount=Decimal("1000"), form="grant", financial_year=2026
    )
    FinancialContribution.objects.create(
        partnership=draft, amount=Decimal("2500.50"), form="pooled", financial_year=2026
    )
    InKindContribution.objects.create(
        partnership=draft, kind="postage", estimated_value=Decimal("100"), financial_year=2026
    )
    content = officer_client.get(section_url(draft, "resources")).content.decode()
    assert "2026/27" in content
    assert "£3,500.50" in content
    assert "£3,600.50" in content


# Two people editing at once -------------------------------------------------------------------


def test_a_second_save_from_an_older_page_is_refused_and_both_versions_shown(
    client, officer, sponsor
):
    partnership = PartnershipFactory(author=officer, sponsoring_officer=sponsor, name="Original")
    url = section_url(partnership, "partnership")
    client.force_login(officer)
    officers_page = form_data(client.get(url))
    client.force_login(sponsor)
    sponsors_page = form_data(client.get(url))

    sponsors_page.update(name="Saved by the sponsor", action="continue")
    assert client.post(url, sponsors_page).status_code == 302

    client.force_login(officer)
    officers_page.update(name="Typed by the officer", action="continue")
    response = client.post(url, officers_page)
    assert response.status_code == 200
    assert (
        "Someone else saved changes to this partnership since you opened this page"
        in error_summary(response)
    )
    content = response.content.decode()
    assert "Saved by the sponsor" in content  # the panel: what is saved now
    assert form_data(response)["name"] == "Typed by the officer"  # the form: what they typed
    partnership.refresh_from_db()
    assert partnership.name == "Saved by the sponsor"
    assert form_data(response)["version"] == str(partnership.version)

    # Having seen both, saving again is deliberate, and succeeds.
    again = form_data(response)
    again["action"] = "continue"
    assert client.post(url, again).status_code == 302
    partnership.refresh_from_db()
    assert partnership.name == "Typed by the officer"


def test_a_conflicting_save_writes_no_rows_either(client, officer, sponsor):
    partnership = PartnershipFactory(author=officer, sponsoring_officer=sponsor)
    url = section_url(partnership, "council_role")
    client.force_login(officer)
    stale = form_data(client.get(url))
    client.force_login(sponsor)
    assert fill(client, url, council_role="lead").status_code == 302
    client.force_login(officer)
    stale.update(
        {
            "representations-0-person_name": "Lost Update",
            "representations-0-person_kind": "officer",
            "action": "continue",
        }
    )
    response = client.post(url, stale)
    assert response.status_code == 200
    assert Representation.objects.count() == 0
    assert form_data(response)["representations-0-person_name"] == "Lost Update"


# Check your answers and submit ----------------------------------------------------------------


def test_check_page_lists_what_is_missing_with_links_to_each_section(officer_client, draft):
    response = officer_client.get(reverse("register:partnership_check", args=[draft.reference]))
    content = response.content.decode()
    assert "Some answers are missing" in content
    link = f'<a href="{section_url(draft, "risk")}">Say who is responsible for managing risk</a>'
    assert link in content
    for section in SECTIONS:
        assert f'href="{section_url(draft, section.slug)}">Change' in content


def test_submitting_an_incomplete_registration_shows_why_and_changes_nothing(officer_client, draft):
    response = officer_client.post(reverse("register:partnership_check", args=[draft.reference]))
    assert response.status_code == 200
    assert "Enter the purpose of the partnership" in error_summary(response)
    draft.refresh_from_db()
    assert draft.status == Partnership.Status.DRAFT
    assert not StatusChange.objects.filter(to_status="submitted").exists()


def test_submitting_twice_submits_once(officer_client, officer, django_capture_on_commit_callbacks):
    partnership = complete_partnership(author=officer)
    url = reverse("register:partnership_check", args=[partnership.reference])
    with django_capture_on_commit_callbacks(execute=True):
        first = officer_client.post(url)
        second = officer_client.post(url)
    submitted = reverse("register:partnership_submitted", args=[partnership.reference])
    assert first.url == submitted and second.url == submitted
    assert StatusChange.objects.filter(partnership=partnership, to_status="submitted").count() == 1
    assert len(mail.outbox) == 1


def test_read_only_user_cannot_submit(read_only_client, officer):
    partnership = complete_partnership(author=officer)
    url = reverse("register:partnership_check", args=[partnership.reference])
    assert read_only_client.post(url).status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.DRAFT


# Live partnerships ----------------------------------------------------------------------------


def test_a_live_partnership_is_edited_with_a_single_save_back_to_its_page(client, officer, sponsor):
    partnership = complete_partnership(
        author=officer, sponsoring_officer=sponsor, status=Partnership.Status.ACTIVE
    )
    client.force_login(sponsor)
    url = section_url(partnership, "risk")
    content = client.get(url).content.decode()
    assert ">Save</button>" in content
    assert "Save and continue" not in content
    response = fill(client, url, risk_manager="The board's risk lead", action="save")
    assert response.url == partnership.get_absolute_url()
    partnership.refresh_from_db()
    assert partnership.risk_manager == "The board's risk lead"
    # An author who is not its sponsor or manager no longer edits a live partnership.
    client.force_login(officer)
    assert client.get(url).status_code == 403


# Permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    ["partnership_edit", "partnership_check", "partnership_submitted"],
)
def test_an_officer_of_another_directorate_cannot_find_a_draft(
    client, other_officer, draft, url_name
):
    client.force_login(other_officer)
    assert client.get(reverse(f"register:{url_name}", args=[draft.reference])).status_code == 404


def test_an_officer_of_another_directorate_cannot_submit_a_draft(client, other_officer, officer):
    partnership = complete_partnership(author=officer)
    client.force_login(other_officer)
    url = reverse("register:partnership_check", args=[partnership.reference])
    assert client.post(url).status_code == 404
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.DRAFT


@pytest.mark.parametrize("slug", [section.slug for section in SECTIONS])
def test_sections_of_another_officers_draft_are_not_found(client, other_officer, draft, slug):
    client.force_login(other_officer)
    assert client.get(section_url(draft, slug)).status_code == 404
    assert client.post(section_url(draft, slug), {"version": "1"}).status_code == 404


@pytest.mark.parametrize("slug", [section.slug for section in SECTIONS])
def test_read_only_user_cannot_post_any_section(read_only_client, draft, slug):
    response = read_only_client.post(section_url(draft, slug), {"version": "1", "name": "Hacked"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.version == 1 and draft.name != "Hacked"


def test_democratic_services_can_edit_any_draft(democratic_client, draft):
    response = fill(democratic_client, section_url(draft, "risk"), risk_manager="Board")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.risk_manager == "Board"


# Home page ------------------------------------------------------------------------------------


def test_home_page_offers_registration_and_lists_the_officers_own_drafts(
    officer_client, officer, other_officer, draft
):
    theirs = services.start_registration(author=other_officer, name="Not mine")
    complete = complete_partnership(author=officer, status=Partnership.Status.ACTIVE)
    response = officer_client.get(reverse("home"))
    assert list(response.context["my_drafts"]) == [draft]
    assert theirs not in response.context["my_drafts"]
    assert complete not in response.context["my_drafts"]
    labels = [link["label"] for link in response.context["links"]]
    assert "Register a partnership" in labels
    html = response.content.decode()
    assert reverse("register:partnership_edit", args=[draft.reference]) in html
    assert reverse("register:partnership_create") in html


def test_read_only_home_page_does_not_offer_registration(read_only_client):
    response = read_only_client.get(reverse("home"))
    assert "Register a partnership" not in [link["label"] for link in response.context["links"]]


# Query counts ---------------------------------------------------------------------------------


def test_task_list_runs_a_fixed_number_of_queries(officer_client, draft):
    def grow():
        for _ in range(30):
            RepresentationFactory(partnership=draft)
        complete_partnership(author=draft.author)

    url = reverse("register:partnership_edit", args=[draft.reference])
    assert_queries_fixed(officer_client, url, grow, most=11)


def test_a_section_page_with_rows_runs_a_fixed_number_of_queries(officer_client, draft):
    RepresentationFactory(partnership=draft)

    def grow():
        for _ in range(30):
            RepresentationFactory(partnership=draft)

    assert_queries_fixed(officer_client, section_url(draft, "council_role"), grow, most=4)


def test_the_resources_page_runs_a_fixed_number_of_queries(officer_client, draft):
    def grow():
        for _ in range(20):
            FinancialContribution.objects.create(
                partnership=draft, amount=1, form="grant", financial_year=2026
            )
            OfficerTime.objects.create(
                partnership=draft, person=Person.objects.create(name="O"), hours_per_month=1
            )
            InKindContribution.objects.create(partnership=draft, kind="postage", estimated_value=1)

    assert_queries_fixed(officer_client, section_url(draft, "resources"), grow, most=9)


def test_check_page_runs_a_fixed_number_of_queries(officer_client, officer):
    partnership = complete_partnership(author=officer)

    def grow():
        for _ in range(20):
            RepresentationFactory(partnership=partnership)
            FinancialContribution.objects.create(
                partnership=partnership, amount=1, form="grant", financial_year=2026
            )

    url = reverse("register:partnership_check", args=[partnership.reference])
    assert_queries_fixed(officer_client, url, grow, most=15)
