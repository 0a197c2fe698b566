"""The sponsoring officer reviews two partnerships in a real browser: one continues, one ends.

The second is withdrawn, its exit strategy filled in with two exit actions, the actions done,
the exit signed off and the partnership closed, still readable on the register.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnerships_site.dates import add_years
from register.models import Partnership, Person
from reviews.models import AnnualReview, ExitAction, ExitStrategy
from tests.factories import PersonFactory, active_partnership
from tests.helpers import choose, fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heading(page):
    return page.get_by_role("heading", level=1)


def record_the_review(page, *, outcome, reasons):
    page.get_by_role("group", name=re.compile("still aligned")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Performance against the agreed outcomes").fill("Met its outcomes.")
    page.get_by_role("group", name="Outcome", exact=True).get_by_label(outcome, exact=True).check()
    page.get_by_label("Reasons for the outcome").fill(reasons)
    page.get_by_label("Outcome agreed by").fill("Cabinet")
    fill_date(page, "Date the outcome was agreed", timezone.localdate())


def test_the_sponsor_continues_one_partnership_and_closes_another(
    page, live_server, sign_in, axe, sponsor
):
    today = timezone.localdate()
    keep = active_partnership(
        sponsoring_officer=sponsor,
        name="Warm Homes Partnership",
        next_review_due=today - timedelta(days=5),
    )
    leave = active_partnership(
        sponsoring_officer=sponsor,
        name="Youth Services Partnership",
        next_review_due=today + timedelta(days=20),
    )
    sponsor_person = Person.for_user(sponsor)
    PersonFactory(name="Olivia Okafor")

    sign_in(page, "sponsor")
    page.get_by_role("link", name="Reviews due", exact=True).click()
    expect(heading(page)).to_have_text("Reviews due")
    expect(page.locator("main")).to_contain_text("Overdue by 5 days")
    expect(page.locator("main")).to_contain_text("Due in 20 days")
    axe(page, "reviews due")

    # The first partnership continues.
    page.get_by_role("link", name="Start the review of Warm Homes Partnership").click()
    expect(heading(page)).to_have_text("Start the annual review")
    expect(page.locator("main")).to_contain_text("What has changed since it was approved")
    axe(page, "start a review")
    page.get_by_role("button", name="Start the review").click()
    expect(heading(page)).to_have_text("Annual review")
    axe(page, "review form")
    record_the_review(page, outcome="Continue", reasons="It delivers good value.")
    page.get_by_role("button", name="Complete review").click()

    next_due = add_years(today, 1)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"The next review is due by {next_due.day} {next_due:%B %Y}"
    )
    expect(heading(page)).to_contain_text("Annual review of")
    axe(page, "completed review")
    keep.refresh_from_db()
    assert keep.status == Partnership.Status.ACTIVE
    assert keep.next_review_due == next_due

    # The second is withdrawn; a first try without an outcome is refused.
    page.get_by_role("link", name="Reviews due", exact=True).click()
    expect(page.get_by_role("link", name=re.compile("Warm Homes"))).to_have_count(0)
    axe(page, "reviews due after the first review")
    page.get_by_role("link", name="Start the review of Youth Services Partnership").click()
    expect(page.get_by_role("button", name="Start the review")).to_be_visible()
    axe(page, "start the second review")
    page.get_by_role("button", name="Start the review").click()
    page.get_by_label("Performance against the agreed outcomes").fill("Outcomes missed.")
    page.get_by_role("button", name="Complete review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the outcome of the review")
    expect(summary).to_contain_text("Enter the reasons for the outcome")
    expect(page.get_by_label("Performance against the agreed outcomes")).to_have_value(
        "Outcomes missed."
    )
    axe(page, "review form with errors")
    assert AnnualReview.objects.get(partnership=leave).status == AnnualReview.Status.DRAFT

    record_the_review(page, outcome="Withdraw", reasons="The county council will carry it on.")
    page.get_by_role("button", name="Complete review").click()

    expect(heading(page)).to_have_text("Exit strategy")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("now exiting")
    axe(page, "exit strategy form")
    leave.refresh_from_db()
    assert leave.status == Partnership.Status.EXITING

    page.get_by_label("Planned exit", exact=True).check()
    fill_date(page, "Intended exit date", today + timedelta(days=90))
    page.get_by_label("Successor arrangements").fill("The county council takes it on.")
    first = page.get_by_role("group", name="Exit action 1")
    first.get_by_label("Action", exact=True).fill("Give notice to the chair")
    choose(first, "Owner", str(sponsor_person))
    fill_date(first, "Due by", today + timedelta(days=14))
    page.get_by_role("button", name="Add another action").click()

    expect(
        page.get_by_role("group", name="Exit action 1").get_by_label("Action", exact=True)
    ).to_have_value("Give notice to the chair")
    axe(page, "exit strategy with another action row")
    second = page.get_by_role("group", name="Exit action 2")
    second.get_by_label("Action", exact=True).fill("Return the case records")
    choose(second, "Owner", "Olivia Okafor")
    fill_date(second, "Due by", today + timedelta(days=60))
    page.get_by_role("button", name="Save the exit strategy").click()

    expect(heading(page)).to_have_text("Exit strategy")
    expect(page.locator("main")).to_contain_text("The county council takes it on.")
    axe(page, "exit strategy")
    strategy = ExitStrategy.objects.get(partnership=leave)
    assert list(strategy.actions.values_list("description", flat=True)) == [
        "Give notice to the chair",
        "Return the case records",
    ]

    for description in ["Give notice to the chair", "Return the case records"]:
        page.get_by_role("link", name=f"Update progress on {description}").click()
        expect(heading(page)).to_have_text(description)
        axe(page, f"progress on {description}")
        page.get_by_label("Complete", exact=True).check()
        fill_date(page, "Date completed", today)
        page.get_by_label("Progress", exact=True).fill("Done.")
        page.get_by_role("button", name="Save progress").click()
        expect(heading(page)).to_have_text("Exit strategy")
        axe(page, f"exit strategy after {description}")
    assert not ExitAction.objects.open().exists()

    page.get_by_role("link", name="Complete the exit").click()
    expect(heading(page)).to_have_text("Complete the exit")
    expect(page.get_by_label("Signed off by")).to_have_value(
        f"{sponsor.get_full_name()}, Head of Housing"
    )
    axe(page, "complete the exit")
    page.get_by_role("button", name="Sign off and close the partnership").click()

    expect(heading(page)).to_have_text("Reviews and exit")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is closed")
    expect(page.locator("main")).to_contain_text("Exiting to Closed")
    expect(page.locator("main")).to_contain_text("Under review to Exiting")
    expect(page.get_by_role("link", name="Start the annual review")).to_have_count(0)
    axe(page, "closed partnership's reviews and exit")
    leave.refresh_from_db()
    assert leave.status == Partnership.Status.CLOSED
    assert leave.closed_on == today

    response = page.goto(f"{live_server.url}{leave.get_absolute_url()}")
    assert response.status == 200
    expect(heading(page)).to_contain_text("Youth Services Partnership")
    axe(page, "closed partnership on the register")
