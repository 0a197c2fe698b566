"""Committee reports: the annual report on partnerships and the risk update, as HTML and Word."""

import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from register.models import Partnership
from reviews import services as review_services
from tests.factories import (
    ActionFactory,
    EscalationFactory,
    FinancialContributionFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
)
from tests.helpers import FormReader, assert_queries_fixed, date_boxes

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
ANNUAL = reverse("register:report_annual")
ANNUAL_DOCX = reverse("register:report_annual_docx")
RISK_UPDATE = reverse("register:report_risk_update")
RISK_UPDATE_DOCX = reverse("register:report_risk_update_docx")


def as_at(value):
    """The risk update form's query for a date, as the page's form sends it."""
    return date_boxes("date", value)


def significant(name, *, amount=Decimal("150000.00"), year=2026, **kwargs):
    partnership = active_partnership(name=name, **kwargs)
    FinancialContributionFactory(partnership=partnership, amount=amount, financial_year=year)
    return partnership


def complete_review(partnership, by, *, outcome="continue"):
    review = review_services.start_review(partnership=partnership, by=by)
    review.outcome = outcome
    review.outcome_reasons = "Agreed at the committee."
    review.agreed_by = "Cabinet"
    review.agreed_on = review.review_date
    alignments = list(review.alignments.all())
    for alignment in alignments:
        alignment.aligned = "yes"
    return review_services.complete_review(
        review=review, alignments=alignments, by=by, expected_version=review.version
    )


def names_in(report, attribute="significant"):
    return sorted(row.partnership.name for row in getattr(report, attribute))


def open_docx(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    return Document(io.BytesIO(response.content))


def headings(document, style):
    return [p.text for p in document.paragraphs if p.style.name == style]


# The annual report on partnerships ---------------------------------------------------------


@pytest.fixture
def year_of_partnerships(sponsor):
    """Significant partnerships, one not significant, one reviewed last year, one closed."""
    with time_machine.travel(date(2025, 12, 1)):
        reviewed_last_year = significant(
            "Reviewed Last Year", sponsoring_officer=sponsor, year=2025
        )
        complete_review(reviewed_last_year, sponsor)
    with time_machine.travel(TODAY):
        warm_homes = significant("Warm Homes", sponsoring_officer=sponsor)
        complete_review(warm_homes, sponsor)
        leaving = significant("Leaving Partnership", sponsoring_officer=sponsor)
        complete_review(leaving, sponsor, outcome="withdraw")
    services_only = active_partnership(name="Material Service", material_service_delivery=True)
    active_partnership(name="Small Grant Partnership")
    PartnershipFactory(name="Draft Significant", material_service_delivery=True)
    closed = significant("Closed In Year")
    Partnership.objects.filter(pk=closed.pk).update(
        status=Partnership.Status.CLOSED, closed_on=date(2026, 9, 30)
    )
    long_gone = significant("Closed Long Ago", year=2020)
    Partnership.objects.filter(pk=long_gone.pk).update(
        status=Partnership.Status.CLOSED, closed_on=date(2021, 1, 31)
    )
    RepresentationFactory(
        partnership=warm_homes, person=PersonFactory(name="Alex Councillor", kind="councillor")
    )
    RiskFactory(partnership=warm_homes, actual_likelihood=5, actual_impact=5)
    escalated = RiskFactory(partnership=warm_homes, title="Funding gap")
    EscalationFactory(risk=escalated, reported_on=date(2026, 10, 1))
    return {"warm_homes": warm_homes, "services_only": services_only}


@time_machine.travel(TODAY)
def test_the_annual_report_lists_exactly_the_significant_partnerships_of_the_year(
    democratic_client, year_of_partnerships
):
    response = democratic_client.get(ANNUAL, {"year": 2026})

    assert response.status_code == 200
    report = response.context["report"]
    assert names_in(report) == [
        "Closed In Year",
        "Leaving Partnership",
        "Material Service",
        "Reviewed Last Year",
        "Warm Homes",
    ]
    assert "Small Grant Partnership" not in response.text
    assert "Draft Significant" not in response.text


@time_machine.travel(TODAY)
def test_each_significant_partnership_shows_resources_review_risks_and_representatives(
    democratic_client, year_of_partnerships
):
    report = democratic_client.get(ANNUAL, {"year": 2026}).context["report"]
    row = next(r for r in report.significant if r.partnership.name == "Warm Homes")

    # complete_partnership() commits £25,000 for 2026 as well as the £150,000 added here.
    assert row.money == Decimal("175000.00")
    assert row.latest_review.get_outcome_display() == "Continue"
    assert row.open_risks == 2
    assert {band.name: count for band, count in row.band_counts}["Very high"] == 1
    assert [risk.title for risk in row.escalated_risks] == ["Funding gap"]
    assert "Alex Councillor" in [rep.person.name for rep in row.representatives]


@time_machine.travel(TODAY)
def test_the_annual_report_lists_the_partnerships_reviewed_withdrawn_and_closed_in_the_year(
    democratic_client, year_of_partnerships
):
    response = democratic_client.get(ANNUAL, {"year": 2026})
    report = response.context["report"]

    assert sorted(r.partnership.name for r in report.reviewed) == [
        "Leaving Partnership",
        "Warm Homes",
    ]
    assert [r.partnership.name for r in report.withdrawn] == ["Leaving Partnership"]
    assert [p.name for p in report.closed] == ["Closed In Year"]
    assert "30 September 2026" in response.text


@time_machine.travel(TODAY)
def test_last_years_report_has_last_years_review_and_not_this_years(
    democratic_client, year_of_partnerships
):
    report = democratic_client.get(ANNUAL, {"year": 2025}).context["report"]

    assert [r.partnership.name for r in report.reviewed] == ["Reviewed Last Year"]
    assert report.closed == []


@time_machine.travel(TODAY)
def test_the_annual_report_defaults_to_the_current_financial_year(democratic_client, db):
    response = democratic_client.get(ANNUAL)

    assert response.status_code == 200
    assert response.context["report"].year == 2026
    assert "Annual report on partnerships 2026/27" in response.text


@time_machine.travel(TODAY)
def test_the_annual_report_docx_has_headings_and_a_row_per_significant_partnership(
    democratic_client, year_of_partnerships
):
    document = open_docx(democratic_client.get(ANNUAL_DOCX, {"year": 2026}))

    assert headings(document, "Heading 1") == ["Annual report on partnerships 2026/27"]
    assert "Significant partnerships" in headings(document, "Heading 2")
    assert "Partnerships closed in 2026/27" in headings(document, "Heading 2")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Produced on 26 November 2026." in text
    summary = document.tables[0]
    assert [cell.text for cell in summary.rows[0].cells][:2] == ["Reference", "Partnership"]
    names = [row.cells[1].text for row in summary.rows[1:-1]]
    assert sorted(names) == [
        "Closed In Year",
        "Leaving Partnership",
        "Material Service",
        "Reviewed Last Year",
        "Warm Homes",
    ]
    assert summary.rows[-1].cells[0].text == "Total"


@pytest.mark.parametrize("year", ["1999", "twenty", "2026/27", ""])
def test_a_year_not_in_the_list_is_refused_with_a_clear_error(democratic_client, year):
    for url in (ANNUAL, ANNUAL_DOCX):
        response = democratic_client.get(url, {"year": year})

        assert response.status_code == 400
        assert "report" not in response.context
        assert "Select" in response.text
        assert "govuk-error-summary" in response.text


@time_machine.travel(TODAY)
def test_the_annual_report_runs_the_same_queries_for_few_or_many_partnerships(
    democratic_client, year_of_partnerships, sponsor
):
    def grow():
        for number in range(6):
            partnership = significant(f"More {number}", sponsoring_officer=sponsor)
            RepresentationFactory(partnership=partnership)
            risk = RiskFactory(partnership=partnership, actual_likelihood=5, actual_impact=4)
            EscalationFactory(risk=risk)
        complete_review(partnership, sponsor)

    assert_queries_fixed(democratic_client, f"{ANNUAL}?year=2026", grow, most=13)


@time_machine.travel(TODAY)
def test_the_annual_report_docx_runs_the_same_queries_for_few_or_many(
    democratic_client, year_of_partnerships, sponsor
):
    def grow():
        for number in range(6):
            partnership = significant(f"More {number}", sponsoring_officer=sponsor)
            RepresentationFactory(partnership=partnership)

    assert_queries_fixed(democratic_client, f"{ANNUAL_DOCX}?year=2026", grow, most=13)


def test_database_text_is_escaped_in_the_annual_report(democratic_client):
    significant("<script>alert(1)</script> Trust")

    response = democratic_client.get(ANNUAL, {"year": 2026})

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trust" in response.text


def test_database_text_goes_into_the_word_document_as_plain_text(democratic_client):
    significant("<b>Bold</b> & \x0bVertical Tab Trust")

    document = open_docx(democratic_client.get(ANNUAL_DOCX, {"year": 2026}))

    assert document.tables[0].rows[1].cells[1].text == "<b>Bold</b> & Vertical Tab Trust"


# Who may see the reports ------------------------------------------------------------------


@pytest.mark.parametrize("url", [ANNUAL, ANNUAL_DOCX, RISK_UPDATE, RISK_UPDATE_DOCX])
def test_an_officer_may_not_see_the_committee_reports(officer_client, url):
    assert officer_client.get(url).status_code == 403


@pytest.mark.parametrize("url", [ANNUAL, ANNUAL_DOCX, RISK_UPDATE, RISK_UPDATE_DOCX])
def test_read_only_users_may_see_the_committee_reports(read_only_client, url):
    assert read_only_client.get(url).status_code == 200


def test_an_approver_may_read_the_annual_report_but_not_the_risk_update(client, approver):
    client.force_login(approver)

    assert client.get(ANNUAL).status_code == 200
    assert client.get(RISK_UPDATE).status_code == 403


def test_reports_are_in_the_navigation_for_democratic_services_only(
    democratic_client, officer, client
):
    assert 'href="/reports/annual/"' in democratic_client.get(reverse("home")).text
    client.force_login(officer)
    assert 'href="/reports/annual/"' not in client.get(reverse("home")).text


# The risk update ----------------------------------------------------------------------------


@pytest.fixture
def council_risks():
    very_high = RiskFactory(title="Very high risk", actual_likelihood=4, actual_impact=5)
    at_threshold = RiskFactory(title="At the threshold", actual_likelihood=3, actual_impact=5)
    escalated = RiskFactory(title="Escalated medium risk", actual_likelihood=2, actual_impact=4)
    EscalationFactory(risk=escalated, reported_on=TODAY - timedelta(days=10))
    RiskFactory(title="Ordinary high risk", actual_likelihood=3, actual_impact=4)
    RiskFactory(
        title="Closed very high risk",
        actual_likelihood=5,
        actual_impact=5,
        status="closed",
        closed_reason="Resolved.",
        closed_on=TODAY - timedelta(days=1),
    )
    ActionFactory(
        risk=very_high,
        description="Agree a recovery plan",
        owner=PersonFactory(name="Sam Owner"),
        estimated_completion=TODAY - timedelta(days=5),
    )
    ActionFactory(risk=very_high, description="Brief Cabinet", estimated_completion=TODAY)
    return {"very_high": very_high, "at_threshold": at_threshold, "escalated": escalated}


@time_machine.travel(TODAY)
def test_the_risk_update_lists_escalated_and_very_high_risks_with_their_actions(
    democratic_client, council_risks
):
    response = democratic_client.get(RISK_UPDATE, as_at("26/11/2026"))

    assert response.status_code == 200
    report = response.context["report"]
    assert [risk.title for risk in report.risks] == [
        "Very high risk",
        "At the threshold",
        "Escalated medium risk",
    ]
    rows = report.risks[0].action_rows
    assert [(r["action"].description, r["overdue"]) for r in rows] == [
        ("Agree a recovery plan", True),
        ("Brief Cabinet", False),
    ]
    assert "Sam Owner" in response.text
    assert "21 November 2026" in response.text
    assert "Overdue" in response.text


@time_machine.travel(TODAY)
def test_a_risk_closed_after_the_chosen_date_is_in_that_dates_update(
    democratic_client, council_risks
):
    report = democratic_client.get(RISK_UPDATE, as_at("20/11/2026")).context["report"]

    assert report.on == date(2026, 11, 20)
    titles = [risk.title for risk in report.risks]
    assert "Closed very high risk" in titles
    # Reported to the board on 16 November, so escalated by the 20th but not on the 1st.
    assert "Escalated medium risk" in titles
    earlier = democratic_client.get(RISK_UPDATE, as_at("01/11/2026")).context["report"]
    assert "Escalated medium risk" not in [risk.title for risk in earlier.risks]


@time_machine.travel(TODAY)
def test_the_risk_update_defaults_to_today(democratic_client, council_risks):
    report = democratic_client.get(RISK_UPDATE).context["report"]

    assert report.on == TODAY
    assert len(report.risks) == 3


@time_machine.travel(TODAY)
def test_the_risk_update_docx_lists_the_risks_and_their_actions(democratic_client, council_risks):
    document = open_docx(democratic_client.get(RISK_UPDATE_DOCX, as_at("26/11/2026")))

    assert headings(document, "Heading 1") == ["Risk update: escalated and very high risks"]
    assert headings(document, "Heading 2") == ["Summary", "Risks"]
    risk_headings = headings(document, "Heading 3")
    assert len(risk_headings) == 3
    assert risk_headings[0].endswith("Very high risk")
    actions = document.tables[1]
    assert [cell.text for cell in actions.rows[0].cells] == ["Action", "Owner", "Due", "Status"]
    assert [cell.text for cell in actions.rows[1].cells] == [
        "Agree a recovery plan",
        "Sam Owner",
        "21 November 2026",
        "Not started (overdue)",
    ]


@time_machine.travel(TODAY)
def test_the_form_and_the_word_download_keep_the_chosen_date(democratic_client, council_risks):
    page = democratic_client.get(RISK_UPDATE, as_at("20/11/2026")).text
    reader = FormReader()
    reader.feed(page)
    shown = dict(reader.forms[-1]["pairs"])
    assert [shown[f"date_{box}"] for box in range(3)] == ["20", "11", "2026"]
    link = re.search(rf'href="({re.escape(RISK_UPDATE_DOCX)}[^"]*)"', page).group(1)
    document = open_docx(democratic_client.get(html.unescape(link)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "as at 20 November 2026" in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", "Date of the update must be a real date"),
        (("to", "mor", "row"), "Date of the update must be a real date"),
        ("26/11/1066", "Date of the update must be between 1900 and 2200"),
        ("26/11/26", "Date of the update must have a 4-digit year"),
        ("26//2026", "Date of the update must include a month"),
    ],
)
def test_a_date_that_is_not_real_is_refused_with_a_clear_error(democratic_client, value, message):
    for url in (RISK_UPDATE, RISK_UPDATE_DOCX):
        response = democratic_client.get(url, as_at(value))

        assert response.status_code == 400
        assert message in response.text
        assert "govuk-error-summary" in response.text


@time_machine.travel(TODAY)
@pytest.mark.parametrize("url", [RISK_UPDATE, RISK_UPDATE_DOCX])
def test_the_risk_update_runs_the_same_queries_for_few_or_many_risks(
    democratic_client, council_risks, url
):
    def grow():
        owner = UserFactory()
        for _ in range(8):
            risk = RiskFactory(actual_likelihood=5, actual_impact=5, partnership__author=owner)
            ActionFactory(risk=risk)
            ActionFactory(risk=risk)
            EscalationFactory(risk=risk, reported_on=TODAY - timedelta(days=3))

    query = "date_0=26&date_1=11&date_2=2026"
    assert_queries_fixed(democratic_client, f"{url}?{query}", grow, most=6)
