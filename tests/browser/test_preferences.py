"""An officer chooses how often they get reminder digests, on a page that passes axe."""

import re

import pytest
from playwright.sync_api import expect

from register.models import Profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_switches_to_a_weekly_digest(page, live_server, sign_in, axe, officer):
    sign_in(page, "officer")
    page.get_by_role("link", name="Preferences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your preferences")
    expect(page.get_by_label("Daily")).to_be_checked()
    expect(page.locator("main")).to_contain_text("cannot be switched off")
    axe(page, "preferences page")

    page.get_by_label("Weekly, on Mondays").check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your preferences have been saved."
    )
    expect(page.get_by_label("Weekly, on Mondays")).to_be_checked()
    axe(page, "preferences page after saving")
    assert Profile.objects.get(user=officer).digest_frequency == "weekly"


def test_a_forged_choice_is_refused_with_an_error_that_passes_axe(
    page, live_server, sign_in, axe, officer
):
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/preferences/")
    page.locator("input[value=off]").evaluate("radio => { radio.value = 'hourly'; }")
    page.get_by_label("Never").check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a valid choice")
    expect(page).to_have_title(re.compile("^Error: Your preferences"))
    axe(page, "preferences page with an error")
    assert Profile.objects.get(user=officer).digest_frequency == "daily"
