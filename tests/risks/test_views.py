"""Risk register pages: what people see, what they may do, and what bad input gets them."""

import re
from datetime import date, timedelta
from io import BytesIO

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partnerships_site.dates import add_months
from register import roles
from register.models import Partnership
from risks.models import Action, Control, Escalation, Risk, RiskReview, ScoreBand
from tests.factories import (
    ActionFactory,
    ControlFactory,
    EscalationFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
)
from tests.helpers import FormReader, date_boxes, split_dates, today

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"risks:{name}", args=args)


@pytest.fixture
def sponsor_client(client, sponsor):
    client.force_login(sponsor)
    return client


@pytest.fixture
def risk(partnership, owner):
    return RiskFactory(partnership=partnership, owner=owner, title="Funding withdrawn")


def risk_data(owner, /, **overrides):
    """A complete post of the risk form: no controls or actions unless added."""
    data = {
        "title": "Loss of a key partner",
        "category": "governance",
        "cause": "A partner's board reviews its commitments.",
        "event": "The partner leaves the partnership.",
        "impact": "Services to rough sleepers stop.",
        "owner": owner.pk,
        "raised_on": today() - timedelta(days=5),
        "inherent": "4-5",
        "actual": "3-4",
        "residual": "2-3",
        "controls-TOTAL_FORMS": "0",
        "controls-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    return split_dates(data) | split_dates(overrides)


def row(prefix, index, owner, **fields):
    values = {"description": f"{prefix} {index}", "owner": owner.pk, "status": "not_started"}
    values.update(fields)
    return split_dates({f"{prefix}-{index}-{key}": value for key, value in values.items()})


# The partnership's risk register ----------------------------------------------------------------


def test_the_register_lists_risks_by_actual_score_with_band_names(officer_client, partnership):
    low = RiskFactory(partnership=partnership, title="Low one", actual_likelihood=1,
                      actual_impact=2)  # fmt: skip
    high = RiskFactory(partnership=partnership, title="High one", actual_likelihood=4,
                       actual_impact=4)  # fmt: skip
    RiskFactory(title="Another partnership's risk")
    response = officer_client.get(url("risk_list", partnership.reference))
    assert response.status_code == 200
    assert [risk.pk for risk in response.context["open_risks"]] == [high.pk, low.pk]
    page = response.content.decode()
    assert "16 Very high" in page and "2 Low" in page and "20 Very high" in page
    assert "Another partnership&#x27;s risk" not in page
    assert "For the Partnership Board: not yet reported" in page
    assert "Add a risk" not in page  # an officer reads, but does not manage
    for file_format in ("csv", "xlsx"):
        download = url("risk_board_paper_export", partnership.reference, file_format)
        assert f'href="{download}"' in page


def test_an_empty_risk_register_offers_no_download(officer_client, partnership):
    page = officer_client.get(url("risk_list", partnership.reference)).content.decode()
    assert "Download the open risks" not in page
    # The links themselves, which the test above finds when there are open risks.
    for file_format in ("csv", "xlsx"):
        assert url("risk_board_paper_export", partnership.reference, file_format) not in page


def test_the_sponsor_sees_add_a_risk_and_overdue_flags(sponsor_client, partnership):
    RiskFactory(partnership=partnership, next_review_due=today() - timedelta(days=1))
    ActionFactory(risk__partnership=partnership, estimated_completion=today() - timedelta(days=2))
    page = sponsor_client.get(url("risk_list", partnership.reference)).content.decode()
    assert "Add a risk" in page
    assert "Review overdue" in page
    assert "1 overdue" in page


def test_band_css_comes_from_the_score_band_rows(client):
    band = ScoreBand.objects.get(name="High")
    band.colour = "#123456"
    band.text_colour = "#ffffff"
    band.save()
    response = client.get(url("band_css"))
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert f".app-risk-band.app-risk-band--{band.pk} {{" in css
    assert "background-color: #123456;" in css
    assert "#f47738" not in css


def test_pages_link_the_band_stylesheet_and_never_style_inline(officer_client, risk):
    page = officer_client.get(url("risk_detail", risk.partnership.reference, "R1")).content
    assert reverse("risks:band_css").encode() in page
    assert b"style=" not in page


def test_the_risk_page_shows_cause_event_impact_scores_and_mitigations(officer_client, risk):
    ControlFactory(risk=risk, description="Quarterly funding review")
    ActionFactory(risk=risk, description="Agree a three-year funding plan")
    response = officer_client.get(url("risk_detail", risk.partnership.reference, risk.reference))
    page = response.content.decode()
    for text in [
        "Partners&#x27; budgets are under pressure.",
        "A partner withdraws its funding.",
        "The service to residents is cut back.",
        "20 Very high",
        "12 High",
        "6 Medium",
        "Quarterly funding review",
        "Agree a three-year funding plan",
        "Not yet reviewed",
    ]:
        assert text in page, text
    assert "Record a review" not in page


def test_the_risk_page_warns_when_actual_is_above_inherent(officer_client, partnership):
    risk = RiskFactory(partnership=partnership, actual_likelihood=5, actual_impact=5)
    page = officer_client.get(url("risk_detail", partnership.reference, risk.reference))
    assert "The actual score is higher than the inherent score" in page.content.decode()


# A risk's history of changes --------------------------------------------------------------------


def retitle(risk, times):
    """Retitle the risk `times` times ("Retitled 0" first), each a recorded change."""
    for number in range(times):
        Risk.objects.filter(pk=risk.pk).update(title=f"Retitled {number}")


def history_path(risk, page=None):
    path = url("risk_history", risk.partnership.reference, risk.reference)
    return f"{path}?page={page}" if page is not None else path


def test_the_risk_history_says_who_changed_what_when_from_what_to_what(
    officer_client, risk, sponsor
):
    with pghistory.context(user=sponsor.pk):
        risk.title = "Funding withdrawn mid-year"
        risk.save()

    response = officer_client.get(history_path(risk))

    assert response.status_code == 200
    newest, created = response.context["history"]
    assert (newest.what, newest.record, newest.who) == (
        "Changed",
        f"Risk: {risk.reference}",
        sponsor.get_full_name(),
    )
    assert ("Risk title", "Funding withdrawn", "Funding withdrawn mid-year") in [
        (change.field, change.before, change.after) for change in newest.changes
    ]
    assert created.what == "Created"
    page = response.content.decode()
    heading = f"History of changes: {risk.reference} Funding withdrawn mid-year"
    assert f"<title>{heading} – {risk.partnership.reference} – " in page
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page
    assert f"{timezone.localtime(newest.when):%-d %B %Y, %H:%M}</time> by" in page
    assert f'href="{risk.get_absolute_url()}">{risk.reference}</a>' in page  # breadcrumbs


def test_the_risk_page_shows_the_latest_10_changes_and_links_to_every_change(officer_client, risk):
    retitle(risk, 15)

    response = officer_client.get(url("risk_detail", risk.partnership.reference, risk.reference))

    assert [entry.changes[0].after for entry in response.context["history"]] == [
        f"Retitled {number}" for number in range(14, 4, -1)
    ]
    page = response.content.decode()
    # The oldest change shown retitled it from "Retitled 4" to "Retitled 5"; the one before is not.
    assert "Retitled 3<" not in page
    assert (
        f'<a class="govuk-link" href="{history_path(risk)}">See every change to this risk</a>'
        in page
    )


def test_every_change_to_a_risk_is_on_a_page_the_oldest_on_the_last(officer_client, risk):
    retitle(risk, 120)

    pages = [officer_client.get(history_path(risk, number)) for number in (1, 2, 3)]

    titles = [
        change.after
        for page in pages
        for entry in page.context["history"]
        for change in entry.changes
        if entry.what == "Changed" and change.field == "Risk title"
    ]
    assert titles == [f"Retitled {number}" for number in reversed(range(120))]
    assert pages[0].context["page_obj"].paginator.num_pages == 3
    assert pages[2].context["history"][-1].what == "Created"
    assert "Page 3 of 3." in pages[2].content.decode()


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", 1), ("", 1), ("0", 2), ("-1", 2), ("99999", 2), ("2", 2)]
)
def test_a_page_of_a_risks_history_that_is_not_a_page_shows_the_first_or_last(
    officer_client, risk, page, shown
):
    """As on the register: not a number shows the first page, out of range the last."""
    retitle(risk, 60)
    response = officer_client.get(history_path(risk, page))
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_a_risks_history_cannot_be_posted_to(officer_client, risk):
    assert officer_client.post(history_path(risk)).status_code == 405


# Who may see what ------------------------------------------------------------------------------


def test_another_partnerships_risk_in_the_url_is_not_found(officer_client, partnership):
    elsewhere = RiskFactory()
    RiskFactory(partnership=elsewhere.partnership)  # R2 exists only over there
    for path in [
        url("risk_detail", partnership.reference, "R2"),
        url("risk_history", partnership.reference, "R2"),
        url("risk_update", partnership.reference, "R2"),
        url("riskreview_create", partnership.reference, "R1"),
    ]:
        assert officer_client.get(path).status_code == 404


def test_another_risks_action_in_the_url_is_not_found(sponsor_client, risk):
    other = ActionFactory()
    path = url("action_update", risk.partnership.reference, risk.reference, other.pk)
    assert sponsor_client.get(path).status_code == 404
    huge = url("action_update", risk.partnership.reference, risk.reference, 10**30)
    assert sponsor_client.get(huge).status_code == 404


def test_a_drafts_risks_are_not_found_for_officers_not_involved(officer_client):
    draft = PartnershipFactory(status=Partnership.Status.DRAFT)
    risk = RiskFactory(partnership=draft)
    for path in [
        url("risk_list", draft.reference),
        url("risk_detail", draft.reference, risk.reference),
        url("risk_history", draft.reference, risk.reference),
        url("risk_heat_map", draft.reference),
        url("risk_board_paper", draft.reference),
    ]:
        assert officer_client.get(path).status_code == 404
    assert risk.title not in officer_client.get(url("risk_council_list")).content.decode()


def test_readers_are_refused_the_forms(officer_client, read_only, client, risk):
    reference = risk.partnership.reference
    paths = [
        url("risk_create", reference),
        url("risk_update", reference, risk.reference),
        url("risk_close", reference, risk.reference),
        url("riskreview_create", reference, risk.reference),
        url("escalation_create", reference, risk.reference),
    ]
    for path in paths:
        assert officer_client.get(path).status_code == 403
        assert officer_client.post(path, {"closed_reason": "x"}).status_code == 403
    client.force_login(read_only)
    for path in paths:
        assert client.post(path, {"closed_reason": "x"}).status_code == 403
    risk.refresh_from_db()
    assert risk.status == "open"


# Adding and changing a risk --------------------------------------------------------------------


def test_the_sponsor_adds_a_risk_with_controls_and_actions(sponsor_client, partnership, owner,
                                                           person):  # fmt: skip
    data = risk_data(owner)
    data.update({"controls-TOTAL_FORMS": "1", "actions-TOTAL_FORMS": "2"})
    data.update(row("controls", 0, person, status="in_progress"))
    data.update(row("actions", 0, owner, estimated_completion=today() + timedelta(days=30)))
    data.update(row("actions", 1, person, estimated_completion=today() + timedelta(days=60)))
    response = sponsor_client.post(url("risk_create", partnership.reference), data)
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == risk.get_absolute_url()
    assert risk.reference == "R1"
    assert (risk.cause, risk.event, risk.impact) == (
        "A partner's board reviews its commitments.",
        "The partner leaves the partnership.",
        "Services to rough sleepers stop.",
    )
    assert [risk.inherent_likelihood, risk.inherent_impact, risk.actual_likelihood,
            risk.actual_impact, risk.residual_likelihood, risk.residual_impact] == [
        4, 5, 3, 4, 2, 3]  # fmt: skip
    assert risk.next_review_due == add_months(today() - timedelta(days=5), 3)
    assert Control.objects.get().owner == person
    assert list(risk.actions.order_by("estimated_completion").values_list("owner", flat=True)) == [
        owner.pk,
        person.pk,
    ]


def test_a_new_risk_form_offers_one_blank_control_and_action(sponsor_client, partnership):
    response = sponsor_client.get(url("risk_create", partnership.reference))
    assert response.status_code == 200
    assert len(response.context["controls"].forms) == 1
    assert len(response.context["actions"].forms) == 1
    page = response.content.decode()
    assert "Likelihood 4 Likely, impact 5 Critical: score </span>20 Very high" in page
    assert 'id="id_inherent"' in page


def test_add_another_shows_one_more_row_and_saves_nothing(sponsor_client, partnership, owner):
    data = risk_data(owner, title="", add="actions")
    data.update({"actions-TOTAL_FORMS": "1"})
    data.update(row("actions", 0, owner, estimated_completion=today()))
    response = sponsor_client.post(url("risk_create", partnership.reference), data)
    assert response.status_code == 200
    assert len(response.context["actions"].forms) == 2
    assert response.context["errors"] == []
    page = response.content.decode()
    assert "There is a problem" not in page
    assert "Enter the risk title" not in page
    assert "actions 0" in page  # what was typed is kept
    assert not Risk.objects.exists()


@pytest.mark.parametrize("score", ["0-3", "6-1", "3-0", "abc", "4-5-6", "", "3-"])
def test_a_score_off_the_matrix_is_refused_with_a_clear_error(sponsor_client, partnership, owner,
                                                               score):  # fmt: skip
    response = sponsor_client.post(
        url("risk_create", partnership.reference), risk_data(owner, actual=score)
    )
    assert response.status_code == 200
    assert "Choose the actual score on the risk matrix" in response.content.decode()
    assert ("#id_actual", "Choose the actual score on the risk matrix") in response.context[
        "errors"
    ]
    assert not Risk.objects.exists()


def test_forged_score_fields_are_ignored(sponsor_client, partnership, owner):
    data = risk_data(owner, actual_likelihood="5", actual_impact="5", reference="R99",
                     version="1", next_review_due="01/01/2000")  # fmt: skip
    sponsor_client.post(url("risk_create", partnership.reference), data)
    risk = Risk.objects.get()
    assert (risk.actual_likelihood, risk.actual_impact, risk.reference) == (3, 4, "R1")
    assert risk.next_review_due != date(2000, 1, 1)


def test_a_residual_score_above_the_inherent_is_refused(sponsor_client, partnership, owner):
    response = sponsor_client.post(
        url("risk_create", partnership.reference),
        risk_data(owner, inherent="2-2", actual="2-2", residual="3-3"),
    )
    assert "The residual score (9) cannot be higher than the inherent score (4)" in (
        response.content.decode()
    )
    assert not Risk.objects.exists()


def test_actual_above_inherent_is_saved_with_a_warning(sponsor_client, partnership, owner):
    response = sponsor_client.post(
        url("risk_create", partnership.reference),
        risk_data(owner, inherent="2-2", actual="4-4", residual="1-1"),
        follow=True,
    )
    assert Risk.objects.exists()
    assert "The actual score is higher than the inherent score" in response.content.decode()


def test_an_action_due_before_the_risk_was_raised_is_refused(sponsor_client, partnership, owner):
    data = risk_data(owner, raised_on=today() - timedelta(days=5), **{"actions-TOTAL_FORMS": "1"})
    data.update(row("actions", 0, owner, estimated_completion=today() - timedelta(days=6)))
    response = sponsor_client.post(url("risk_create", partnership.reference), data)
    assert response.status_code == 200
    assert (
        "#id_actions-0-estimated_completion",
        "Action 1: Estimated completion date cannot be before the date the risk was raised",
    ) in response.context["errors"]
    assert not Risk.objects.exists()
    assert not Action.objects.exists()


def test_missing_and_impossible_answers_get_clear_errors(sponsor_client, partnership, owner):
    data = risk_data(owner, title="", cause="", category="made-up",
                     **date_boxes("raised_on", "31/02/2026"),
                     **{"actions-TOTAL_FORMS": "1", "owner": "999999"})  # fmt: skip
    data.update(
        row("actions", 0, owner, status="complete", **date_boxes("estimated_completion", ""))
    )
    response = sponsor_client.post(url("risk_create", partnership.reference), data)
    messages = [message for _, message in response.context["errors"]]
    assert "Enter the risk title" in messages
    assert "Enter the cause: what could make the risk happen" in messages
    assert "Date raised must be a real date" in messages
    assert "Select the risk owner" in messages
    assert "Select the category" in messages
    assert "Action 1: Enter the estimated completion date" in messages
    assert not Risk.objects.exists()


def test_a_forged_control_id_is_refused_and_nothing_is_saved(sponsor_client, risk, owner):
    someone_elses = ControlFactory(description="Someone else's control")
    data = risk_data(owner, version="1", **{"controls-TOTAL_FORMS": "1",
                                            "controls-INITIAL_FORMS": "1"})  # fmt: skip
    data.update(row("controls", 0, owner, id=str(someone_elses.pk), description="Hijacked"))
    response = sponsor_client.post(url("risk_update", risk.partnership.reference, "R1"), data)
    assert response.status_code == 200
    messages = [message for _, message in response.context["errors"]]
    assert (
        "Control 1: This control is not one of this risk's controls. Reload the page and try again."
        in messages
    )
    someone_elses.refresh_from_db()
    assert someone_elses.description == "Someone else's control"
    risk.refresh_from_db()
    assert risk.title == "Funding withdrawn"


@pytest.mark.parametrize("total", ["abc", "-1", "5000", ""])
def test_tampered_row_counts_never_cause_an_error_page(sponsor_client, partnership, owner, total):
    data = risk_data(owner, **{"actions-TOTAL_FORMS": total})
    response = sponsor_client.post(url("risk_create", partnership.reference), data)
    assert response.status_code in (200, 302)
    response = sponsor_client.post(
        url("risk_create", partnership.reference), {**data, "add": "actions"}
    )
    assert response.status_code == 200


def test_editing_a_risk_changes_it_and_its_rows(sponsor_client, risk, owner, person):
    control = ControlFactory(risk=risk, owner=person)
    data = risk_data(owner, title="Funding cut by half", version="1", **{
        "controls-TOTAL_FORMS": "1", "controls-INITIAL_FORMS": "1"})  # fmt: skip
    data.update(row("controls", 0, person, id=str(control.pk), description="Monthly check",
                    status="in_progress"))  # fmt: skip
    response = sponsor_client.post(url("risk_update", risk.partnership.reference, "R1"), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    control.refresh_from_db()
    assert (risk.title, risk.version, control.description) == (
        "Funding cut by half",
        2,
        "Monthly check",
    )


def test_a_second_save_of_the_same_version_is_refused_clearly(sponsor_client, risk, owner):
    path = url("risk_update", risk.partnership.reference, "R1")
    first = sponsor_client.post(path, risk_data(owner, title="First change", version="1"))
    assert first.status_code == 302
    second = sponsor_client.post(path, risk_data(owner, title="Second change", version="1"))
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else saved this risk after you opened it" in page
    assert 'value="Second change"' in page
    risk.refresh_from_db()
    assert risk.title == "First change"


def test_the_risk_owner_may_edit_their_risk(client, owner_user, risk, owner):
    client.force_login(owner_user)
    path = url("risk_update", risk.partnership.reference, "R1")
    assert client.get(path).status_code == 200
    response = client.post(path, risk_data(owner, title="Owner's wording", version="1"))
    assert response.status_code == 302


# Reviews, closing, escalation and action progress -----------------------------------------------


def test_the_risk_owner_records_a_review(client, owner_user, risk):
    client.force_login(owner_user)
    path = url("riskreview_create", risk.partnership.reference, "R1")
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            **date_boxes("reviewed_on", today()),
            "inherent": "4-5",
            "actual": "4-4",
            "residual": "2-3",
            "notes": "Partner confirmed cuts.",
            "version": "1",
        },
        follow=True,
    )
    review = RiskReview.objects.get()
    risk.refresh_from_db()
    assert (review.reviewer, review.actual_likelihood, review.actual_impact) == (owner_user, 4, 4)
    assert risk.next_review_due == add_months(today(), 1)
    assert "Next review due" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actual", "6-6", "Choose the actual score on the risk matrix"),
        ("residual", "5-5", "cannot be higher than the inherent score"),
        ("reviewed_on", "tomorrow", "Date of review must be today or in the past"),
        ("reviewed_on", "//", "Enter the date of review"),
        ("reviewed_on", "1//", "Date of review must include a month and year"),
        ("reviewed_on", "1/1/", "Date of review must include a year"),
        ("reviewed_on", "31/02/2026", "Date of review must be a real date"),
        ("reviewed_on", "1/13/2026", "Date of review must be a real date"),
        ("reviewed_on", ("one", "1", "2026"), "Date of review must be a real date"),
        ("reviewed_on", ("1", "1", "-2026"), "Date of review must be a real date"),
        ("reviewed_on", "1/1/26", "Date of review must have a 4-digit year"),
        ("reviewed_on", "01/01/2999", "Date of review must be between 1900 and 2200"),
        ("reviewed_on", "01/01/1899", "Date of review must be between 1900 and 2200"),
    ],
)
def test_a_bad_review_is_refused_clearly(sponsor_client, risk, field, value, message):
    data = {**date_boxes("reviewed_on", today()), "inherent": "4-5", "actual": "3-4",
            "residual": "2-3"}  # fmt: skip
    if value == "tomorrow":  # worked out when the test runs, not when the module is imported
        value = today() + timedelta(days=1)
    data.update(date_boxes(field, value) if field == "reviewed_on" else {field: value})
    response = sponsor_client.post(url("riskreview_create", risk.partnership.reference, "R1"),
                                   {**data, "version": "1"})  # fmt: skip
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RiskReview.objects.exists()


@pytest.mark.parametrize(
    ("typed", "link", "message"),
    [
        (("31", "2", "2026"), "#id_reviewed_on", "Date of review must be a real date"),
        (("", "2", "2026"), "#id_reviewed_on", "Date of review must include a day"),
        (("1", "13", "2026"), "#id_reviewed_on_1", "Date of review must be a real date"),
        (("1", "2", "26"), "#id_reviewed_on_2", "Date of review must have a 4-digit year"),
    ],
)
def test_a_review_date_error_links_to_its_box_and_keeps_what_was_typed(
    sponsor_client, risk, typed, link, message
):
    data = {**date_boxes("reviewed_on", typed), "inherent": "4-5", "actual": "3-4",
            "residual": "2-3", "version": "1"}  # fmt: skip
    response = sponsor_client.post(url("riskreview_create", risk.partnership.reference, "R1"), data)
    page = response.content.decode()
    assert f'<a href="{link}">{message}</a>' in page
    assert re.search(r'<input [^>]*name="reviewed_on_0"[^>]*id="id_reviewed_on"', page)
    reader = FormReader()
    reader.feed(page)
    kept = dict(reader.forms[-1]["pairs"])
    assert tuple(kept[f"reviewed_on_{box}"] for box in range(3)) == typed


def test_the_risk_form_shows_the_stored_dates_in_their_three_boxes(sponsor_client, risk):
    risk.raised_on = date(2026, 3, 9)
    risk.save(update_fields=["raised_on"])
    ActionFactory(risk=risk, estimated_completion=date(2026, 12, 31))
    reader = FormReader()
    reader.feed(sponsor_client.get(url("risk_update", risk.partnership.reference, "R1")).text)
    shown = dict(max(reader.forms, key=lambda form: len(form["pairs"]))["pairs"])
    assert [shown[f"raised_on_{box}"] for box in range(3)] == ["9", "3", "2026"]
    assert [shown[f"actions-0-estimated_completion_{box}"] for box in range(3)] == [
        "31",
        "12",
        "2026",
    ]
    assert [shown[f"actions-0-completed_on_{box}"] for box in range(3)] == ["", "", ""]


def test_an_out_of_date_review_is_refused(sponsor_client, risk):
    data = {**date_boxes("reviewed_on", today()), "inherent": "4-5", "actual": "3-4",
            "residual": "2-3"}  # fmt: skip
    path = url("riskreview_create", risk.partnership.reference, "R1")
    for version in ["0", "", "x"]:
        response = sponsor_client.post(path, {**data, "version": version})
        assert response.status_code == 409
        assert "Someone else saved this risk" in response.content.decode()
    assert not RiskReview.objects.exists()


def test_the_sponsor_closes_a_risk_with_a_reason(sponsor_client, risk):
    path = url("risk_close", risk.partnership.reference, "R1")
    response = sponsor_client.post(path, {"closed_reason": "", "version": "1"})
    assert "Enter why the risk is being closed" in response.content.decode()
    response = sponsor_client.post(path, {"closed_reason": "Funding secured.", "version": "1"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.closed_reason) == ("closed", "Funding secured.")
    assert sponsor_client.get(url("risk_update", risk.partnership.reference, "R1")).status_code == (
        403
    )


def test_the_sponsor_records_a_report_to_the_board(sponsor_client, sponsor, risk):
    path = url("escalation_create", risk.partnership.reference, "R1")
    response = sponsor_client.post(
        path,
        {
            **date_boxes("reported_on", today()),
            "board_meeting": "Partnership Board, 12 January 2027",
            "board_response": "action_directed",
            "note": "Find another funder.",
        },
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert (escalation.risk, escalation.recorded_by, escalation.board_response) == (
        risk,
        sponsor,
        "action_directed",
    )


def test_a_bad_report_to_the_board_is_refused(sponsor_client, risk):
    path = url("escalation_create", risk.partnership.reference, "R1")
    response = sponsor_client.post(
        path,
        {**date_boxes("reported_on", today() + timedelta(days=1)), "board_response": "ignored"},
    )
    page = response.content.decode()
    assert "Date reported must be today or in the past" in page
    assert "Select the board&#x27;s response" in page
    assert "Enter the board meeting" in page
    assert not Escalation.objects.exists()


def test_the_action_owner_marks_their_action_complete(client, risk):
    action_user = UserFactory(role=roles.OFFICER)
    action = ActionFactory(risk=risk, owner=PersonFactory(user=action_user))
    client.force_login(action_user)
    path = url("action_update", risk.partnership.reference, "R1", action.pk)
    response = client.post(path, {"status": "complete", "progress_note": "Done."})
    assert "Enter the date it was completed." in response.content.decode()
    response = client.post(
        path,
        {"status": "complete", "progress_note": "Done.", **date_boxes("completed_on", today())},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.progress_note) == (
        "complete",
        today(),
        "Done.",
    )
    other = ActionFactory(risk=risk)
    other_path = url("action_update", risk.partnership.reference, "R1", other.pk)
    assert client.get(other_path).status_code == 403


def test_garbage_posts_never_cause_an_error_page(sponsor_client, risk):
    reference = risk.partnership.reference
    action = ActionFactory(risk=risk)
    garbage = {
        **date_boxes("reviewed_on", "99/99/99999999999"),
        **date_boxes("raised_on", "1/1/1"),
        "actual": "9999999999999999999-1",
        "inherent": ["1-1", "2-2"],
        "owner": "-1",
        "version": "¹²³",
        "status": "finished",
        **date_boxes("completed_on", "31/12/99999"),
        **date_boxes("reported_on", ("x", "\t", " ")),
        **date_boxes("controls-0-estimated_completion", ("-1", "1e9", "२०२६")),
        "board_response": "",
        "controls-TOTAL_FORMS": "1",
        "controls-INITIAL_FORMS": "1",
        "controls-0-id": "not-a-number",
        "actions-TOTAL_FORMS": "x",
    }
    for path in [
        url("risk_create", reference),
        url("risk_update", reference, "R1"),
        url("riskreview_create", reference, "R1"),
        url("risk_close", reference, "R1"),
        url("escalation_create", reference, "R1"),
        url("action_update", reference, "R1", action.pk),
    ]:
        response = sponsor_client.post(path, garbage)
        assert response.status_code in (200, 409), path
    assert Risk.objects.count() == 1


# Heat map ---------------------------------------------------------------------------------------


def test_the_heat_map_counts_risks_in_the_right_cells(officer_client, partnership):
    RiskFactory(partnership=partnership)  # inherent 4x5, actual 3x4, residual 2x3
    RiskFactory(partnership=partnership, actual_likelihood=3, actual_impact=4)
    RiskFactory(partnership=partnership, actual_likelihood=1, actual_impact=1)
    RiskFactory(partnership=partnership, status="closed", closed_reason="Gone", closed_on=today())
    response = officer_client.get(url("risk_heat_map", partnership.reference) + "?score=actual")
    heat_map = response.context["heat_map"]
    counts = {
        (cell.score.likelihood.value, cell.score.impact.value): cell.count
        for _, cells in heat_map["rows"]
        for cell in cells
        if cell.count
    }
    assert counts == {(3, 4): 2, (1, 1): 1}
    assert heat_map["total"] == 3
    assert [(band.name, count) for band, count in heat_map["bands"]] == [
        ("Low", 1),
        ("Medium", 0),
        ("High", 2),
        ("Very high", 0),
    ]
    page = response.content.decode()
    assert (
        f"/risks/?partnership={partnership.reference}&amp;score=actual&amp;likelihood=3&amp;impact=4"
        in page
    )
    assert '2</span><span class="govuk-visually-hidden"> risks at likelihood 3 Possible, ' in page
    inherent = officer_client.get(url("risk_heat_map", partnership.reference) + "?score=inherent")
    assert inherent.context["heat_map"]["rows"][1][1][4].count == 3  # likelihood 4, impact 5


def test_the_heat_map_follows_a_changed_matrix(officer_client, four_by_four, partnership):
    RiskFactory(
        partnership=partnership, inherent_likelihood=4, inherent_impact=4, actual_likelihood=3,
        actual_impact=3, residual_likelihood=1, residual_impact=2,
    )  # fmt: skip
    response = officer_client.get(url("risk_heat_map", partnership.reference) + "?score=nonsense")
    heat_map = response.context["heat_map"]
    assert heat_map["kind"] == "actual"
    assert len(heat_map["rows"]) == 4 and len(heat_map["rows"][0][1]) == 4
    assert [str(level) for level, _ in heat_map["rows"]][0] == "4 Expected"
    page = response.content.decode()
    assert "score 9 Severe" in page
    assert "Very high" not in page


def test_the_council_heat_map_counts_only_visible_risks(officer_client):
    RiskFactory()
    RiskFactory(partnership=PartnershipFactory(status=Partnership.Status.DRAFT))
    response = officer_client.get(url("risk_council_heat_map"))
    assert response.context["heat_map"]["total"] == 1


# The council-wide list and its exports -----------------------------------------------------------


@pytest.fixture
def spread(partnership, owner):
    """Risks in several states, across two partnerships in two directorates."""
    other = PartnershipFactory(status=Partnership.Status.ACTIVE)
    return {
        "very_high": RiskFactory(partnership=partnership, owner=owner, title="Very high risk",
                                 actual_likelihood=4, actual_impact=5),
        "overdue": RiskFactory(partnership=partnership, title="Overdue review",
                               next_review_due=today() - timedelta(days=3)),
        "low": RiskFactory(partnership=other, title="Low risk", actual_likelihood=1,
                           actual_impact=1),
        "closed": RiskFactory(partnership=other, title="Closed risk", status="closed",
                              closed_reason="Gone", closed_on=today()),
    }  # fmt: skip


def listed(client, query=""):
    response = client.get(url("risk_council_list") + query)
    assert response.status_code == 200
    return {risk.title for risk in response.context["object_list"]}


def test_the_council_list_shows_open_risks_by_default(officer_client, spread):
    assert listed(officer_client) == {"Very high risk", "Overdue review", "Low risk"}
    assert "Closed risk" in listed(officer_client, "?status=all")


def test_the_council_list_filters(officer_client, spread, partnership, owner):
    very_high = ScoreBand.objects.get(name="Very high").pk
    low = ScoreBand.objects.get(name="Low").pk
    ActionFactory(risk=spread["low"], estimated_completion=today() - timedelta(days=1))
    EscalationFactory(risk=spread["very_high"])
    assert listed(officer_client, f"?band={very_high}") == {"Very high risk"}
    assert listed(officer_client, f"?band={low}") == {"Low risk"}
    assert listed(officer_client, f"?band={very_high}&score=inherent") == {
        "Very high risk",
        "Overdue review",
        "Low risk",
    }
    assert listed(officer_client, f"?partnership={partnership.reference}") == {
        "Very high risk",
        "Overdue review",
    }
    assert listed(officer_client, f"?owner={owner.pk}") == {"Very high risk"}
    assert listed(officer_client, "?review_overdue=on") == {"Overdue review"}
    assert listed(officer_client, "?action_overdue=on") == {"Low risk"}
    assert listed(officer_client, "?escalated=reported") == {"Very high risk"}
    assert listed(officer_client, "?escalated=flagged") == {"Very high risk"}
    assert listed(officer_client, "?escalated=awaiting") == set()
    assert listed(officer_client, "?likelihood=1&impact=1") == {"Low risk"}
    assert listed(officer_client, "?likelihood=4&impact=5&score=inherent") == {
        "Very high risk",
        "Overdue review",
        "Low risk",
    }
    directorate = spread["low"].partnership.directorate
    assert listed(officer_client, f"?directorate={directorate.pk}") == {"Low risk"}


@pytest.mark.parametrize(
    "query",
    ["?likelihood=9", "?band=abc", "?score=x", "?partnership=" + "P" * 201, "?owner=x",
     "?status=deleted", "?escalated=1", "?review_overdue=maybe"],
)  # fmt: skip
def test_bad_filters_show_an_error_not_a_crash(officer_client, spread, query):
    response = officer_client.get(url("risk_council_list") + query)
    assert response.status_code == 200
    assert response.context["filter"].errors or query.endswith("maybe")


def test_a_partnership_is_found_by_its_reference_or_words_of_its_name(officer_client, spread):
    partnership = spread["low"].partnership
    Partnership.objects.filter(pk=partnership.pk).update(name="Riverside Flood Forum")
    by_name = {"Low risk"}
    assert listed(officer_client, f"?partnership={partnership.reference.lower()}") == by_name
    assert listed(officer_client, "?partnership=flood+RIVERSIDE") == by_name
    assert listed(officer_client, "?partnership=Riverside+Forum+Board") == set()
    assert listed(officer_client, "?partnership=P-0000-000") == set()
    # The list is drawn with a text box, not a drop-down of every partnership.
    html = officer_client.get(url("risk_council_list")).content.decode()
    assert 'name="partnership"' in html and 'select name="partnership"' not in html


def test_a_page_past_the_end_shows_the_last_page(officer_client, spread):
    response = officer_client.get(url("risk_council_list") + "?page=99")
    assert response.status_code == 200
    assert response.context["page_obj"].number == response.context["paginator"].num_pages
    for page in ("0", "-1", "abc", "9" * 30):
        assert officer_client.get(url("risk_council_list") + f"?page={page}").status_code == 200


def test_the_council_list_exports_csv_with_formulae_made_safe(officer_client, partnership):
    RiskFactory(partnership=partnership, title='=HYPERLINK("http://evil")')
    RiskFactory(title="Not this partnership's")
    response = officer_client.get(
        url("risk_council_export", "csv") + f"?partnership={partnership.reference}"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Partnership reference,Partnership,Directorate,Risk reference")
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1]
    assert ",12,High," in lines[1]


def test_the_council_list_exports_excel(officer_client, spread):
    response = officer_client.get(url("risk_council_export", "xlsx") + "?review_overdue=on")
    sheet = load_workbook(BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Title"
    assert [r[4] for r in rows[1:]] == ["Overdue review"]
    assert officer_client.get(url("risk_council_export", "pdf")).status_code == 404


# The board paper -------------------------------------------------------------------------------


def test_the_board_paper_puts_the_boards_risks_first(officer_client, partnership, owner):
    RiskFactory(partnership=partnership, title="Routine", actual_likelihood=3, actual_impact=4)
    flagged = RiskFactory(partnership=partnership, title="Flagged", actual_likelihood=4,
                          actual_impact=4)  # fmt: skip
    reported = RiskFactory(partnership=partnership, title="Reported", actual_likelihood=2,
                           actual_impact=2)  # fmt: skip
    EscalationFactory(risk=reported, board_meeting="Partnership Board, 3 March 2026")
    ActionFactory(risk=flagged, description="Secure a new funder", owner=owner)
    response = officer_client.get(url("risk_board_paper", partnership.reference))
    assert [r.title for r in response.context["attention"]] == ["Flagged", "Reported"]
    assert [r.title for r in response.context["others"]] == ["Routine"]
    page = response.content.decode()
    assert "Secure a new funder" in page
    assert "Partnership Board, 3 March 2026" in page
    csv = officer_client.get(url("risk_board_paper_export", partnership.reference, "csv"))
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("1,R2,Flagged")
    xlsx = officer_client.get(url("risk_board_paper_export", partnership.reference, "xlsx"))
    rows = list(load_workbook(BytesIO(xlsx.getvalue())).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["Flagged", "Reported", "Routine"]
    assert "Secure a new funder" in rows[1][14]


# Query counts ---------------------------------------------------------------------------------


def grow_risks(partnership, owner, count=990):
    """Add many risks (with actions and reports) straight into the database."""

    def grow():
        start = partnership.risks.count() + 1
        risks = Risk.objects.bulk_create(
            Risk(
                partnership=partnership,
                reference=f"R{number}",
                title=f"Bulk risk {number}",
                cause="Cause",
                event="Event",
                impact="Impact",
                category="operational",
                owner=owner,
                inherent_likelihood=5,
                inherent_impact=5,
                actual_likelihood=1 + number % 5,
                actual_impact=1 + number % 4,
                residual_likelihood=1,
                residual_impact=1,
                next_review_due=today() - timedelta(days=number % 3),
            )
            for number in range(start, start + count)
        )
        Action.objects.bulk_create(
            Action(risk=risk, description="Act", owner=owner, estimated_completion=today())
            for risk in risks[::3]
        )

    return grow


def small_set(partnership, owner):
    for number in range(10):
        due = today() + timedelta(days=number - 5)
        risk = RiskFactory(partnership=partnership, owner=owner, next_review_due=due)
    ActionFactory(risk=risk, owner=owner)
    ControlFactory(risk=risk, owner=owner)
    EscalationFactory(risk=risk)


def test_the_register_page_runs_a_fixed_number_of_queries(sponsor_client, partnership, owner):
    from tests.helpers import assert_queries_fixed

    small_set(partnership, owner)
    assert_queries_fixed(
        sponsor_client, url("risk_list", partnership.reference), grow_risks(partnership, owner),
        most=6,
    )  # fmt: skip


def test_the_heat_maps_run_a_fixed_number_of_queries(sponsor_client, partnership, owner):
    from tests.helpers import assert_queries_fixed

    small_set(partnership, owner)
    grow = grow_risks(partnership, owner, 490)
    assert_queries_fixed(sponsor_client, url("risk_heat_map", partnership.reference), grow,
                         most=6)  # fmt: skip
    assert_queries_fixed(sponsor_client, url("risk_council_heat_map"), grow, most=6)


def test_the_council_list_runs_a_fixed_number_of_queries(sponsor_client, partnership, owner):
    from tests.helpers import assert_queries_fixed

    small_set(partnership, owner)
    assert_queries_fixed(
        sponsor_client, url("risk_council_list") + "?review_overdue=on",
        grow_risks(partnership, owner), most=6,
    )  # fmt: skip


def test_the_risk_page_runs_a_fixed_number_of_queries(sponsor_client, partnership, owner, sponsor):
    from risks import services
    from tests.helpers import assert_queries_fixed

    risk = RiskFactory(partnership=partnership, owner=owner)

    def grow(times=30):
        # Who made each change is named, as for changes made through the pages.
        with pghistory.context(user=sponsor.pk):
            for number in range(times):
                ControlFactory(risk=risk, owner=owner)
                ActionFactory(risk=risk, owner=PersonFactory(user=UserFactory()))
                EscalationFactory(risk=risk, recorded_by=sponsor)
                services.record_review(
                    risk=risk,
                    by=UserFactory(),
                    reviewed_on=today(),
                    actual_likelihood=1 + number % 4,
                    actual_impact=2,
                )

    path = url("risk_detail", partnership.reference, risk.reference)
    grow(times=1)  # one of each record the page lists, so the history names the same models
    # The page shows the latest 10 of the many more changes grow() records.
    assert_queries_fixed(sponsor_client, path, grow, most=8)


@pytest.mark.parametrize("page", [1, 2])
def test_the_risk_history_runs_a_fixed_number_of_queries(
    sponsor_client, partnership, owner, sponsor, page
):
    from tests.helpers import assert_queries_fixed

    risk = RiskFactory(partnership=partnership, owner=owner)

    def grow(times=60):
        # Who made each change is named, as for changes made through the pages.
        with pghistory.context(user=sponsor.pk):
            for _ in range(times // 10):
                ControlFactory(risk=risk, owner=owner)
                ActionFactory(risk=risk, owner=PersonFactory(user=UserFactory()))
                EscalationFactory(risk=risk, recorded_by=sponsor)
            retitle(risk, times)

    grow()
    # The session, the user, the risk with its partnership, the count, the page of changes and
    # the names of the records and people they refer to; the risk matrix is not read.
    assert assert_queries_fixed(sponsor_client, history_path(risk, page), lambda: grow(300),
                                most=6) == 6  # fmt: skip


def test_signing_in_is_needed_for_risk_pages_but_not_the_band_colours(client, risk):
    response = client.get(url("risk_council_list"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert client.get(url("risk_detail", risk.partnership.reference, "R1")).status_code == 302
    response = client.get(url("risk_history", risk.partnership.reference, "R1"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert client.get(url("band_css")).status_code == 200


def test_the_board_paper_runs_a_fixed_number_of_queries(sponsor_client, partnership, owner):
    from tests.helpers import assert_queries_fixed

    small_set(partnership, owner)
    assert_queries_fixed(
        sponsor_client, url("risk_board_paper", partnership.reference),
        grow_risks(partnership, owner, 200), most=8,
    )  # fmt: skip
