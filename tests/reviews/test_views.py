"""The review and exit pages: what people see, what they may do, and what they cannot."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships_site.jinja import render
from register.models import Partnership, StatusChange
from reviews import services
from reviews.models import AnnualReview, ExitAction, ExitStrategy, NextReviewDateChange
from reviews.views import reviews_context
from tests.factories import (
    CorporatePriorityFactory,
    ExitActionFactory,
    PartnershipFactory,
    PersonFactory,
    UserFactory,
    active_partnership,
)
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def url(name, partnership, *args):
    return reverse(f"reviews:{name}", args=[partnership.reference, *args])


def day_fields(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def review_post(review, **overrides):
    """The review form as a person would post it, everything filled in."""
    today = timezone.localdate()
    data = {
        "expected_version": review.version,
        **day_fields("period_start", review.period_start),
        **day_fields("period_end", review.period_end),
        **day_fields("review_date", today),
        "performance": "Met its outcomes.",
        "value_for_money": "Good value.",
        "costs_and_benefits": "Benefits outweigh costs.",
        "risk_register_refreshed": "yes",
        "risk_register_note": "",
        "action_plans_refreshed": "yes",
        "resource_implications": "None.",
        "equalities": "No change.",
        "outcome": "continue",
        "outcome_reasons": "Still worth it.",
        "agreed_by": "Cabinet",
        **day_fields("agreed_on", today),
    }
    alignments = list(review.alignments.order_by("priority__position"))
    data.update(
        {
            "alignments-TOTAL_FORMS": len(alignments),
            "alignments-INITIAL_FORMS": len(alignments),
            "alignments-MIN_NUM_FORMS": 0,
            "alignments-MAX_NUM_FORMS": 1000,
        }
    )
    for index, alignment in enumerate(alignments):
        data[f"alignments-{index}-id"] = alignment.pk
        data[f"alignments-{index}-aligned"] = "yes"
        data[f"alignments-{index}-comment"] = ""
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def strategy_post(strategy, actions=(), **overrides):
    existing = list(strategy.actions.order_by("due_date", "pk"))
    rows = [
        {"id": a.pk, "description": a.description, "owner": a.owner_id, "due": a.due_date}
        for a in existing
    ] + list(actions)
    data = {
        "expected_version": strategy.version,
        "exit_type": "planned",
        **day_fields("intended_exit_date", date(2027, 3, 31)),
        "notice_required": "Six months' notice to the board.",
        "liabilities": "None outstanding.",
        "assets_and_staff": "No shared assets.",
        "data_arrangements": "Case records returned to the lead partner.",
        "communications": "Partners told at the March board.",
        "successor_arrangements": "The county council takes it on.",
        "actions-TOTAL_FORMS": len(rows),
        "actions-INITIAL_FORMS": len(existing),
        "actions-MIN_NUM_FORMS": 0,
        "actions-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        if row.get("id"):
            data[f"actions-{index}-id"] = row["id"]
        data[f"actions-{index}-strategy"] = strategy.pk
        data[f"actions-{index}-description"] = row["description"]
        data[f"actions-{index}-owner"] = row["owner"]
        data.update(day_fields(f"actions-{index}-due_date", row["due"]))
    data.update(overrides)
    return data


@pytest.fixture
def sponsor_client(client, sponsor):
    client.force_login(sponsor)
    return client


def start(partnership, by):
    return services.start_review(partnership=partnership, by=by)


def withdraw(partnership, by):
    review = start(partnership, by)
    for alignment in review.alignments.all():
        alignment.aligned = "no"
        alignment.save()
    review.outcome, review.outcome_reasons = "withdraw", "No longer needed."
    review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
    services.complete_review(review=review, by=by, expected_version=review.version)
    return ExitStrategy.objects.get(partnership=partnership)


# Reviews due ------------------------------------------------------------------------------------


def test_reviews_due_lists_the_sponsors_partnerships_due_or_overdue(sponsor_client, sponsor):
    today = timezone.localdate()
    overdue = active_partnership(
        sponsoring_officer=sponsor, name="Overdue one", next_review_due=today - timedelta(days=3)
    )
    soon = active_partnership(
        sponsoring_officer=sponsor, name="Due soon", next_review_due=today + timedelta(days=30)
    )
    active_partnership(
        sponsoring_officer=sponsor, name="Not yet", next_review_due=today + timedelta(days=61)
    )
    active_partnership(name="Someone else's", next_review_due=today)
    exiting = active_partnership(sponsoring_officer=sponsor, name="Leaving", next_review_due=today)
    Partnership.objects.filter(pk=exiting.pk).update(status=Status.EXITING)

    response = sponsor_client.get(reverse("reviews:review_due_list"))

    assert response.status_code == 200
    assert [row["due"].partnership for row in response.context["rows"]] == [overdue, soon]
    text = response.content.decode()
    assert "Overdue by 3 days" in text
    assert "Due in 30 days" in text
    assert "Not yet" not in text and "Someone else" not in text and "Leaving" not in text


def test_democratic_services_see_reviews_due_across_the_council(democratic_client, sponsor):
    today = timezone.localdate()
    mine = active_partnership(sponsoring_officer=sponsor, next_review_due=today)
    other = active_partnership(next_review_due=today + timedelta(days=1))
    response = democratic_client.get(reverse("reviews:review_due_list"))
    assert {row["due"].partnership for row in response.context["rows"]} == {mine, other}
    response = democratic_client.get(reverse("reviews:review_due_list"), {"scope": "mine"})
    assert response.context["rows"] == []


def test_a_sponsor_can_ask_for_the_whole_councils_reviews_due(sponsor_client, sponsor):
    other = active_partnership(next_review_due=timezone.localdate())
    response = sponsor_client.get(reverse("reviews:review_due_list"), {"scope": "all"})
    assert [row["due"].partnership for row in response.context["rows"]] == [other]


def test_a_nonsense_filter_is_an_error_not_a_crash(sponsor_client):
    response = sponsor_client.get(reverse("reviews:review_due_list"), {"scope": "everything"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_reviews_due_runs_a_fixed_number_of_queries(democratic_client):
    today = timezone.localdate()
    author = UserFactory()
    for _ in range(10):
        active_partnership(author=author, next_review_due=today)

    def grow():
        Partnership.objects.bulk_create(
            Partnership(
                reference=f"P-2099-{n:04d}",
                name=f"Bulk partnership {n}",
                author=author,
                directorate=author.profile.directorate,
                sponsoring_officer=author,
                status=Status.ACTIVE,
                next_review_due=today - timedelta(days=n % 90),
            )
            for n in range(490)
        )

    assert_queries_fixed(democratic_client, reverse("reviews:review_due_list"), grow, most=6)


# Starting and recording a review ----------------------------------------------------------------


def test_the_sponsor_starts_a_review_and_sees_what_changed(sponsor_client, partnership):
    response = sponsor_client.get(url("review_start", partnership))
    assert response.status_code == 200
    assert "What has changed since it was approved" in response.content.decode()

    response = sponsor_client.post(url("review_start", partnership))

    review = partnership.annual_reviews.get()
    assert response.status_code == 302
    assert response["Location"] == url("review_update", partnership, review.pk)
    partnership.refresh_from_db()
    assert partnership.status == Status.UNDER_REVIEW
    assert sponsor_client.get(url("review_start", partnership))["Location"] == url(
        "review_update", partnership, review.pk
    )


def test_a_draft_review_is_saved_with_what_was_typed(sponsor_client, partnership, sponsor):
    review = start(partnership, sponsor)
    data = review_post(review, performance="Half way through the year.", save="", outcome="")
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.performance == "Half way through the year."
    assert review.status == AnnualReview.Status.DRAFT
    assert review.version == 2
    page = sponsor_client.get(url("review_update", partnership, review.pk)).content.decode()
    assert "Half way through the year." in page


def test_completing_with_continue_moves_the_next_review_on_a_year(
    sponsor_client, partnership, sponsor
):
    review = start(partnership, sponsor)
    response = sponsor_client.post(
        url("review_update", partnership, review.pk), review_post(review, complete="")
    )
    assert response.status_code == 302
    assert response["Location"] == url("review_detail", partnership, review.pk)
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.next_review_due == timezone.localdate().replace(
        year=timezone.localdate().year + 1
    )


def test_completing_without_an_outcome_shows_the_errors_and_saves_nothing(
    sponsor_client, partnership, sponsor
):
    review = start(partnership, sponsor)
    data = review_post(
        review, complete="", outcome="", outcome_reasons="", performance="Typed, kept."
    )
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_outcome_1">Select the outcome of the review</a>' in page
    assert '<a href="#id_outcome_reasons">Enter the reasons for the outcome</a>' in page
    assert "Typed, kept." in page
    review.refresh_from_db()
    assert (review.status, review.performance, review.version) == ("draft", "", 1)
    partnership.refresh_from_db()
    assert partnership.status == Status.UNDER_REVIEW


def test_completing_without_assessing_a_priority_says_which(sponsor_client, partnership, sponsor):
    review = start(partnership, sponsor)
    data = review_post(review, complete="", **{"alignments-0-aligned": ""})
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)
    assert response.status_code == 200
    assert "still aligned with each Corporate Plan priority" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).status == "draft"


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("review_date", ["31", "2", "2026"], "Date of review must be a real date"),
        ("review_date", ["1", "1", "26"], "Date of review must have a 4-digit year"),
        ("review_date", ["1", "", "2026"], "Date of review must include a month"),
        ("review_date", ["1", "1", "2999"], "Date of review must be between 1900 and 2200"),
        ("review_date", ["1", "1", "2199"], "must be today or in the past"),
        ("period_end", ["1", "1", "2000"], "cannot end before it starts"),
        ("review_date", ["x", "y", "z"], "Date of review must be a real date"),
    ],
)
def test_bad_dates_are_explained_not_crashed_on(
    sponsor_client, partnership, sponsor, field, values, message
):
    review = start(partnership, sponsor)
    data = review_post(review, save="")
    for index, value in enumerate(values):
        data[f"{field}_{index}"] = value
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).version == 1


def test_a_tampered_version_or_too_long_text_is_refused_politely(
    sponsor_client, partnership, sponsor
):
    review = start(partnership, sponsor)
    data = review_post(review, save="", expected_version="not a number", agreed_by="x" * 201)
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).agreed_by == ""


def test_a_stale_page_does_not_overwrite_a_later_save(sponsor_client, partnership, sponsor):
    review = start(partnership, sponsor)
    stale = review_post(review, save="", performance="From the stale page.")
    sponsor_client.post(
        url("review_update", partnership, review.pk),
        review_post(review, save="", performance="Saved first."),
    )
    response = sponsor_client.post(url("review_update", partnership, review.pk), stale)
    assert response.status_code == 200
    assert "Someone else saved this review" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).performance == "Saved first."


def test_a_forged_priority_answer_from_another_review_is_refused(
    sponsor_client, partnership, sponsor
):
    review = start(partnership, sponsor)
    other = start(active_partnership(sponsoring_officer=sponsor), sponsor)
    foreign = other.alignments.get()
    data = review_post(review, save="", **{"alignments-0-id": foreign.pk})
    data["alignments-0-comment"] = "Forged"
    response = sponsor_client.post(url("review_update", partnership, review.pk), data)
    assert response.status_code == 200
    assert "This priority is not part of this review" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.comment == ""


def test_a_completed_review_is_locked_and_says_how_to_correct_it(
    sponsor_client, partnership, sponsor
):
    review = start(partnership, sponsor)
    sponsor_client.post(
        url("review_update", partnership, review.pk), review_post(review, complete="")
    )

    response = sponsor_client.get(url("review_update", partnership, review.pk))
    assert response.status_code == 403
    assert "completed and locked" in response.content.decode()
    response = sponsor_client.post(
        url("review_update", partnership, review.pk),
        review_post(review, save="", outcome_reasons="Changed later."),
    )
    assert response.status_code == 403
    assert AnnualReview.objects.get(pk=review.pk).outcome_reasons == "Still worth it."

    detail = sponsor_client.get(url("review_detail", partnership, review.pk)).content.decode()
    assert "Correct this review" in detail
    response = sponsor_client.post(url("review_correct", partnership, review.pk))
    correction = AnnualReview.objects.get(supersedes=review)
    assert response["Location"] == url("review_update", partnership, correction.pk)
    page = sponsor_client.get(url("review_update", partnership, correction.pk)).content.decode()
    assert "Correct the annual review" in page
    assert "Still worth it." in page


def test_withdrawing_takes_the_sponsor_to_the_exit_strategy(sponsor_client, partnership, sponsor):
    review = start(partnership, sponsor)
    response = sponsor_client.post(
        url("review_update", partnership, review.pk),
        review_post(review, complete="", outcome="withdraw"),
    )
    assert response["Location"] == url("exit_strategy_update", partnership)
    partnership.refresh_from_db()
    assert partnership.status == Status.EXITING
    assert sponsor_client.get(response["Location"]).status_code == 200


# Exit strategy, actions and completing the exit -------------------------------------------------


def test_add_another_action_saves_and_gives_a_new_row(sponsor_client, partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    owner = PersonFactory(name="Olivia Okafor")
    page = sponsor_client.get(url("exit_strategy_update", partnership))
    assert page.context["formset"].total_form_count() == 1

    data = strategy_post(
        strategy,
        [{"description": "Give notice", "owner": owner.pk, "due": date(2026, 12, 1)}],
        add_another="",
    )
    response = sponsor_client.post(url("exit_strategy_update", partnership), data)

    assert response.status_code == 302
    assert response["Location"] == url("exit_strategy_update", partnership) + "#actions"
    assert list(strategy.actions.values_list("description", flat=True)) == ["Give notice"]
    page = sponsor_client.get(url("exit_strategy_update", partnership))
    assert page.context["formset"].total_form_count() == 2
    strategy.refresh_from_db()
    assert strategy.successor_arrangements == "The county council takes it on."


def test_a_half_filled_action_is_explained_and_nothing_is_saved(
    sponsor_client, partnership, sponsor
):
    strategy = withdraw(partnership, sponsor)
    data = strategy_post(
        strategy, [{"description": "Give notice", "owner": "", "due": date(2026, 12, 1)}], save=""
    )
    response = sponsor_client.post(url("exit_strategy_update", partnership), data)
    assert response.status_code == 200
    assert "Select who owns the action" in response.content.decode()
    # Named in the summary as the row's legend names it, and linked to the row's owner.
    assert ("#id_actions-0-owner", "Exit action 1: Select who owns the action") in (
        response.context["error_items"]
    )
    assert ">Exit action 1</legend>" in response.content.decode()
    assert not strategy.actions.exists()
    assert ExitStrategy.objects.get(pk=strategy.pk).exit_type == ""


def test_a_forged_action_of_another_strategy_is_refused(sponsor_client, partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    theirs = withdraw(active_partnership(), UserFactory(role="Democratic Services"))
    foreign = ExitActionFactory(strategy=theirs, description="Their action")
    data = strategy_post(
        strategy,
        [
            {
                "id": foreign.pk,
                "description": "Hijacked",
                "owner": foreign.owner_id,
                "due": date(2026, 12, 1),
            }
        ],
        save="",
    )
    data["actions-INITIAL_FORMS"] = 1
    response = sponsor_client.post(url("exit_strategy_update", partnership), data)
    assert response.status_code == 200
    assert "This exit action is not part of this exit strategy" in response.content.decode()
    assert not strategy.actions.exists()
    foreign.refresh_from_db()
    assert (foreign.strategy, foreign.description) == (theirs, "Their action")
    # The progress page of another partnership's action is not found under this partnership.
    response = sponsor_client.get(url("exit_action_update", partnership, foreign.pk))
    assert response.status_code == 404


def test_an_action_owner_updates_progress_and_sees_it_on_their_list(
    client, partnership, sponsor, officer
):
    strategy = withdraw(partnership, sponsor)
    mine = ExitActionFactory(strategy=strategy, owner=PersonFactory(user=officer))
    ExitActionFactory(strategy=strategy, description="Someone else's")
    client.force_login(officer)

    listing = client.get(reverse("reviews:exit_action_list"))
    assert list(listing.context["actions"]) == [mine]

    today = timezone.localdate()
    response = client.post(
        url("exit_action_update", partnership, mine.pk),
        {
            "expected_version": mine.version,
            "status": "complete",
            "progress_note": "Data returned and receipt filed.",
            **day_fields("completed_on", today),
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.completed_on) == ("complete", today)
    assert list(client.get(reverse("reviews:exit_action_list")).context["actions"]) == []


def test_complete_needs_a_date_on_the_progress_page(client, partnership, sponsor, officer):
    strategy = withdraw(partnership, sponsor)
    action = ExitActionFactory(strategy=strategy, owner=PersonFactory(user=officer))
    client.force_login(officer)
    response = client.post(
        url("exit_action_update", partnership, action.pk),
        {"expected_version": action.version, "status": "complete", "progress_note": ""},
    )
    assert response.status_code == 200
    assert "Enter the date the action was completed" in response.content.decode()
    assert ExitAction.objects.get(pk=action.pk).status == "not_started"


def test_someone_who_does_not_own_the_action_cannot_update_it(officer_client, partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    action = ExitActionFactory(strategy=strategy)
    response = officer_client.get(url("exit_action_update", partnership, action.pk))
    assert response.status_code == 403
    assert "Only the action&#x27;s owner" in response.content.decode()


def test_the_exit_cannot_be_completed_while_actions_are_open(sponsor_client, partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    strategy.exit_type, strategy.intended_exit_date = "planned", date(2027, 3, 31)
    strategy.save()
    ExitActionFactory(strategy=strategy, description="Hand over the helpline")
    page = sponsor_client.get(url("exit_strategy_complete", partnership)).content.decode()
    assert "Hand over the helpline" in page

    response = sponsor_client.post(
        url("exit_strategy_complete", partnership),
        {
            "signed_off_by": "Sanjay Patel",
            **day_fields("signed_off_on", timezone.localdate()),
            "expected_version": strategy.version,
        },
    )
    assert response.status_code == 200
    assert (
        "The exit cannot be completed while 1 exit action is still open: Hand over the helpline."
        in response.content.decode()
    )
    partnership.refresh_from_db()
    assert partnership.status == Status.EXITING


def test_completing_the_exit_closes_the_partnership(sponsor_client, partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    strategy.exit_type, strategy.intended_exit_date = "planned", date(2027, 3, 31)
    strategy.save()
    response = sponsor_client.post(
        url("exit_strategy_complete", partnership),
        {
            "signed_off_by": "Sanjay Patel",
            **day_fields("signed_off_on", timezone.localdate()),
            "expected_version": strategy.version,
        },
    )
    assert response["Location"] == url("partnership_reviews", partnership)
    partnership.refresh_from_db()
    assert partnership.status == Status.CLOSED
    page = sponsor_client.get(url("partnership_reviews", partnership)).content.decode()
    assert "Closed on" in page
    assert "Start the annual review" not in page
    assert sponsor_client.get(partnership.get_absolute_url()).status_code == 200


# Next review date -------------------------------------------------------------------------------


def test_democratic_services_set_another_review_date_and_it_shows_in_the_history(
    democratic_client, partnership
):
    new_date = timezone.localdate() + timedelta(days=200)
    response = democratic_client.post(
        url("next_review_date_update", partnership),
        {**day_fields("next_review_due", new_date), "reason": "Board meets in the spring."},
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.next_review_due == new_date
    page = democratic_client.get(url("partnership_reviews", partnership)).content.decode()
    assert "Board meets in the spring." in page


def test_a_new_review_date_needs_a_reason_on_the_form(democratic_client, partnership):
    was = partnership.next_review_due
    response = democratic_client.post(
        url("next_review_date_update", partnership),
        {**day_fields("next_review_due", timezone.localdate()), "reason": ""},
    )
    assert response.status_code == 200
    assert "Enter the reason for the new date" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.next_review_due == was
    assert not NextReviewDateChange.objects.exists()


# Permissions ------------------------------------------------------------------------------------


def test_another_directorates_officer_cannot_find_a_drafts_review_pages(
    client, other_officer, officer
):
    draft = PartnershipFactory(author=officer)
    client.force_login(other_officer)
    for name in [
        "partnership_reviews",
        "review_start",
        "exit_strategy_detail",
        "exit_strategy_update",
        "exit_strategy_complete",
        "next_review_date_update",
    ]:
        assert client.get(url(name, draft)).status_code == 404, name
        assert client.post(url(name, draft)).status_code == 404, name
    assert client.get(url("review_detail", draft, 1)).status_code == 404


def test_read_only_users_are_refused_every_change(read_only_client, partnership, sponsor):
    review = start(partnership, sponsor)
    other = active_partnership(sponsoring_officer=sponsor)
    strategy = withdraw(other, sponsor)
    action = ExitActionFactory(strategy=strategy)
    posts = [
        url("review_start", partnership),
        url("review_update", partnership, review.pk),
        url("review_correct", partnership, review.pk),
        url("next_review_date_update", partnership),
        url("exit_strategy_update", other),
        url("exit_strategy_complete", other),
        url("exit_action_update", other, action.pk),
    ]
    before = (
        StatusChange.objects.count(),
        list(AnnualReview.objects.values_list("pk", "version")),
        list(ExitStrategy.objects.values_list("pk", "version")),
    )
    for address in posts:
        response = read_only_client.post(address, {"reason": "x"})
        assert response.status_code == 403, address
        assert "Read-only users" in response.content.decode()
    assert before == (
        StatusChange.objects.count(),
        list(AnnualReview.objects.values_list("pk", "version")),
        list(ExitStrategy.objects.values_list("pk", "version")),
    )
    assert read_only_client.get(url("partnership_reviews", partnership)).status_code == 200
    assert read_only_client.get(url("review_detail", partnership, review.pk)).status_code == 200
    assert read_only_client.get(url("exit_strategy_detail", other)).status_code == 200


def test_an_officer_who_is_not_the_sponsor_reads_but_cannot_review(officer_client, partnership):
    assert officer_client.get(url("partnership_reviews", partnership)).status_code == 200
    response = officer_client.post(url("review_start", partnership))
    assert response.status_code == 403
    assert "Only the sponsoring officer and Democratic Services" in response.content.decode()
    assert not partnership.annual_reviews.exists()


def test_only_democratic_services_set_another_review_date(sponsor_client, partnership):
    response = sponsor_client.get(url("next_review_date_update", partnership))
    assert response.status_code == 403
    assert "Only Democratic Services" in response.content.decode()


def test_an_exiting_partnership_has_no_review_date_to_set(democratic_client, partnership, sponsor):
    withdraw(partnership, sponsor)
    response = democratic_client.get(url("next_review_date_update", partnership))
    assert response.status_code == 403
    assert "is exiting, so it has no annual review to come" in response.content.decode()


def test_a_closed_partnership_cannot_be_reviewed_from_its_page(
    democratic_client, partnership, democratic_services
):
    strategy = withdraw(partnership, democratic_services)
    strategy.exit_type, strategy.intended_exit_date = "planned", date(2027, 3, 31)
    strategy.save()
    services.complete_exit(
        strategy=strategy,
        by=democratic_services,
        signed_off_by="Cabinet",
        signed_off_on=timezone.localdate(),
        expected_version=strategy.version,
    )
    response = democratic_client.post(url("review_start", partnership))
    assert response.status_code == 403
    assert "A closed partnership stays on the register to be read" in response.content.decode()
    assert democratic_client.get(url("exit_strategy_update", partnership)).status_code == 403
    assert partnership.annual_reviews.count() == 1


# The partnership page's panel -------------------------------------------------------------------


def test_the_panel_shows_reviews_the_exit_strategy_and_status_history(
    client, democratic_services, partnership, sponsor
):
    withdraw(partnership, sponsor)
    client.force_login(democratic_services)
    page = client.get(url("partnership_reviews", partnership)).content.decode()
    assert "Annual reviews" in page
    assert "Withdraw" in page
    assert "Exit strategy" in page
    assert "Under review to Exiting" in page
    assert "Active to Under review" in page


def test_the_panel_runs_a_fixed_number_of_queries(client, democratic_services, sponsor):
    partnership = active_partnership(sponsoring_officer=sponsor)
    client.force_login(democratic_services)
    review = start(partnership, sponsor)
    for alignment in review.alignments.all():
        alignment.aligned = "yes"
        alignment.save()

    def grow():
        # Many completed reviews and corrections, then a withdrawal with many actions.
        nonlocal review
        for _ in range(5):
            review.outcome, review.outcome_reasons = "continue", "Fine."
            review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
            services.complete_review(review=review, by=sponsor, expected_version=review.version)
            correction = services.start_correction(review=review, by=sponsor)
            services.complete_review(
                review=correction, by=sponsor, expected_version=correction.version
            )
            review = start(partnership, sponsor)
            for alignment in review.alignments.all():
                alignment.aligned = "yes"
                alignment.save()
        for _ in range(5):
            services.set_next_review_date(
                partnership=partnership,
                by=democratic_services,
                next_review_due=timezone.localdate(),
                reason="Moved.",
            )
        review.outcome, review.outcome_reasons = "withdraw", "Done."
        review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
        services.complete_review(review=review, by=sponsor, expected_version=review.version)
        strategy = ExitStrategy.objects.get(partnership=partnership)
        for _ in range(10):
            ExitActionFactory(strategy=strategy)

    assert_queries_fixed(client, url("partnership_reviews", partnership), grow, most=8)


def test_reviews_context_gives_the_buttons_each_person_may_use(partnership, sponsor, read_only):
    assert reviews_context(partnership, sponsor)["reviews_panel"]["can"]["start_review"]
    assert not reviews_context(partnership, read_only)["reviews_panel"]["can"]["start_review"]
    assert reviews_context(partnership)["reviews_panel"]["can"] == {}


def test_the_panel_leaves_the_status_history_to_a_page_that_shows_it(partnership, sponsor):
    with_history = render(
        "reviews/includes/partnership_reviews.jinja", **reviews_context(partnership, sponsor)
    )
    without = render(
        "reviews/includes/partnership_reviews.jinja",
        **reviews_context(partnership, sponsor, status_history=False),
    )
    assert 'id="status-history"' in with_history
    assert 'id="status-history"' not in without
    assert "Annual reviews" in without


def test_the_exit_strategy_page_runs_a_fixed_number_of_queries(
    sponsor_client, partnership, sponsor
):
    strategy = withdraw(partnership, sponsor)
    ExitActionFactory(strategy=strategy)

    def grow():
        for _ in range(15):
            ExitActionFactory(strategy=strategy, owner=PersonFactory(user=UserFactory()))

    assert_queries_fixed(sponsor_client, url("exit_strategy_detail", partnership), grow, most=8)


def test_the_exit_action_list_runs_a_fixed_number_of_queries(client, officer, sponsor):
    person = PersonFactory(user=officer)
    client.force_login(officer)
    ExitActionFactory(
        strategy=withdraw(active_partnership(sponsoring_officer=sponsor), sponsor), owner=person
    )

    def grow():
        for _ in range(5):
            strategy = withdraw(active_partnership(sponsoring_officer=sponsor), sponsor)
            for _ in range(3):
                ExitActionFactory(strategy=strategy, owner=person)

    assert_queries_fixed(client, reverse("reviews:exit_action_list"), grow, most=6)


def test_the_review_page_runs_a_fixed_number_of_queries(sponsor_client, sponsor):
    partnership = active_partnership(sponsoring_officer=sponsor)
    review = start(partnership, sponsor)

    def grow():
        priorities = [CorporatePriorityFactory() for _ in range(8)]
        partnership.corporate_priorities.add(*priorities)
        review.alignments.model.objects.bulk_create(
            review.alignments.model(review=review, priority=p) for p in priorities
        )

    assert_queries_fixed(sponsor_client, url("review_detail", partnership, review.pk), grow, most=8)
