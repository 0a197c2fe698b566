"""Every role signs in and out in a real browser; the public pages pass axe."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_FIXTURES = ["officer", "sponsor", "democratic_services", "approver", "read_only"]


@pytest.mark.parametrize("role_fixture", ROLE_FIXTURES)
def test_each_role_signs_in_and_out(request, page, live_server, sign_in, axe, role_fixture):
    user = request.getfixturevalue(role_fixture)
    sign_in(page, user.username)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_text(user.get_full_name()).first).to_be_visible()
    expect(page.locator("main")).to_contain_text(user.groups.get().name)
    axe(page, "home page")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next=/")


def test_the_menu_keeps_to_one_line_on_a_laptop_screen(
    page, live_server, sign_in, axe, democratic_services
):
    """Democratic Services have the most sections; the account links have a strip of their own."""
    page.set_viewport_size({"width": 1020, "height": 700})
    sign_in(page, democratic_services.username)
    menu = page.get_by_role("navigation", name="Menu").get_by_role("link")
    expect(menu.last).to_have_text("Admin")
    assert menu.count() >= 6
    tops = {round(link.bounding_box()["y"]) for link in menu.all()}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} lines"
    account = page.get_by_role("navigation", name="Your account")
    expect(account).to_contain_text("Signed in as")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    # By keyboard: the skip link, then the account links, then the service's sections.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(account.get_by_role("link", name="Preferences")).to_be_focused()
    axe(page, "home page at laptop width")


def test_sign_in_page_and_its_errors_pass_axe(page, live_server, axe, officer):
    page.goto(f"{live_server.url}/sign-in/")
    axe(page, "sign-in page")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("officer")
    axe(page, "sign-in page with an error")


def test_accessibility_statement_is_public_and_passes_axe(page, live_server, axe):
    page.goto(f"{live_server.url}/accessibility/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accessibility statement")
    axe(page, "accessibility statement")


def test_the_site_works_by_keyboard_alone(page, live_server, officer):
    page.goto(f"{live_server.url}/sign-in/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    page.get_by_label("Username").focus()
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-test-password-1234")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_error_pages_are_styled_and_pass_axe(page, live_server, sign_in, axe, officer):
    sign_in(page, "officer")
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe(page, "404 page")


def test_password_change_page_passes_axe(page, live_server, sign_in, axe, officer):
    sign_in(page, "officer")
    page.goto(f"{live_server.url}/password/change/")
    axe(page, "password change")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe(page, "password change with errors")
