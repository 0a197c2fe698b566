"""Drop-downs of people become GOV.UK's accessible autocomplete (static/js/autocomplete.js)."""

import re

import pytest
from playwright.sync_api import expect

from register.models import Partnership, Person
from risks.models import Risk
from tests.factories import PartnershipFactory
from tests.helpers import choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMIRA = "Amira Hassan – Housing Officer"


@pytest.fixture
def add_risk_url(live_server, sponsor):
    partnership = PartnershipFactory(
        name="Homelessness Prevention Forum",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=sponsor,
    )
    Person.objects.create(name="Amira Hassan", job_title="Housing Officer")
    Person.objects.create(name="Tom Reed", job_title="Riverside Housing Association")
    return f"{live_server.url}/partnerships/{partnership.reference}/risks/add/"


def test_an_owner_is_found_by_typing_and_chosen_with_the_keyboard(page, sign_in, axe, add_risk_url):
    sign_in(page, "sponsor")
    page.goto(add_risk_url)
    box = page.get_by_label("Risk owner")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-describedby", re.compile(r"\bid_owner_hint\b"))
    drop_down = page.locator("#id_owner-select")
    expect(drop_down).to_be_hidden()

    # From the field before, by keyboard alone: part of the job title finds the person.
    page.get_by_label("Category").focus()
    page.keyboard.press("Tab")
    expect(box).to_be_focused()
    page.keyboard.type("housing off")
    expect(page.get_by_role("option", name=AMIRA)).to_be_visible()
    expect(page.get_by_role("option", name=re.compile("Tom Reed"))).to_have_count(0)
    axe(page, "risk owner with its matches listed")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value(AMIRA)
    amira = Person.objects.get(name="Amira Hassan")
    expect(drop_down).to_have_value(str(amira.pk))

    # A name that matches no one leaves no one chosen, rather than the earlier choice unseen.
    box.fill("Somebody Else")
    page.keyboard.press("Tab")
    expect(drop_down).to_have_value("")
    page.get_by_role("button", name="Save the risk").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the risk owner")
    box = page.get_by_label("Risk owner")
    expect(box).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    expect(box).to_have_attribute("aria-describedby", re.compile(r"\bid_owner_\d+_error\b"))
    axe(page, "risk owner not chosen")
    assert not Risk.objects.exists()

    # The error summary's link leads to the box, where the person can be chosen again.
    page.locator(".govuk-error-summary").get_by_role("link", name="Select the risk owner").click()
    choose(page, "Risk owner", AMIRA)
    expect(page.locator("#id_owner-select")).to_have_value(str(amira.pk))


def test_a_row_added_in_the_page_has_its_own_autocomplete(page, sign_in, axe, add_risk_url):
    sign_in(page, "sponsor")
    page.goto(add_risk_url)
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    first = page.get_by_role("group", name="Action 1")
    choose(first, "Owner", AMIRA)
    page.get_by_role("button", name="Add another action").click()
    second = page.get_by_role("group", name="Action 2")
    expect(second).to_be_visible()
    assert posts == []  # added by the page's script, not the server
    expect(second.get_by_label("Owner", exact=True)).to_have_value("")
    expect(second.locator(".autocomplete__wrapper")).to_have_count(1)
    choose(second, "Owner", "Tom Reed – Riverside Housing Association")
    tom = Person.objects.get(name="Tom Reed")
    amira = Person.objects.get(name="Amira Hassan")
    expect(page.locator("#id_actions-1-owner-select")).to_have_value(str(tom.pk))
    expect(page.locator("#id_actions-0-owner-select")).to_have_value(str(amira.pk))
    axe(page, "a second action row with its own autocomplete")


def test_without_javascript_the_owner_is_a_plain_drop_down(
    page_without_javascript, sign_in, add_risk_url
):
    page = page_without_javascript
    sign_in(page, "sponsor")
    page.goto(add_risk_url)
    page.get_by_label("Risk owner").select_option(label=AMIRA)
    expect(page.get_by_label("Risk owner")).to_have_value(
        str(Person.objects.get(name="Amira Hassan").pk)
    )
