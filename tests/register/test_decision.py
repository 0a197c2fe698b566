import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from register import services
from register.models import ApprovalDecision, Partnership, StatusChange
from tests.factories import complete_partnership

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def decide_url(partnership):
    return reverse("register:partnership_decide", args=[partnership.reference])


def submitted(author, **kwargs):
    partnership = complete_partnership(author=author, **kwargs)
    services.submit(partnership=partnership, by=author)
    partnership.refresh_from_db()
    return partnership


def form_data(**overrides):
    today = timezone.localdate()
    data = {
        "decision": "approved",
        "decision_body": "democratic_services",
        "decided_on_0": str(today.day),
        "decided_on_1": str(today.month),
        "decided_on_2": str(today.year),
        "decision_reference": "Minute 12/26",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_democratic_services_approve_and_it_becomes_active_with_a_review_due_a_year_on(
    client, officer, democratic_services, django_capture_on_commit_callbacks
):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(partnership),
            form_data(decided_on_0="3", decided_on_1="6", decided_on_2="2026"),
        )

    assert response.status_code == 302
    assert response.url == partnership.get_absolute_url()
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.approved_on == date(2026, 6, 3)
    assert partnership.next_review_due == date(2027, 6, 3)
    decision = partnership.decisions.get()
    assert decision.decision_body == ApprovalDecision.Body.DEMOCRATIC_SERVICES
    assert decision.decision_reference == "Minute 12/26"
    assert decision.recorded_by == democratic_services
    assert partnership.status_changes.first().to_status == Status.ACTIVE
    assert len(mail.outbox) == 1
    assert officer.email in mail.outbox[0].to
    assert partnership.sponsoring_officer.email in mail.outbox[0].to
    assert partnership.reference in mail.outbox[0].subject

    page = client.get(response.url).content.decode()
    assert "Decision recorded: approved." in page
    assert "govuk-notification-banner--success" in page


def test_returning_without_a_reason_is_an_error_and_nothing_is_saved(
    client, officer, democratic_services
):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    response = client.post(
        decide_url(partnership),
        form_data(decision="returned", decision_reference="Typed reference"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the reason for returning or rejecting the registration" in html
    assert 'value="Typed reference"' in html, "what was typed is kept"
    partnership.refresh_from_db()
    assert partnership.status == Status.SUBMITTED
    assert not ApprovalDecision.objects.exists()


def test_returning_with_a_reason_sends_it_back_to_the_author(client, officer, democratic_services):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    client.post(
        decide_url(partnership),
        form_data(decision="returned", reason="Add the partners' names."),
    )
    partnership.refresh_from_db()
    assert partnership.status == Status.RETURNED
    assert partnership.status_changes.first().reason == "Add the partners' names."


def test_a_significant_partnership_approved_by_democratic_services_is_refused(
    client, officer, democratic_services
):
    partnership = submitted(officer, material_service_delivery=True)
    client.force_login(democratic_services)
    response = client.post(decide_url(partnership), form_data())

    assert response.status_code == 200
    html = response.content.decode()
    assert "must be approved by Cabinet or the Chief Executive" in html
    assert 'href="#id_decision_body' in html, "the error points at the decision body"
    partnership.refresh_from_db()
    assert partnership.status == Status.SUBMITTED
    assert not ApprovalDecision.objects.exists()
    assert not StatusChange.objects.filter(to_status=Status.ACTIVE).exists()


def test_an_approver_records_cabinets_approval_of_a_significant_partnership(
    client, officer, approver
):
    partnership = submitted(officer, material_service_delivery=True)
    client.force_login(approver)
    page = client.get(decide_url(partnership)).content.decode()
    assert "This is a significant partnership" in page
    assert "It involves material service delivery." in page

    client.post(decide_url(partnership), form_data(decision_body="cabinet"))
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.decisions.get().was_significant


def test_the_sponsoring_officer_may_approve_a_partnership_that_is_not_significant(
    client, officer, sponsor
):
    partnership = submitted(officer, sponsoring_officer=sponsor)
    client.force_login(sponsor)
    client.post(decide_url(partnership), form_data(decision_body="sponsoring_officer"))
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE


def test_the_sponsoring_officer_may_not_decide_a_significant_one(client, officer, sponsor):
    partnership = submitted(officer, sponsoring_officer=sponsor, material_service_delivery=True)
    client.force_login(sponsor)
    assert client.get(decide_url(partnership)).status_code == 403
    assert client.post(decide_url(partnership), form_data()).status_code == 403
    assert not ApprovalDecision.objects.exists()


def test_the_author_cannot_approve_their_own_registration(client, officer):
    partnership = submitted(officer)
    client.force_login(officer)
    assert client.get(decide_url(partnership)).status_code == 403
    response = client.post(decide_url(partnership), form_data())
    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.status == Status.SUBMITTED


def test_a_read_only_user_sees_the_partnership_but_cannot_post_a_decision(
    client, officer, read_only
):
    partnership = submitted(officer)
    client.force_login(read_only)
    assert client.get(partnership.get_absolute_url()).status_code == 200
    assert client.get(decide_url(partnership)).status_code == 403
    assert client.post(decide_url(partnership), form_data()).status_code == 403
    assert not ApprovalDecision.objects.exists()


def test_an_officer_of_another_directorate_gets_404_on_a_drafts_decision_page(
    client, officer, other_officer
):
    draft = complete_partnership(author=officer)
    client.force_login(other_officer)
    assert client.get(decide_url(draft)).status_code == 404
    assert client.post(decide_url(draft), form_data()).status_code == 404


def test_an_officer_of_another_directorate_gets_404_on_a_submitted_ones_decision_page(
    client, officer, other_officer
):
    partnership = submitted(officer)
    client.force_login(other_officer)
    assert client.post(decide_url(partnership), form_data()).status_code == 404


def test_a_partnership_that_is_not_submitted_cannot_be_decided(
    client, officer, democratic_services
):
    draft = complete_partnership(author=officer)
    client.force_login(democratic_services)
    assert client.post(decide_url(draft), form_data()).status_code == 403
    assert not ApprovalDecision.objects.exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date of the decision"),
        (" ", "\t", " ", "Enter the date of the decision"),
        ("1", "", "2026", "Date of decision must include a month"),
        ("31", "2", "2026", "Date of decision must be a real date"),
        ("1", "13", "2026", "Date of decision must be a real date"),
        ("1", "1", "26", "Date of decision must have a 4-digit year"),
        ("1", "1", "99999999999999999999", "Date of decision must have a 4-digit year"),
        ("1", "1", "1899", "Date of decision must be between 1900 and 2200"),
        ("1", "1", "2199", "Date of decision must be today or in the past"),
        ("a", "1", "2026", "Date of decision must be a real date"),
        ("1 000", "1", "2026", "Date of decision must be a real date"),
    ],
)
def test_a_bad_date_is_an_error_not_a_crash(
    client, officer, democratic_services, day, month, year, message
):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    response = client.post(
        decide_url(partnership),
        form_data(decided_on_0=day, decided_on_1=month, decided_on_2=year),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApprovalDecision.objects.exists()


def test_the_error_summary_links_to_the_day_box_and_the_boxes_keep_what_was_typed(
    client, officer, democratic_services
):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    response = client.post(
        decide_url(partnership),
        form_data(decided_on_0="31", decided_on_1="2", decided_on_2="2026"),
    )
    content = response.content.decode()
    assert '<a href="#id_decided_on">Date of decision must be a real date</a>' in content
    day_box = re.search(r'<input [^>]*id="id_decided_on"[^>]*>', content).group(0)
    assert 'name="decided_on_0"' in day_box and 'value="31"' in day_box
    assert re.search(r'<input [^>]*name="decided_on_1" value="2"', content)
    assert re.search(r'<input [^>]*name="decided_on_2" value="2026"', content)


def test_tomorrow_is_in_the_future(client, officer, democratic_services):
    partnership = submitted(officer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(democratic_services)
    response = client.post(
        decide_url(partnership),
        form_data(
            decided_on_0=str(tomorrow.day),
            decided_on_1=str(tomorrow.month),
            decided_on_2=str(tomorrow.year),
        ),
    )
    assert "Date of decision must be today or in the past" in response.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"decision": ""},
        {"decision": "approve<script>"},
        {"decision_body": "the_mayor"},
        {"decision_reference": "x" * 301},
        {"decision": "rejected", "reason": "y" * 5001},
    ],
)
def test_bad_input_is_refused_with_a_message(client, officer, democratic_services, overrides):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    response = client.post(decide_url(partnership), form_data(**overrides))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ApprovalDecision.objects.exists()


def test_the_decision_page_explains_a_partnership_that_is_not_significant(
    client, officer, democratic_services
):
    partnership = submitted(officer)
    client.force_login(democratic_services)
    response = client.get(decide_url(partnership))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Record the decision</h1>' in html
    assert "This partnership is not significant" in html
    assert "Returned for changes" in html
    assert "Chief Executive" in html
