"""Democratic Services keep the register in Django admin, in a real browser under the site's
strict Content-Security-Policy: filter, open, approve through the admin action, and import."""

import pytest
from playwright.sync_api import expect

from register import services
from register.models import ApprovalDecision, Partnership
from tests.factories import CorporatePriorityFactory, complete_partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_LISTENER = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(
    `${event.violatedDirective}: ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def audit(page, axe):
    """Check a page as a person meets it: nothing blocked by the Content-Security-Policy, and
    no axe violations.

    The CSP is checked first, from a listener added before any of the page's own scripts run,
    because axe itself trips the policy while it measures the page.
    """
    page.add_init_script(CSP_LISTENER)

    def check(page, context):
        violations = page.evaluate("window.cspViolations")
        assert violations == [], f"the CSP blocked something on {context}: {violations}"
        axe(page, context)

    return check


def test_democratic_services_approve_and_import_in_admin(
    page,
    live_server,
    sign_in,
    audit,
    democratic_services,
    officer,
    sponsor,
    directorate,
):
    submitted = complete_partnership(
        name="Riverside Regeneration Board", author=officer, sponsoring_officer=sponsor
    )
    services.submit(partnership=submitted, by=officer)
    draft = complete_partnership(name="Allotments Forum", author=officer)
    CorporatePriorityFactory(name="Thriving places")

    sign_in(page, democratic_services.username)
    page.goto(f"{live_server.url}/admin/register/partnership/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Select partnership to change")
    audit(page, "partnership list")

    # Filter to the submitted ones.
    page.locator("#changelist-filter").get_by_role("link", name="Submitted").click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/register/partnership/?status__exact=submitted"
    )
    results = page.locator("#result_list")
    expect(results).to_contain_text("Riverside Regeneration Board")
    expect(results).not_to_contain_text(draft.name)
    audit(page, "filtered partnership list")

    # Open it; the sponsoring officer autocomplete answers under the CSP.
    page.get_by_role("link", name=submitted.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change partnership")
    expect(page.get_by_label("Name of partnership:")).to_have_value("Riverside Regeneration Board")
    page.locator("#id_sponsoring_officer + .select2").click()
    page.locator(".select2-search__field").fill("spons")
    expect(page.locator(".select2-results__option").first).to_contain_text("sponsor")
    page.keyboard.press("Escape")
    audit(page, "partnership change form")

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of")
    expect(page.locator("main")).to_contain_text("Submitted")
    audit(page, "partnership history")

    # Approve it through the admin action, with a decision reference.
    page.goto(f"{live_server.url}/admin/register/partnership/?status__exact=submitted")
    page.get_by_role("row", name=submitted.reference).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Approve selected partnerships")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve selected partnerships")
    audit(page, "approve selected partnerships")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".errornote")).to_contain_text("Select the decision body")
    audit(page, "approve selected partnerships with an error")
    page.get_by_label("Decision body:").select_option(label="Democratic Services")
    page.get_by_label("Decision reference:").fill("DS/2026/042")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text(f"{submitted.reference}")
    expect(page.locator(".messagelist")).to_contain_text("approved")
    audit(page, "partnership list after approval")
    decision = ApprovalDecision.objects.get(partnership=submitted)
    assert decision.decision_reference == "DS/2026/042"
    submitted.refresh_from_db()
    assert submitted.status == Partnership.Status.ACTIVE

    # Import a CSV: preview, then confirm.
    page.goto(f"{live_server.url}/admin/register/partnership/")
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    audit(page, "import page")
    csv_text = (
        "Reference,Name of partnership,Status,Lead directorate,Lead organisation,"
        "Corporate Plan priorities,Start date\n"
        ",Town Centre Business Improvement District,Active,Housing and Wellbeing,"
        "Exampleshire BID Ltd,Thriving places,01/04/2026\n"
    )
    page.get_by_label("File to import:").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_label("Format:").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()
    preview = page.locator("table.import-preview")
    expect(preview).to_contain_text("Town Centre Business Improvement District")
    expect(preview).to_contain_text("Add")
    audit(page, "import preview")
    assert not Partnership.objects.filter(name__startswith="Town Centre").exists()

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messagelist")).to_contain_text("Import finished: 1 added")
    audit(page, "partnership list after import")
    imported = Partnership.objects.get(name="Town Centre Business Improvement District")
    assert imported.author == democratic_services
    assert imported.partners.get().organisation.name == "Exampleshire BID Ltd"


def test_an_import_with_a_bad_row_shows_each_error_and_passes_axe(
    page, live_server, sign_in, audit, democratic_services, directorate
):
    sign_in(page, democratic_services.username)
    page.goto(f"{live_server.url}/admin/register/partnership/import/")
    csv_text = (
        "Reference,Name of partnership,Lead directorate,Start date,End date\n"
        ",Good row,Housing and Wellbeing,01/04/2026,\n"
        ",Bad row,Housing and Wellbeing,01/04/2026,31/03/2026\n"
    )
    page.get_by_label("File to import:").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_label("Format:").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()

    errors = page.locator("table.app-import-errors")
    expect(page.locator(".errornote")).to_contain_text("Nothing has been imported")
    expect(errors.get_by_role("row")).to_have_count(2)
    expect(errors).to_contain_text("Row 3")
    expect(errors).to_contain_text("End date")
    expect(errors).to_contain_text("The end date cannot be before the start date")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    audit(page, "import with errors")
    assert not Partnership.objects.exists()
