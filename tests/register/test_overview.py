"""The Democratic Services overview at /overview/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from register.models import OfficerTime, Partnership
from risks.models import Matrix
from tests.factories import (
    ActionFactory,
    DirectorateFactory,
    EscalationFactory,
    FinancialContributionFactory,
    InKindContributionFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    active_partnership,
)
from tests.helpers import assert_queries_fixed
from tests.risks.conftest import four_by_four  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

Status = Partnership.Status
URL = "/overview/"


def days(n):
    return timezone.localdate() + timedelta(days=n)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def overview(user):
    response = client_for(user).get(URL)
    assert response.status_code == 200
    return response


def list_count(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


@pytest.fixture
def register(directorate, other_directorate):
    """Partnerships in several statuses and directorates, with risks, actions and resources."""
    housing = active_partnership(directorate=directorate, next_review_due=days(-5))
    planning = active_partnership(directorate=other_directorate, next_review_due=days(40))
    active_partnership(directorate=other_directorate, next_review_due=days(300))
    PartnershipFactory(status=Status.DRAFT, directorate=directorate)
    PartnershipFactory(status=Status.SUBMITTED, directorate=directorate)
    closed = PartnershipFactory(status=Status.CLOSED, directorate=other_directorate)
    FinancialContributionFactory(
        partnership=housing, amount=Decimal("150000.00"), financial_year=2026
    )
    FinancialContributionFactory(
        partnership=planning, amount=Decimal("1000.50"), financial_year=2025
    )
    FinancialContributionFactory(partnership=closed, amount=Decimal("2000.00"), financial_year=2025)
    InKindContributionFactory(
        partnership=planning, estimated_value=Decimal("300.00"), financial_year=2025
    )
    OfficerTime.objects.create(
        partnership=housing,
        person=PersonFactory(),
        hours_per_month=Decimal("7.5"),
        financial_year=2026,
    )
    draft_money = PartnershipFactory(status=Status.DRAFT, directorate=directorate)
    FinancialContributionFactory(
        partnership=draft_money, amount=Decimal("999.00"), financial_year=2026
    )
    # Risks: actual scores 12 (3x4, the factory's), 25, 2 and a closed one.
    RiskFactory(partnership=housing)
    very_high = RiskFactory(partnership=housing, actual_likelihood=5, actual_impact=5,
                            inherent_likelihood=5, inherent_impact=5)  # fmt: skip
    low = RiskFactory(partnership=planning, actual_likelihood=1, actual_impact=2)
    closed_risk = RiskFactory(partnership=planning, status="closed", closed_on=days(-1),
                              closed_reason="Gone.")  # fmt: skip
    EscalationFactory(risk=very_high)
    EscalationFactory(risk=closed_risk)
    ActionFactory(risk=very_high, estimated_completion=days(-4))
    ActionFactory(risk=low, estimated_completion=days(-1))
    ActionFactory(risk=low, estimated_completion=days(10))
    ActionFactory(risk=closed_risk, estimated_completion=days(-4))
    return {"housing": housing, "planning": planning}


# Who may see it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "sponsor", "approver"])
def test_officers_sponsors_and_approvers_may_not_see_the_overview(role, request):
    assert client_for(request.getfixturevalue(role)).get(URL).status_code == 403


@pytest.mark.parametrize("role", ["democratic_services", "read_only"])
def test_democratic_services_and_read_only_users_see_the_overview_in_their_menu(role, request):
    response = overview(request.getfixturevalue(role))
    assert "Overview" in [item["label"] for item in response.context["nav_items"]]
    assert reverse("register:overview") == URL


def test_officers_have_no_overview_in_their_menu(officer):
    response = client_for(officer).get(reverse("home"))
    assert "Overview" not in [item["label"] for item in response.context["nav_items"]]


# What it shows ----------------------------------------------------------------------------------


def test_partnerships_are_counted_by_status_and_each_count_matches_the_register(
    democratic_services, register
):
    statuses = {row.label: row for row in overview(democratic_services).context["statuses"]}
    assert statuses["Active"].count == 3
    assert statuses["Draft"].count == 2
    assert statuses["Submitted"].count == 1
    assert statuses["Closed"].count == 1
    assert statuses["Rejected"].count == 0
    for row in statuses.values():
        assert list_count(democratic_services, row.url) == row.count


def test_partnerships_are_counted_by_directorate(democratic_services, register, directorate):
    rows = {row["name"]: row for row in overview(democratic_services).context["directorates"]}
    housing = rows["Housing and Wellbeing"]
    assert (housing["total"], housing["in_force"]) == (4, 1)
    assert rows["Planning and Regeneration"]["in_force"] == 2
    assert list_count(democratic_services, housing["url"]) == housing["total"]


def test_significant_partnerships_are_listed_as_the_register_filters_them(
    democratic_services, register
):
    context = overview(democratic_services).context
    assert [p.pk for p in context["significant"]] == [register["housing"].pk]
    url = reverse("register:partnership_list") + "?significant=yes"
    assert list_count(democratic_services, url) == len(context["significant"])


def test_overdue_reviews_are_listed(democratic_services, register):
    reviews = overview(democratic_services).context["reviews"]
    assert [p.pk for p in reviews["overdue"]] == [register["housing"].pk]
    assert list_count(democratic_services, reviews["list_url"]) == reviews["due_count"] == 2


def test_open_risks_are_counted_by_the_band_of_their_actual_score(democratic_services, register):
    matrix = Matrix.load()
    bands = overview(democratic_services).context["bands"]
    expected = {band.name: 0 for band in matrix.bands}
    for score in (12, 25, 2):
        expected[matrix.band_for(score).name] += 1
    assert {row.label: row.count for row in bands} == expected
    for row in bands:
        assert list_count(democratic_services, row.url) == row.count


def test_bands_come_from_the_councils_matrix(democratic_services, register, four_by_four):  # noqa: F811
    response = overview(democratic_services)
    counts = {row.label: row.count for row in response.context["bands"]}
    # The risk scored 25 on the old 5 x 5 matrix is above every band of the 4 x 4 one.
    assert counts == {"Tolerable": 1, "Significant": 0, "Severe": 1, "No band": 1}
    html = response.content.decode()
    for band in Matrix.load().bands:
        assert band.css_class in html


def test_escalated_risks_and_overdue_actions_are_council_wide(democratic_services, register):
    context = overview(democratic_services).context
    escalated = context["escalations"]["escalated"]
    assert [risk.actual_score for risk in escalated] == [25]
    assert list_count(democratic_services, context["escalations"]["escalated_url"]) == 1
    overdue = context["overdue_actions"]
    assert len(overdue["actions"]) == 2
    assert overdue["risk_count"] == list_count(democratic_services, overdue["list_url"]) == 2


def test_resources_are_totalled_by_financial_year_and_directorate(democratic_services, register):
    resources = overview(democratic_services).context["resources"]
    years = {year["label"]: year for year in resources["years"]}
    assert set(years) == {"2025/26", "2026/27"}
    # Each active partnership commits £25,000 in 2026/27 besides (tests.factories).
    assert years["2026/27"]["money"] == Decimal("225000.00")
    assert years["2026/27"]["hours"] == Decimal("7.5")
    assert years["2025/26"]["money"] == Decimal("3000.50")
    assert years["2025/26"]["in_kind"] == Decimal("300.00")
    assert resources["total_money"] == Decimal("228000.50")
    html = overview(democratic_services).content.decode()
    assert "£228,000.50" in html


def test_the_page_has_no_inline_styles_and_charts_have_their_numbers_in_tables(
    democratic_services, register
):
    html = overview(democratic_services).content.decode()
    assert "style=" not in html
    assert 'data-testid="status-table"' in html
    assert 'data-testid="band-table"' in html
    assert "app-bar--100" in html


def test_an_empty_register_shows_the_overview_without_errors(read_only):
    html = overview(read_only).content.decode()
    assert "No resources are recorded" in html
    assert "No partnership is significant" in html


def test_the_overview_runs_a_fixed_number_of_queries(democratic_services, register):
    directorate = DirectorateFactory(name="Finance and Resources")

    def grow():
        for n in range(5):
            partnership = active_partnership(directorate=directorate, next_review_due=days(-n - 1))
            FinancialContributionFactory(partnership=partnership, financial_year=2020 + n)
            risk = RiskFactory(partnership=partnership, actual_likelihood=5, actual_impact=4)
            EscalationFactory(risk=risk)
            ActionFactory(risk=risk, estimated_completion=days(-2))
            InKindContributionFactory(partnership=partnership, financial_year=2021)

    assert_queries_fixed(client_for(democratic_services), URL, grow, most=15)
