"""A sponsoring officer keeps a partnership's risk register; an action owner updates an action."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from partnerships_site.dates import add_months
from register import roles
from register.models import Partnership, Person
from risks.models import Action, Risk
from tests.factories import PartnershipFactory, UserFactory
from tests.helpers import choose, fill_date, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cell(group, likelihood, impact):
    """The radio for one cell of a score grid, by the label a screen reader reads."""
    return group.get_by_label(f"Likelihood {likelihood}, impact {impact}", exact=False)


def fill_row(page, legend, description, owner, due=None, status=None):
    row = page.get_by_role("group", name=legend)
    row.get_by_label("Description").fill(description)
    choose(row, "Owner", owner)
    if due:
        fill_date(row, "Estimated completion date", due)
    if status:
        row.get_by_label("Status").select_option(label=status)


def test_sponsor_keeps_the_risk_register_and_action_owner_completes_an_action(
    page, live_server, sign_in, axe, sponsor
):
    partnership = PartnershipFactory(
        name="Homelessness Prevention Forum",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=sponsor,
    )
    sponsor_person = Person.for_user(sponsor)
    action_user = UserFactory(
        username="actionowner", first_name="Amira", last_name="Hassan", role=roles.OFFICER
    )
    Person.objects.create(name="Amira Hassan", user=action_user, job_title="Housing Officer")
    Person.objects.create(name="Tom Reed", job_title="Riverside Housing Association")
    amira, tom = "Amira Hassan – Housing Officer", "Tom Reed – Riverside Housing Association"
    base = f"{live_server.url}/partnerships/{partnership.reference}/risks/"

    # The sponsoring officer opens the partnership's (empty) risk register.
    sign_in(page, "sponsor")
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    expect(page.get_by_text("No open risks are recorded for this partnership.")).to_be_visible()
    axe(page, "empty risk register")

    # They add a risk with its cause, event and impact and three scores on the matrix.
    page.get_by_role("button", name="Add a risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a risk")
    axe(page, "add a risk")
    page.get_by_label("Risk title").fill("Partner funding withdrawn")
    page.get_by_label("Cause").fill("Partners review their discretionary budgets each year.")
    page.get_by_label("Event", exact=True).fill("A partner withdraws its funding mid-year.")
    page.get_by_label("Impact", exact=True).fill("Outreach to rough sleepers is cut back.")
    page.get_by_label("Category").select_option(label="Financial")
    choose(page, "Risk owner", f"{sponsor_person} – Head of Housing")
    fill_date(page, "Date raised", today() - timedelta(days=10))
    inherent = page.get_by_role("group", name="Inherent score")
    cell(inherent, "4 Likely", "5 Critical").check()
    cell(page.get_by_role("group", name="Actual score"), "3 Possible", "4 Major").check()
    cell(page.get_by_role("group", name="Residual score"), "2 Unlikely", "3 Moderate").check()

    # One control and two actions, the second row added without JavaScript's help.
    fill_row(page, "Control 1", "Three-year funding agreements", tom, status="In progress")
    fill_row(page, "Action 1", "Agree a reserve policy", amira, today() + timedelta(30))
    page.get_by_role("button", name="Add another action").click()
    expect(page.get_by_role("group", name="Action 2")).to_be_visible()
    expect(page.get_by_label("Risk title")).to_have_value("Partner funding withdrawn")
    expect(
        cell(page.get_by_role("group", name="Inherent score"), "4 Likely", "5 Critical")
    ).to_be_checked()
    axe(page, "add a risk, after adding another action")
    fill_row(page, "Action 2", "Find another funder", tom, today() + timedelta(days=90))
    page.get_by_role("button", name="Save the risk").click()

    # The risk's page shows it as saved, with its scores, control and actions.
    expect(page.get_by_role("heading", level=1)).to_have_text("R1 Partner funding withdrawn")
    main = page.locator("main")
    expect(main).to_contain_text("Risk R1 Partner funding withdrawn added.")
    expect(main).to_contain_text("A partner withdraws its funding mid-year.")
    scores = page.get_by_role("table", name="Scores")
    expect(scores).to_contain_text("20 Very high")
    expect(scores).to_contain_text("12 High")
    expect(scores).to_contain_text("6 Medium")
    expect(main).to_contain_text("Three-year funding agreements")
    expect(main).to_contain_text("Find another funder")
    axe(page, "risk page")
    risk = Risk.objects.get()
    assert risk.next_review_due == add_months(today() - timedelta(days=10), 3)
    assert risk.actions.count() == 2 and risk.controls.count() == 1

    # A review finds the risk has grown: actual 4 x 4, very high, so it goes to the board.
    page.get_by_role("button", name="Record a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    axe(page, "record a review")
    cell(page.get_by_role("group", name="Actual score"), "4 Likely", "4 Major").check()
    page.get_by_label("Notes").fill("A second partner has signalled cuts.")
    page.get_by_role("button", name="Record the review").click()
    expect(main).to_contain_text(f"Next review due {add_months(today(), 1):%-d %B %Y}")
    expect(main).to_contain_text("For the Partnership Board")
    expect(main).to_contain_text("has not yet been reported to the board")
    expect(page.get_by_role("table", name="Scores")).to_contain_text("16 Very high")
    axe(page, "risk page after the review")

    # Every change to the risk, the review's among them, is on its history page.
    page.get_by_role("link", name="See every change to this risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "History of changes: R1 Partner funding withdrawn"
    )
    expect(page.get_by_role("heading", level=2, name="Added – Risk review").first).to_be_visible()
    expect(main).to_contain_text(f"by {sponsor.get_full_name()}")
    axe(page, "a risk's history of changes")

    # The register flags it for the board; the heat maps put it in the right cells.
    page.get_by_role("link", name="Risk register").click()
    expect(main).to_contain_text("For the Partnership Board: not yet reported")
    axe(page, "risk register")
    page.get_by_role("link", name="Heat map").click()
    heat_map = page.get_by_role("table", name="Number of open risks by likelihood and impact")
    expect(heat_map).to_contain_text("actual score")
    row = heat_map.get_by_role("row").filter(has=page.get_by_role("rowheader", name="4 Likely"))
    expect(row.get_by_role("cell").nth(3)).to_contain_text(
        "1 risk at likelihood 4 Likely, impact 4 Major"
    )
    axe(page, "heat map, actual scores")
    page.get_by_role("link", name="Inherent scores").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="4 Likely"))
    expect(row.get_by_role("cell").nth(4)).to_contain_text(
        "1 risk at likelihood 4 Likely, impact 5 Critical"
    )
    axe(page, "heat map, inherent scores")
    page.get_by_role("link", name="Residual scores").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2 Unlikely"))
    expect(row.get_by_role("cell").nth(2)).to_contain_text(
        "1 risk at likelihood 2 Unlikely, impact 3 Moderate"
    )
    axe(page, "heat map, residual scores")

    # A cell leads to the matching risks in the council-wide list.
    page.get_by_role("link", name="1 risk at likelihood 2 Unlikely, impact 3 Moderate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risks across all partnerships")
    expect(main).to_contain_text("R1 Partner funding withdrawn")
    axe(page, "council-wide risks list")
    # The partnership is typed, not picked from every partnership: words of its name will do.
    partnership_box = page.get_by_label("Partnership", exact=True)
    expect(partnership_box).to_have_value(partnership.reference)
    partnership_box.fill("x" * 201)
    expect(partnership_box).to_have_value("x" * 200)  # the box takes no more than the filter
    partnership_box.fill("prevention HOMELESSNESS")
    page.get_by_label("Review overdue").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label("Review overdue")).to_be_checked()
    expect(main).to_contain_text("0 risks")
    page.get_by_label("Review overdue").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(main).to_contain_text("R1 Partner funding withdrawn")

    page.goto(f"{base}board-paper/")
    expect(
        page.get_by_role("heading", level=2, name="Risks for the board's attention")
    ).to_be_visible()
    axe(page, "board paper")
    page.get_by_role("button", name="Sign out").click()

    # The action owner signs in and marks their action complete.
    sign_in(page, "actionowner")
    page.goto(f"{base}R1/")
    axe(page, "risk page for the action owner")
    expect(page.get_by_role("button", name="Record a review")).to_have_count(0)
    page.get_by_role("link", name="Update progress on action 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update progress on an action")
    axe(page, "update progress")
    page.get_by_label("Complete", exact=True).check()
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it was completed.")
    axe(page, "update progress with an error")
    # The summary's link puts the cursor in the first box of the date.
    page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter the date it was completed."
    ).click()
    completed_on = page.get_by_role("group", name="Completed on", exact=True)
    expect(completed_on.get_by_label("Day")).to_be_focused()
    page.get_by_label("Progress so far").fill("Reserve policy agreed at the board.")
    fill_date(page, "Completed on", today())
    page.get_by_role("button", name="Save progress").click()
    expect(main).to_contain_text(f"Complete on {today():%-d %B %Y}")
    axe(page, "risk page after completing the action")
    action = Action.objects.get(owner__user=action_user)
    assert (action.status, action.completed_on) == ("complete", today())
