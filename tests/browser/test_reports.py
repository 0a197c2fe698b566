"""Democratic Services produce the committee reports in a real browser, on the demo data.

axe checks every page visited.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from register.management.commands.seed_demo import DEMO_PASSWORD
from register.models import current_financial_year, financial_year_label
from tests.helpers import fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Demo partnerships that commit £100,000 or more a year, or involve material service delivery.
DEMO_SIGNIFICANT = [
    "Community Safety Partnership",
    "Homelessness Prevention Forum",
    "Town Centre Partnership",
    "Waste Partnership",
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_democratic_services_open_the_annual_report_for_the_demo_year(
    demo, page, live_server, sign_in, axe
):
    year = financial_year_label(current_financial_year())
    sign_in(page, "democratic", DEMO_PASSWORD)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Annual report on partnerships {year}"
    )
    axe(page, "the annual report, default year")

    page.get_by_label("Financial year").select_option(label=year)
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_url(f"{live_server.url}/reports/annual/?year={year[:4]}")
    significant = page.get_by_role(
        "table", name=f"Significant partnerships and the resources committed in {year}"
    )
    for name in DEMO_SIGNIFICANT:
        expect(significant.get_by_role("rowheader", name=name)).to_be_visible()
        expect(page.get_by_role("heading", level=3, name=name)).to_be_visible()
    expect(significant.get_by_text("Health and Wellbeing Board (district)")).to_have_count(0)
    axe(page, "the annual report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this report as a Word document").click()
    assert download.value.suggested_filename.endswith(".docx")


def test_the_risk_update_passes_axe_and_explains_a_bad_date(demo, page, live_server, sign_in, axe):
    sign_in(page, "democratic", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/risk-update/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Risk update: escalated and very high risks"
    )
    axe(page, "the risk update")

    fill_date(page, "Date of the update", "31/02/2026")
    page.get_by_role("button", name="Show update").click()
    expect(page.get_by_role("alert")).to_contain_text("Date of the update must be a real date")
    axe(page, "the risk update, with an error")

    fill_date(page, "Date of the update", "20/11/2026")
    page.get_by_role("button", name="Show update").click()
    expect(page.locator("main")).to_contain_text("risk registers as at 20 November 2026")
    expect(page.get_by_role("heading", level=2, name="Risks")).to_be_visible()
    expect(page.get_by_role("table", name="Summary")).to_be_visible()
    axe(page, "the risk update for a date")
