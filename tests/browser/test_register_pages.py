"""The register in a real browser: officers find partnerships, Democratic Services decide, and the
public read the published register. axe checks every page visited."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from register import services
from register.models import ChecklistAnswer, ChecklistConsideration, Partnership, Person
from tests.factories import (
    FinancialContributionFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    complete_partnership,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Partnership.Status


@pytest.fixture
def register_data(officer, other_officer, sponsor):
    clean_air = PartnershipFactory(
        name="Clean Air Partnership",
        status=Status.ACTIVE,
        sponsoring_officer=sponsor,
        council_role=Partnership.CouncilRole.REPRESENTATIVE,
        start_date=date(2026, 4, 1),
        completed_by_name="Olivia Okafor",
    )
    PartnerFactory(
        partnership=clean_air, organisation=OrganisationFactory(name="Air Trust"), is_lead=True
    )
    RepresentationFactory(
        partnership=clean_air,
        person=PersonFactory(name="Cllr Gwen Marsh", kind=Person.Kind.COUNCILLOR),
    )
    FinancialContributionFactory(partnership=clean_air, amount=Decimal("12000"))
    PartnershipFactory(name="Youth Forum", status=Status.UNDER_REVIEW)
    PartnershipFactory(name="Old Town Centre Board", status=Status.CLOSED)
    PartnershipFactory(name="Secret Draft Scheme", author=other_officer)
    return clean_air


def test_an_officer_filters_and_searches_the_register_and_opens_a_partnership(
    page, live_server, sign_in, axe, officer, register_data
):
    sign_in(page, "officer")
    page.get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnership register")
    expect(page.get_by_role("heading", name="3 partnerships")).to_be_visible()
    expect(page.get_by_text("Secret Draft Scheme")).to_have_count(0)
    axe(page, "the register")

    page.get_by_label("Status").select_option(label="Under review")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 partnership match your filters")).to_be_visible()
    expect(page.get_by_role("link", name="Youth Forum")).to_be_visible()
    axe(page, "the register, filtered")

    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("heading", name="3 partnerships")).to_be_visible()
    page.get_by_label("Search").fill("gwen marsh")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 partnership match your filters")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Name\s*, sort descending$")).click()
    expect(page.get_by_label("Search")).to_have_value("gwen marsh")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Name")
    axe(page, "the register, searched and sorted")

    page.get_by_role("link", name="Clean Air Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clean Air Partnership")
    expect(page.get_by_role("rowheader", name="Cllr Gwen Marsh")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    axe(page, "a partnership's page")

    # The contents link opens the history's details at the latest changes.
    page.get_by_role("link", name="History of changes").click()
    page.get_by_role("link", name="See every change to this partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"History of changes: {register_data.reference} Clean Air Partnership"
    )
    created = f"Created – Partnership: {register_data.reference}"
    expect(page.get_by_role("heading", level=2, name=created)).to_be_visible()
    axe(page, "a partnership's history of changes")
    page.get_by_role("link", name=f"Back to {register_data.reference}").click()

    page.get_by_role("button", name="Print the registration form").or_(
        page.get_by_role("link", name="Print the registration form")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Exampleshire Borough Council PARTNERSHIP REGISTRATION FORM"
    )
    expect(page.get_by_text("Councillors – how many and who: 1")).to_be_visible()
    axe(page, "the printable registration form")


def test_democratic_services_record_a_decision_in_the_browser(
    page, live_server, sign_in, axe, officer, democratic_services
):
    partnership = complete_partnership(author=officer, name="Food Poverty Alliance")
    services.submit(partnership=partnership, by=officer)
    # Gaps in the checklist are flagged on the page; axe checks how they look.
    ChecklistConsideration.objects.get_or_create(
        question="Is there a need for an information sharing protocol?",
        defaults={"section": ChecklistConsideration.Section.AGREEMENT},
    )
    ChecklistConsideration.objects.get_or_create(
        question="Has equalities legislation been considered?",
        defaults={"section": ChecklistConsideration.Section.AGREEMENT},
    )
    first, second = ChecklistConsideration.objects.order_by("pk")[:2]
    ChecklistAnswer.objects.update_or_create(
        partnership=partnership, consideration=first, defaults={"answer": ""}
    )
    ChecklistAnswer.objects.update_or_create(
        partnership=partnership, consideration=second, defaults={"answer": "no"}
    )

    sign_in(page, "democratic")
    page.goto(f"{live_server.url}{partnership.get_absolute_url()}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Submitted")
    expect(page.get_by_text("Points to check: 1 not answered, 1 answered “No”.")).to_be_visible()
    axe(page, "a submitted partnership's page")

    page.get_by_role("button", name="Record the decision").or_(
        page.get_by_role("link", name="Record the decision")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    axe(page, "the decision page")

    page.get_by_label("Returned for changes").check()
    page.get_by_label("Democratic Services").check()
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date of the decision")
    expect(summary).to_contain_text("Enter the reason for returning or rejecting")
    expect(page.get_by_label("Returned for changes")).to_be_checked()
    axe(page, "the decision page with errors")

    page.get_by_label("Approved").check()
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Decision reference (optional)").fill("DS/2026/17")
    page.get_by_role("button", name="Record the decision").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Decision recorded: approved."
    )
    expect(page.locator("main .govuk-tag").first).to_have_text("Active")
    decisions = page.get_by_role("table", name="Approval decisions, newest first")
    expect(decisions.get_by_role("cell", name="DS/2026/17")).to_be_visible()
    axe(page, "the partnership's page after the decision")
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE


def test_an_anonymous_visitor_reads_the_public_register(page, live_server, axe, register_data):
    page.goto(f"{live_server.url}/accessibility/")
    page.get_by_role("link", name="Public register of partnerships").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register of partnerships")
    expect(page.get_by_role("heading", name="Clean Air Partnership")).to_be_visible()
    expect(page.get_by_role("heading", name="2 current partnerships")).to_be_visible()
    expect(page.get_by_text("Secret Draft Scheme")).to_have_count(0)
    expect(page.get_by_text("Cllr Gwen Marsh")).to_have_count(0)
    expect(page.get_by_text("Olivia Okafor")).to_have_count(0)
    axe(page, "the public register")

    page.get_by_label("Search the register").fill("clean air")
    page.get_by_role("button", name="Show partnerships").click()
    expect(page.get_by_role("heading", name="1 current partnership found")).to_be_visible()
    expect(page.get_by_role("heading", name="Clean Air Partnership")).to_be_visible()
    expect(page.get_by_label("Search the register")).to_have_value("clean air")

    page.get_by_label("Search the register").fill("")
    page.get_by_label("Closed partnerships").check()
    page.get_by_role("button", name="Show partnerships").click()
    expect(page.get_by_role("heading", name="1 closed partnership")).to_be_visible()
    expect(page.get_by_role("heading", name="Clean Air Partnership")).to_have_count(0)
    axe(page, "the public register's closed partnerships")
    assert "csrfmiddlewaretoken" not in page.url
