"""Rows of a section can be added with or without JavaScript; with it, no round trip is made."""

import pytest
from playwright.sync_api import expect

from register import services
from register.models import Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_two_partners(page):
    first = page.get_by_role("group", name="Partner 1")
    first.get_by_label("Name of organisation").fill("Exampleshire County Council")
    first.get_by_label("Sector").select_option(label="Public")
    page.get_by_role("button", name="Add another partner").click()
    second = page.get_by_role("group", name="Partner 2")
    expect(second).to_be_visible()
    expect(first.get_by_label("Name of organisation")).to_have_value("Exampleshire County Council")
    expect(second.get_by_label("Name of organisation")).to_have_value("")
    second.get_by_label("Name of organisation").fill("Town Centre Traders")
    second.get_by_label("Sector").select_option(label="Private")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answers have been saved")


def test_add_another_copies_a_row_in_the_page_with_javascript(
    page, live_server, sign_in, axe, officer
):
    draft = services.start_registration(author=officer, name="Add Another Partnership")
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/partnerships/{draft.reference}/edit/partners/")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.get_by_role("group", name="Partner 1").get_by_label("Name of organisation").fill("X")
    page.get_by_role("button", name="Add another partner").click()
    second_name = page.get_by_role("group", name="Partner 2").get_by_label("Name of organisation")
    expect(second_name).to_be_focused()
    assert posts == []  # the row was added without asking the server
    axe(page, "partners with a row added by JavaScript")
    page.reload()
    fill_two_partners(page)
    names = Partnership.objects.get(pk=draft.pk).partners.values_list(
        "organisation__name", flat=True
    )
    assert sorted(names) == ["Exampleshire County Council", "Town Centre Traders"]


def test_add_another_works_without_javascript(
    page_without_javascript, live_server, sign_in, officer
):
    draft = services.start_registration(author=officer, name="No Script Partnership")
    page = page_without_javascript
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/partnerships/{draft.reference}/edit/partners/")
    fill_two_partners(page)
    names = Partnership.objects.get(pk=draft.pk).partners.values_list(
        "organisation__name", flat=True
    )
    assert sorted(names) == ["Exampleshire County Council", "Town Centre Traders"]
