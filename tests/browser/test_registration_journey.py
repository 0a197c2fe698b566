"""An officer registers a partnership in a real browser, coming back to it after signing out;
Democratic Services approve it in admin; it shows as active on the register and, without any
personal data, on the public register."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from register import services
from register.models import Partnership, current_financial_year
from tests.factories import CorporatePriorityFactory
from tests.helpers import choose, fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def test_an_officer_registers_a_partnership_over_two_visits(
    page, live_server, sign_in, axe, officer, sponsor, democratic_services, mailoutbox
):
    CorporatePriorityFactory(name="A thriving town centre")
    year = current_financial_year()
    year_label = f"{year}/{(year + 1) % 100:02d}"

    sign_in(page, "officer")
    axe(page, "home page")
    page.get_by_role("link", name="Register a partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a partnership")
    axe(page, "start page")
    page.get_by_label("Name of partnership").fill("Town Centre Partnership")
    page.get_by_role("button", name="Start registration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Town Centre Partnership")
    reference = Partnership.objects.get().reference
    assert re.fullmatch(r"P-\d{4}-\d{3}", reference)
    expect(page.locator("main")).to_contain_text(reference)
    axe(page, "task list")

    page.get_by_role("link", name="About you").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value(officer.get_full_name())
    axe(page, "about you")
    page.get_by_label("Role in the partnership").fill("Chair")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Details of the partnership")
    axe(page, "the partnership")
    page.get_by_label("Purpose of the partnership").fill("To bring the town centre back to life.")
    choose(page, "Sponsoring officer", f"{sponsor.get_full_name()} – Head of Housing")
    choose(
        page,
        "Officer accountable for monitoring performance",
        f"{officer.get_full_name()} – Project Officer",
    )
    fill_date(page, "Start date", "01/04/2026")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Role of the Council")
    axe(page, "role of the Council")
    page.get_by_label("Member (representative)").check()
    first = page.get_by_role("group", name="Representative 1")
    first.get_by_label("Full name").fill("Jane Smith")
    first.get_by_label("Councillor", exact=True).check()
    page.get_by_role("button", name="Add another representative").click()
    second = page.get_by_role("group", name="Representative 2")
    expect(second).to_be_visible()
    expect(
        page.get_by_role("group", name="Representative 1").get_by_label("Full name")
    ).to_have_value("Jane Smith")
    axe(page, "role of the Council with another representative")
    second.get_by_label("Full name").fill("Sam Patel")
    second.get_by_label("Council officer", exact=True).check()
    second.get_by_label("Role in the partnership").select_option(label="Manager")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Corporate Plan")
    axe(page, "Corporate Plan")
    page.get_by_label("A thriving town centre").check()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Other partners")
    axe(page, "partners")
    first = page.get_by_role("group", name="Partner 1")
    first.get_by_label("Name of organisation").fill("Exampleshire County Council")
    first.get_by_label("Sector").select_option(label="Public")
    first.get_by_label("This organisation leads the partnership").check()
    page.get_by_role("button", name="Add another partner").click()
    second = page.get_by_role("group", name="Partner 2")
    expect(second).to_be_visible()
    axe(page, "partners with another row")
    second.get_by_label("Name of organisation").fill("Town Centre Traders")
    second.get_by_label("Sector").select_option(label="Private")
    page.get_by_role("button", name="Save and come back later").click()

    expect(page.get_by_role("alert")).to_contain_text("Your answers have been saved")
    expect(page.locator("#partners-status")).to_have_text("Completed")
    axe(page, "task list after saving for later")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    sign_in(page, "officer")
    page.goto(f"{live_server.url}/partnerships/{reference}/edit/")
    expect(page.locator("#about_you-status")).to_have_text("Completed")
    expect(page.locator("#resources-status")).to_contain_text("Incomplete")
    axe(page, "task list on coming back")

    page.get_by_role("link", name="Resources committed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Resources")
    axe(page, "resources")
    money = page.get_by_role("group", name="Financial contribution 1")
    money.get_by_label("Amount (£)").fill("25,000")
    money.get_by_label("In what form").select_option(label="Grant")
    money.get_by_label("Yes", exact=True).check()
    money.get_by_label("Financial year").select_option(label=year_label)
    in_kind = page.get_by_role("group", name="In-kind contribution 1")
    in_kind.get_by_label("Kind of support").select_option(label="Office accommodation")
    in_kind.get_by_label("Estimated value a year (£)").fill("3,000")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Risk assessment")
    axe(page, "risk")
    page.get_by_role("group", name="Does the partnership have a risk register?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Who is responsible for managing risk").fill("The partnership board")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Points to consider")
    axe(page, "checklist")
    for radio in page.get_by_role("radio", name="Yes", exact=True).all():
        radio.check()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Governing document")
    axe(page, "documents")
    page.get_by_label("Memorandum of understanding").check()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation")
    axe(page, "evaluation")
    page.get_by_role("group", name=re.compile("justify the costs")).get_by_label(
        "Yes", exact=True
    ).check()
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.locator("main")).to_contain_text("£25,000.00 grant")
    expect(page.locator("main")).to_contain_text("Exampleshire County Council")
    expect(page.locator("#missing")).to_have_count(0)
    axe(page, "check your answers")
    page.get_by_role("button", name="Submit registration").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Registration submitted")
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    axe(page, "confirmation")

    partnership = Partnership.objects.get()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert partnership.representations.count() == 2
    assert partnership.partners.get(is_lead=True).organisation.name == "Exampleshire County Council"
    assert partnership.in_kind_contributions.count() == 1
    announced = [m for m in mailoutbox if m.subject.startswith("Partnership submitted")]
    assert len(announced) == 1
    assert reference in announced[0].subject
    assert announced[0].to == [settings.DEMOCRATIC_SERVICES_EMAIL]

    # Democratic Services approve it in admin, recording the decision reference.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, democratic_services.username)
    page.goto(f"{live_server.url}/admin/register/partnership/?status__exact=submitted")
    page.get_by_role("row", name=reference).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Approve selected partnerships")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve selected partnerships")
    axe(page, "approve in admin")
    page.get_by_label("Decision body:").select_option(label="Cabinet")
    page.get_by_label("Decision reference:").fill("Cabinet minute 57/2026")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ACTIVE
    assert partnership.decisions.get().decision_reference == "Cabinet minute 57/2026"

    # The officer finds it active on the register.
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/partnerships/?q=Town+Centre")
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text("Active")
    axe(page, "register filtered")
    row.get_by_role("link", name="Town Centre Partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Town Centre Partnership")
    expect(page.locator("main")).to_contain_text("Cabinet minute 57/2026")
    axe(page, "partnership page")

    # The public register shows it, with no one's name, email or phone number.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto(f"{live_server.url}/public/")
    public = page.locator("main")
    expect(public).to_contain_text("Town Centre Partnership")
    expect(public).to_contain_text(reference)
    axe(page, "public register")
    text = public.inner_text()
    for person in (officer, sponsor, democratic_services):
        assert person.get_full_name() not in text
        assert person.email not in text
    for representation in partnership.representations.select_related("person"):
        assert representation.person.name not in text


def test_a_section_can_be_completed_by_keyboard_alone(page, live_server, sign_in, axe, officer):
    draft = services.start_registration(author=officer, name="Keyboard Partnership")
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/partnerships/{draft.reference}/edit/risk/")
    axe(page, "risk by keyboard")

    def tab_to(locator, limit=40):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                return
        pytest.fail(f"Tab never reached {locator}")

    no = page.get_by_role("group", name="Does the partnership have a risk register?").get_by_label(
        "No", exact=True
    )
    yes = page.get_by_role("group", name="Does the partnership have a risk register?").get_by_label(
        "Yes", exact=True
    )
    tab_to(yes)
    page.keyboard.press("ArrowDown")
    expect(no).to_be_focused()
    expect(no).to_be_checked()
    reason = page.get_by_label("If not, please state why")
    expect(reason).to_be_visible()
    tab_to(reason)
    page.keyboard.type("It is being drawn up.")
    tab_to(page.get_by_label("Who is responsible for managing risk"))
    page.keyboard.type("The chair")
    tab_to(page.get_by_role("button", name="Save and come back later"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("Your answers have been saved")
    draft.refresh_from_db()
    assert draft.has_risk_register is False
    assert draft.no_risk_register_reason == "It is being drawn up."
    assert draft.risk_manager == "The chair"

    page.goto(f"{live_server.url}/partnerships/{draft.reference}/edit/risk/")
    yes = page.get_by_role("group", name="Does the partnership have a risk register?").get_by_label(
        "Yes", exact=True
    )
    tab_to(
        page.get_by_role("group", name="Does the partnership have a risk register?").get_by_label(
            "No", exact=True
        )
    )
    page.keyboard.press("ArrowUp")
    expect(yes).to_be_checked()
    page.keyboard.press(" ")
    tab_to(page.get_by_role("button", name="Save and continue"))
    page.keyboard.press(" ")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Points to consider")
    draft.refresh_from_db()
    assert draft.has_risk_register is True
