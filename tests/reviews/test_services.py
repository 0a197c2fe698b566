"""The review and exit workflow: each step, and each step it refuses with a clear message."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from register.models import Partnership, StatusChange
from register.services import ConflictError
from reviews import services
from reviews.models import AnnualReview, ExitAction, ExitStrategy, NextReviewDateChange
from tests.factories import (
    CorporatePriorityFactory,
    ExitActionFactory,
    PersonFactory,
    active_partnership,
)

pytestmark = pytest.mark.django_db

Status = Partnership.Status
TODAY = date(2026, 6, 15)


def fill(review, *, outcome="continue", reasons="It delivers what it promised."):
    """Give a review everything completion asks for, and answer each priority."""
    review.outcome = outcome
    review.outcome_reasons = reasons
    review.agreed_by = "Cabinet"
    review.agreed_on = TODAY
    alignments = list(review.alignments.all())
    for alignment in alignments:
        alignment.aligned = "yes"
    return alignments


def complete(review, by, **kwargs):
    alignments = fill(review, **kwargs)
    return services.complete_review(
        review=review, alignments=alignments, by=by, expected_version=review.version
    )


def withdraw(partnership, by):
    review = services.start_review(partnership=partnership, by=by)
    complete(review, by, outcome="withdraw", reasons="It no longer serves the Corporate Plan.")
    return ExitStrategy.objects.get(partnership=partnership)


def ready_to_close(strategy):
    strategy.exit_type = ExitStrategy.ExitType.PLANNED
    strategy.intended_exit_date = TODAY
    strategy.save()
    return strategy


def last_change(partnership):
    return partnership.status_changes.order_by("-pk").first()


def snapshot(partnership):
    partnership.refresh_from_db()
    return (
        partnership.status,
        partnership.version,
        partnership.next_review_due,
        partnership.closed_on,
        StatusChange.objects.filter(partnership=partnership).count(),
        list(AnnualReview.objects.filter(partnership=partnership).values_list("status", "version")),
        list(ExitStrategy.objects.filter(partnership=partnership).values_list("status", "version")),
    )


# Starting a review --------------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_starting_a_review_puts_the_partnership_under_review_and_says_who(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)

    partnership.refresh_from_db()
    assert partnership.status == Status.UNDER_REVIEW
    change = last_change(partnership)
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.ACTIVE,
        Status.UNDER_REVIEW,
        sponsor,
    )
    assert review.status == AnnualReview.Status.DRAFT
    assert review.reviewer == sponsor
    assert review.on_behalf_of is None
    assert review.period_start == partnership.approved_on
    assert review.period_end == TODAY
    assert [a.priority for a in review.alignments.all()] == list(
        partnership.corporate_priorities.all()
    )


def test_democratic_services_review_on_the_sponsors_behalf(
    partnership, sponsor, democratic_services
):
    review = services.start_review(partnership=partnership, by=democratic_services)
    assert review.reviewer == democratic_services
    assert review.on_behalf_of == sponsor


def test_starting_twice_returns_the_review_already_in_progress(partnership, sponsor):
    first = services.start_review(partnership=partnership, by=sponsor)
    again = services.start_review(partnership=partnership, by=sponsor)
    assert again.pk == first.pk
    assert partnership.annual_reviews.count() == 1
    assert partnership.status_changes.filter(to_status=Status.UNDER_REVIEW).count() == 1


def test_a_new_review_is_prefilled_from_the_last_completed_one(partnership, sponsor):
    with time_machine.travel(date(2025, 6, 10)):
        last = services.start_review(partnership=partnership, by=sponsor)
        last.performance = "Met four of its five outcomes."
        last.equalities = "No change to the equality impact assessment."
        alignments = fill(last)
        alignments[0].comment = "Central to the housing priority."
        services.complete_review(
            review=last, alignments=alignments, by=sponsor, expected_version=last.version
        )

    with time_machine.travel(date(2026, 6, 1)):
        review = services.start_review(partnership=partnership, by=sponsor)

    assert review.performance == "Met four of its five outcomes."
    assert review.equalities == "No change to the equality impact assessment."
    assert review.outcome == ""
    assert review.period_start == date(2025, 6, 11)
    alignment = review.alignments.get()
    assert (alignment.aligned, alignment.comment) == ("yes", "Central to the housing priority.")


def test_a_review_assesses_each_priority_the_partnership_names_today(partnership, sponsor):
    extra = CorporatePriorityFactory(name="A greener borough")
    partnership.corporate_priorities.add(extra)
    review = services.start_review(partnership=partnership, by=sponsor)
    assert extra in [a.priority for a in review.alignments.all()]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.EXITING])
def test_only_an_active_partnership_can_be_reviewed(partnership, sponsor, status):
    Partnership.objects.filter(pk=partnership.pk).update(status=status)
    before = snapshot(partnership)
    with pytest.raises(ValidationError) as error:
        services.start_review(partnership=partnership, by=sponsor)
    assert "Only an active partnership can be reviewed" in error.value.messages[0]
    assert snapshot(partnership) == before


# Completing a review ----------------------------------------------------------------------------


@time_machine.travel(TODAY)
def test_continue_keeps_it_active_and_moves_the_next_review_on_a_year(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    complete(review, sponsor)

    partnership.refresh_from_db()
    review.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.next_review_due == date(2027, 6, 15)
    assert review.status == AnnualReview.Status.COMPLETED
    assert review.completed_by == sponsor
    change = last_change(partnership)
    assert (change.from_status, change.to_status) == (Status.UNDER_REVIEW, Status.ACTIVE)
    assert "continue" in change.reason
    assert not ExitStrategy.objects.filter(partnership=partnership).exists()


@time_machine.travel(date(2028, 2, 29))
def test_a_review_completed_on_29_february_falls_due_on_28_february(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    complete(review, sponsor, outcome="continue_with_changes")
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.next_review_due == date(2029, 2, 28)


def test_withdrawal_opens_an_exit_strategy_and_moves_the_partnership_to_exiting(
    partnership, sponsor
):
    strategy = withdraw(partnership, sponsor)

    partnership.refresh_from_db()
    assert partnership.status == Status.EXITING
    assert partnership.next_review_due is None
    assert strategy.status == ExitStrategy.Status.OPEN
    assert strategy.review == partnership.annual_reviews.get()
    change = last_change(partnership)
    assert (change.from_status, change.to_status) == (Status.UNDER_REVIEW, Status.EXITING)
    assert "It no longer serves the Corporate Plan." in change.reason


def test_completing_a_review_emails_democratic_services_and_the_sponsor_after_commit(
    partnership, sponsor, django_capture_on_commit_callbacks, settings
):
    review = services.start_review(partnership=partnership, by=sponsor)
    with django_capture_on_commit_callbacks(execute=True):
        complete(review, sponsor)
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {settings.DEMOCRATIC_SERVICES_EMAIL, sponsor.email}
    assert partnership.reference in mail.outbox[0].subject


def test_a_review_cannot_be_completed_without_an_outcome_and_reasons(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    review.performance = "Typed but not yet saved."
    before = snapshot(partnership)

    with pytest.raises(ValidationError) as error:
        services.complete_review(review=review, by=sponsor, expected_version=review.version)

    assert error.value.message_dict == {
        "outcome": ["Select the outcome of the review"],
        "outcome_reasons": ["Enter the reasons for the outcome"],
        "agreed_by": ["Enter who agreed the outcome"],
        "agreed_on": ["Enter the date the outcome was agreed"],
    }
    assert snapshot(partnership) == before
    assert AnnualReview.objects.get(pk=review.pk).performance == ""


def test_a_review_cannot_be_completed_until_each_priority_is_assessed(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    fill(review)
    before = snapshot(partnership)
    with pytest.raises(ValidationError) as error:
        services.complete_review(review=review, by=sponsor, expected_version=review.version)
    assert error.value.messages == [
        "Say whether the partnership is still aligned with each Corporate Plan priority."
    ]
    assert snapshot(partnership) == before


def test_a_stale_version_is_refused_and_nothing_is_saved(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    stale = review.version
    review.performance = "First save."
    services.save_review_draft(review=review, by=sponsor, expected_version=stale)

    other = AnnualReview.objects.get(pk=review.pk)
    other.performance = "Second person's save, from the page they opened earlier."
    with pytest.raises(ConflictError):
        services.save_review_draft(review=other, by=sponsor, expected_version=stale)
    assert AnnualReview.objects.get(pk=review.pk).performance == "First save."


# A completed review is locked -------------------------------------------------------------------


def test_a_completed_review_cannot_be_saved_again(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    complete(review, sponsor)
    review.refresh_from_db()
    review.outcome_reasons = "Rewritten after the event."
    with pytest.raises(ValidationError) as error:
        services.save_review_draft(review=review, by=sponsor, expected_version=review.version)
    assert "completed and is locked" in error.value.messages[0]
    assert AnnualReview.objects.get(pk=review.pk).outcome_reasons != "Rewritten after the event."


def test_the_database_refuses_to_change_a_completed_review(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    complete(review, sponsor)
    with pytest.raises(DatabaseError), transaction.atomic():
        AnnualReview.objects.filter(pk=review.pk).update(outcome_reasons="Quietly changed.")
    assert AnnualReview.objects.get(pk=review.pk).outcome_reasons != "Quietly changed."


def test_a_correction_supersedes_the_review_and_leaves_it_intact(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    complete(review, sponsor, reasons="Good value for monye.")
    partnership.refresh_from_db()
    due = partnership.next_review_due

    correction = services.start_correction(review=review, by=sponsor)
    assert correction.supersedes == review
    assert correction.outcome_reasons == "Good value for monye."
    assert correction.alignments.get().aligned == "yes"
    assert services.start_correction(review=review, by=sponsor).pk == correction.pk

    correction.outcome_reasons = "Good value for money."
    services.complete_review(
        review=correction,
        alignments=list(correction.alignments.all()),
        by=sponsor,
        expected_version=correction.version,
    )

    review.refresh_from_db()
    partnership.refresh_from_db()
    assert review.outcome_reasons == "Good value for monye."
    assert review.status == AnnualReview.Status.COMPLETED
    assert list(AnnualReview.objects.current()) == [correction]
    assert (partnership.status, partnership.next_review_due) == (Status.ACTIVE, due)
    with pytest.raises(ValidationError, match="already been corrected"):
        services.start_correction(review=review, by=sponsor)


def test_a_correction_cannot_turn_a_withdrawal_into_continuing(partnership, sponsor):
    withdraw(partnership, sponsor)
    review = partnership.annual_reviews.get()
    correction = services.start_correction(review=review, by=sponsor)
    correction.outcome = AnnualReview.Outcome.CONTINUE
    before = snapshot(partnership)
    with pytest.raises(ValidationError) as error:
        services.complete_review(
            review=correction,
            alignments=list(correction.alignments.all()),
            by=sponsor,
            expected_version=correction.version,
        )
    assert "cannot change a decision to withdraw" in error.value.message_dict["outcome"][0]
    assert snapshot(partnership) == before


def test_a_draft_cannot_be_corrected(partnership, sponsor):
    review = services.start_review(partnership=partnership, by=sponsor)
    with pytest.raises(ValidationError, match="Only a completed review can be corrected"):
        services.start_correction(review=review, by=sponsor)


# Exits ------------------------------------------------------------------------------------------


def test_exit_actions_are_planned_with_their_owners_told(
    partnership, sponsor, django_capture_on_commit_callbacks
):
    strategy = withdraw(partnership, sponsor)
    owner = PersonFactory(email="owner@example.gov.uk")
    strategy.exit_type = ExitStrategy.ExitType.PLANNED
    action = ExitAction(description="Give notice", owner=owner, due_date=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_exit_strategy(
            strategy=strategy, actions=[action], by=sponsor, expected_version=strategy.version
        )
    assert strategy.actions.get().description == "Give notice"
    assert ExitStrategy.objects.get(pk=strategy.pk).exit_type == "planned"
    assert [m.to for m in mail.outbox] == [["owner@example.gov.uk"]]


def test_an_action_of_another_strategy_cannot_be_saved_into_this_one(sponsor):
    mine = withdraw(active_partnership(sponsoring_officer=sponsor), sponsor)
    theirs = withdraw(active_partnership(sponsoring_officer=sponsor), sponsor)
    foreign = ExitActionFactory(strategy=theirs, description="Their action")
    foreign.description = "Taken over"
    with pytest.raises(ValidationError, match="does not belong"):
        services.save_exit_strategy(
            strategy=mine, actions=[foreign], by=sponsor, expected_version=mine.version
        )
    foreign.refresh_from_db()
    assert (foreign.strategy, foreign.description) == (theirs, "Their action")


def test_a_withdrawal_cannot_be_completed_while_exit_actions_are_open(partnership, sponsor):
    strategy = ready_to_close(withdraw(partnership, sponsor))
    ExitActionFactory(
        strategy=strategy, description="Return the data", status="complete", completed_on=TODAY
    )
    ExitActionFactory(strategy=strategy, description="Hand over the helpline")
    before = snapshot(partnership)

    with pytest.raises(ValidationError) as error:
        services.complete_exit(
            strategy=strategy,
            by=sponsor,
            signed_off_by="Sanjay Patel, Head of Housing",
            signed_off_on=TODAY,
            expected_version=strategy.version,
        )

    assert error.value.messages == [
        "The exit cannot be completed while 1 exit action is still open: Hand over the helpline."
    ]
    assert snapshot(partnership) == before


def test_an_exit_needs_its_type_and_date_before_it_is_completed(partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    with pytest.raises(ValidationError) as error:
        services.complete_exit(
            strategy=strategy,
            by=sponsor,
            signed_off_by="",
            signed_off_on=None,
            expected_version=strategy.version,
        )
    assert error.value.message_dict == {
        "exit_type": ["Say whether the exit is planned or unplanned"],
        "intended_exit_date": ["Enter the intended exit date"],
        "signed_off_by": ["Enter who signed off the exit"],
        "signed_off_on": ["Enter the date the exit was signed off"],
    }
    partnership.refresh_from_db()
    assert partnership.status == Status.EXITING


@time_machine.travel(TODAY)
def test_completing_the_exit_closes_the_partnership_and_keeps_it_on_the_register(
    partnership, sponsor, django_capture_on_commit_callbacks
):
    strategy = ready_to_close(withdraw(partnership, sponsor))
    ExitActionFactory(strategy=strategy, status="complete", completed_on=TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_exit(
            strategy=strategy,
            by=sponsor,
            signed_off_by="Sanjay Patel, Head of Housing",
            signed_off_on=TODAY,
            expected_version=strategy.version,
        )

    partnership.refresh_from_db()
    strategy.refresh_from_db()
    assert partnership.status == Status.CLOSED
    assert partnership.closed_on == TODAY
    assert partnership.end_date == TODAY
    assert partnership.next_review_due is None
    assert strategy.status == ExitStrategy.Status.COMPLETED
    assert strategy.completed_by == sponsor
    change = last_change(partnership)
    assert (change.from_status, change.to_status) == (Status.EXITING, Status.CLOSED)
    assert "Sanjay Patel" in change.reason
    assert "closed" in mail.outbox[-1].subject
    assert Partnership.objects.filter(pk=partnership.pk).exists()


def test_an_end_date_already_set_is_kept_when_the_exit_completes(partnership, sponsor):
    Partnership.objects.filter(pk=partnership.pk).update(end_date=date(2027, 3, 31))
    strategy = ready_to_close(withdraw(partnership, sponsor))
    services.complete_exit(
        strategy=strategy,
        by=sponsor,
        signed_off_by="Cabinet",
        signed_off_on=TODAY,
        expected_version=strategy.version,
    )
    partnership.refresh_from_db()
    assert partnership.end_date == date(2027, 3, 31)


def test_no_partnership_goes_from_active_to_closed_without_an_exit(partnership, sponsor):
    # A strategy slipped in by hand, with no withdrawal agreed: the partnership is still active.
    strategy = ready_to_close(ExitStrategy.objects.create(partnership=partnership))
    before = snapshot(partnership)
    with pytest.raises(ValidationError) as error:
        services.complete_exit(
            strategy=strategy,
            by=sponsor,
            signed_off_by="Sanjay Patel",
            signed_off_on=TODAY,
            expected_version=strategy.version,
        )
    assert "closed only through an exit" in error.value.messages[0]
    assert snapshot(partnership) == before


def test_an_active_partnership_cannot_have_a_review_completed_without_one_started(
    partnership, sponsor
):
    review = services.start_review(partnership=partnership, by=sponsor)
    Partnership.objects.filter(pk=partnership.pk).update(status=Status.ACTIVE)
    before = snapshot(partnership)
    with pytest.raises(ValidationError, match="Only a partnership under review"):
        complete(review, sponsor, outcome="withdraw")
    assert snapshot(partnership) == before


def test_a_completed_exit_strategy_is_locked_in_the_database(partnership, sponsor):
    strategy = ready_to_close(withdraw(partnership, sponsor))
    services.complete_exit(
        strategy=strategy,
        by=sponsor,
        signed_off_by="Cabinet",
        signed_off_on=TODAY,
        expected_version=strategy.version,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        ExitStrategy.objects.filter(pk=strategy.pk).update(liabilities="Changed afterwards.")


# A closed partnership ---------------------------------------------------------------------------


@pytest.fixture
def closed(partnership, sponsor):
    strategy = ready_to_close(withdraw(partnership, sponsor))
    action = ExitActionFactory(strategy=strategy, status="complete", completed_on=TODAY)
    services.complete_exit(
        strategy=strategy,
        by=sponsor,
        signed_off_by="Cabinet",
        signed_off_on=TODAY,
        expected_version=strategy.version,
    )
    partnership.refresh_from_db()
    return partnership, strategy, action


def test_a_closed_partnership_cannot_be_reviewed(closed, sponsor):
    partnership, _, _ = closed
    before = snapshot(partnership)
    with pytest.raises(ValidationError) as error:
        services.start_review(partnership=partnership, by=sponsor)
    assert "cannot be reviewed" in error.value.messages[0]
    assert "was closed on" in error.value.messages[0]
    with pytest.raises(ValidationError, match="cannot be reviewed"):
        services.start_correction(review=partnership.annual_reviews.get(), by=sponsor)
    assert snapshot(partnership) == before


def test_nothing_about_a_closed_partnership_can_change(closed, sponsor, democratic_services):
    partnership, strategy, action = closed
    before = snapshot(partnership)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.set_next_review_date(
            partnership=partnership,
            by=democratic_services,
            next_review_due=TODAY,
            reason="Reopen it",
        )
    action.progress_note = "More to say"
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.update_exit_action(action=action, by=sponsor, expected_version=action.version)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.save_exit_strategy(
            strategy=strategy, by=sponsor, expected_version=strategy.version
        )
    assert snapshot(partnership) == before
    for user in (sponsor, democratic_services):
        assert not user.has_perm("register.change_partnership", partnership)
        assert not user.has_perm("reviews.record_review", partnership)
        assert user.has_perm("register.view_partnership", partnership)


# Next review date and exit action progress ------------------------------------------------------


def test_democratic_services_set_another_next_review_date_with_a_reason(
    partnership, democratic_services
):
    was = partnership.next_review_due
    services.set_next_review_date(
        partnership=partnership,
        by=democratic_services,
        next_review_due=date(2026, 9, 30),
        reason="Aligned with the board's September meeting.",
    )
    partnership.refresh_from_db()
    assert partnership.next_review_due == date(2026, 9, 30)
    change = NextReviewDateChange.objects.get()
    assert (change.from_date, change.to_date, change.changed_by) == (
        was,
        date(2026, 9, 30),
        democratic_services,
    )


def test_a_new_review_date_needs_a_reason(partnership, democratic_services):
    with pytest.raises(ValidationError, match="Give a reason for the new date"):
        services.set_next_review_date(
            partnership=partnership,
            by=democratic_services,
            next_review_due=date(2026, 9, 30),
            reason="  ",
        )
    assert not NextReviewDateChange.objects.exists()


def test_an_exit_action_is_complete_only_with_the_date_it_was_done(partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    action = ExitActionFactory(strategy=strategy)
    action.status = ExitAction.Status.COMPLETE
    with pytest.raises(ValidationError, match="Enter the date the action was completed"):
        services.update_exit_action(action=action, by=sponsor, expected_version=action.version)
    assert ExitAction.objects.get(pk=action.pk).status == ExitAction.Status.NOT_STARTED

    action.completed_on = TODAY
    services.update_exit_action(action=action, by=sponsor, expected_version=action.version)
    assert ExitAction.objects.get(pk=action.pk).status == ExitAction.Status.COMPLETE

    action.status = ExitAction.Status.IN_PROGRESS
    services.update_exit_action(action=action, by=sponsor, expected_version=action.version)
    stored = ExitAction.objects.get(pk=action.pk)
    assert (stored.status, stored.completed_on) == (ExitAction.Status.IN_PROGRESS, None)


@time_machine.travel(TODAY)
def test_an_open_exit_action_past_its_due_date_is_overdue(partnership, sponsor):
    strategy = withdraw(partnership, sponsor)
    late = ExitActionFactory(strategy=strategy, due_date=date(2026, 6, 14))
    due_today = ExitActionFactory(strategy=strategy, due_date=TODAY)
    done = ExitActionFactory(
        strategy=strategy, due_date=date(2026, 1, 1), status="complete", completed_on=TODAY
    )
    assert (late.is_overdue, due_today.is_overdue, done.is_overdue) == (True, False, False)


def test_the_workflow_refuses_people_the_rules_do_not_allow(
    partnership, sponsor, officer, read_only
):
    before = snapshot(partnership)
    for person in (officer, read_only):
        with pytest.raises(PermissionDenied):
            services.start_review(partnership=partnership, by=person)
        with pytest.raises(PermissionDenied):
            services.set_next_review_date(
                partnership=partnership, by=person, next_review_due=TODAY, reason="Because."
            )
    assert snapshot(partnership) == before

    strategy = ready_to_close(withdraw(partnership, sponsor))
    action = ExitActionFactory(strategy=strategy)
    action.progress_note = "Not mine to write."
    with pytest.raises(PermissionDenied):
        services.update_exit_action(action=action, by=officer, expected_version=action.version)
    with pytest.raises(PermissionDenied):
        services.complete_exit(
            strategy=strategy,
            by=read_only,
            signed_off_by="Someone",
            signed_off_on=TODAY,
            expected_version=strategy.version,
        )
    assert ExitAction.objects.get(pk=action.pk).progress_note == ""
    action.owner.user = officer
    action.owner.save()
    services.update_exit_action(action=action, by=officer, expected_version=action.version)
    assert ExitAction.objects.get(pk=action.pk).progress_note == "Not mine to write."
