"""Demo annual reviews and exits, used by `manage.py seed_demo`.

Every step goes through the workflow functions the app uses (start, complete, exit), so status
histories, exit strategies and audit trails look as they would in real use.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.formats import date_format

from partnerships_site.bulk import insert_rows
from register.models import Partnership, Person, StatusChange
from reviews import services
from reviews.models import (
    AnnualReview,
    ExitAction,
    ExitStrategy,
    ReviewPriorityAlignment,
    due_for_review,
)

Status = Partnership.Status

ASSESSMENT = {
    "performance": "The partnership met four of its five agreed outcomes this year; the fifth "
    "slipped because a partner's funding was delayed.",
    "value_for_money": "Pooling budgets saves the council about £20,000 a year against "
    "running the service alone, and brings in partners' expertise.",
    "costs_and_benefits": "The benefits to residents continue to justify the officer time and "
    "money committed.",
    "risk_register_refreshed": "yes",
    "risk_register_note": "Reviewed at the board's last meeting; two risks closed, one added.",
    "action_plans_refreshed": "yes",
    "resource_implications": "No change to the council's contribution next year.",
    "equalities": "The equality impact assessment still holds; take-up among older residents "
    "is being monitored.",
}

WITHDRAWAL = {
    "performance": "Outcomes have not been met for two years and the partnership has not met "
    "since the spring.",
    "value_for_money": "The council's contribution no longer buys anything it could not do alone.",
    "costs_and_benefits": "The costs now outweigh the benefits.",
    "risk_register_refreshed": "no",
    "risk_register_note": "The board has not reviewed its risk register this year.",
    "action_plans_refreshed": "no",
    "resource_implications": "Withdrawing frees the council's grant and officer time.",
    "equalities": "Services to residents continue through the county council, so no group is "
    "left without support.",
}

EXIT_PLAN = {
    "exit_type": ExitStrategy.ExitType.PLANNED,
    "notice_required": "Six months' written notice to the chair, under clause 12 of the agreement.",
    "liabilities": "No outstanding liabilities; the final grant instalment is not paid.",
    "assets_and_staff": "No shared assets or staff. Equipment on loan is returned.",
    "data_arrangements": "Case records are returned to the lead partner and the council's "
    "copies securely destroyed, under the information sharing protocol.",
    "communications": "Partners told at the board; residents and staff told by joint letter.",
    "successor_arrangements": "The county council takes on the work through its own programme.",
}


def _demo_people():
    users = {u.username: u for u in User.objects.filter(username__in=["sponsor", "officer"])}
    return [Person.for_user(users[name]) for name in ("sponsor", "officer") if name in users]


def _complete(review, *, by, outcome, reasons, agreed_by, agreed_on, assessment, aligned):
    for name, value in assessment.items():
        setattr(review, name, value)
    review.review_date = agreed_on - timedelta(days=7)
    review.outcome = outcome
    review.outcome_reasons = reasons
    review.agreed_by = agreed_by
    review.agreed_on = agreed_on
    alignments = list(review.alignments.all())
    for alignment in alignments:
        alignment.aligned = aligned
    return services.complete_review(
        review=review, alignments=alignments, by=by, expected_version=review.version
    )


def take_through_review(partnership, status, *, today=None):
    """Move a newly approved demo partnership on to under review, exiting or closed.

    Under review: a draft review in progress. Exiting: a withdrawal agreed, with an exit
    strategy whose actions are half done. Closed: the exit completed and signed off.
    """
    today = today or timezone.localdate()
    sponsor = partnership.sponsoring_officer
    review = services.start_review(partnership=partnership, by=sponsor)
    if status == Status.UNDER_REVIEW:
        review.performance = ASSESSMENT["performance"]
        review.value_for_money = ASSESSMENT["value_for_money"]
        services.save_review_draft(review=review, by=sponsor, expected_version=review.version)
        return review

    agreed_on = max(review.period_start, today - timedelta(days=90 if status == "closed" else 30))
    _complete(
        review,
        by=sponsor,
        outcome=AnnualReview.Outcome.WITHDRAW,
        reasons="The partnership no longer delivers for residents, and the county council "
        "will carry on the work.",
        agreed_by="Cabinet",
        agreed_on=agreed_on,
        assessment=WITHDRAWAL,
        aligned="partly",
    )
    strategy = ExitStrategy.objects.get(partnership=partnership)
    for name, value in EXIT_PLAN.items():
        setattr(strategy, name, value)
    strategy.intended_exit_date = agreed_on + timedelta(days=180)
    people = _demo_people() or [Person.for_user(sponsor)]
    actions = [
        ExitAction(
            description="Give six months' written notice to the chair",
            owner=people[0],
            due_date=agreed_on + timedelta(days=14),
        ),
        ExitAction(
            description="Return case records to the lead partner and destroy the council's copies",
            owner=people[-1],
            due_date=agreed_on + timedelta(days=60),
        ),
    ]
    services.save_exit_strategy(
        strategy=strategy, actions=actions, by=sponsor, expected_version=strategy.version
    )
    done = actions if status == Status.CLOSED else actions[:1]
    for action in done:
        action.status = ExitAction.Status.COMPLETE
        action.completed_on = min(action.due_date, today)
        action.progress_note = "Done, and confirmed in writing."
        services.update_exit_action(action=action, by=sponsor, expected_version=action.version)
    if status == Status.CLOSED:
        strategy.refresh_from_db()
        services.complete_exit(
            strategy=strategy,
            by=sponsor,
            signed_off_by=f"{sponsor.get_full_name()}, sponsoring officer",
            signed_off_on=today,
            expected_version=strategy.version,
        )
    return review


def seed_reviews():
    """Complete annual reviews for some demo partnerships whose review is due.

    Leaves others due and overdue, so the Reviews due page has something on it. A second run
    changes nothing. Returns how many reviews were completed.
    """
    if AnnualReview.objects.completed().filter(partnership__status=Status.ACTIVE).exists():
        return 0
    due = list(
        due_for_review(Partnership.objects.filter(status=Status.ACTIVE))
        .exclude(sponsoring_officer=None)
        .select_related("sponsoring_officer")
        .order_by("reference")
    )
    today = timezone.localdate()
    completed = 0
    for position, partnership in enumerate(due[::3]):
        review = services.start_review(partnership=partnership, by=partnership.sponsoring_officer)
        with_changes = position % 2 == 1
        _complete(
            review,
            by=partnership.sponsoring_officer,
            outcome=(
                AnnualReview.Outcome.CONTINUE_WITH_CHANGES
                if with_changes
                else AnnualReview.Outcome.CONTINUE
            ),
            reasons=(
                "Continue, with a smaller grant and a refreshed action plan."
                if with_changes
                else "The partnership delivers the Corporate Plan and is good value."
            ),
            agreed_by="Sponsoring officer with the Portfolio Holder",
            agreed_on=max(review.period_start, today - timedelta(days=14)),
            assessment=ASSESSMENT,
            aligned="yes",
        )
        completed += 1
    return completed


# The large demo data set (`seed_demo --size large`) ---------------------------------------------


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_large_reviews(plans, officers):
    """The annual reviews, exits and closures the large demo's partnerships went through.

    Every approved partnership has a completed review for each year it has run (bar some that
    lapsed), those under review a review in progress, and those exiting or closed a review that
    agreed to withdraw and its exit strategy, signed off for the closed ones. Each step has the
    status change the services would record. Returns how many reviews were completed.
    """
    rng = random.Random(2_000)
    today = timezone.localdate()
    people = [user.demo_person for group in officers.values() for user in group]
    reviews, alignments, strategies, changes = [], [], [], []
    S = Status

    def add_review(plan, *, started, period_start, status, **fields):
        review = AnnualReview(
            partnership=plan.partnership,
            status=status,
            version=2 if status == AnnualReview.Status.COMPLETED else 1,
            period_start=min(period_start, started),
            period_end=started,
            reviewer=plan.sponsor,
            review_date=started,
            created_at=_at(started),
            **fields,
        )
        reviews.append(review)
        for priority_id in plan.priority_ids:
            alignments.append(
                ReviewPriorityAlignment(
                    review=review,
                    priority_id=priority_id,
                    aligned=""
                    if status == AnnualReview.Status.DRAFT
                    else rng.choice(["yes", "yes", "partly"]),
                )
            )
        changes.append(
            StatusChange(
                partnership=plan.partnership,
                from_status=S.ACTIVE,
                to_status=S.UNDER_REVIEW,
                changed_by=plan.sponsor,
                changed_at=_at(started),
                reason="Annual review started.",
            )
        )
        return review

    def complete(plan, agreed, outcome, reasons, agreed_by, assessment):
        return {
            "status": AnnualReview.Status.COMPLETED,
            "outcome": outcome,
            "outcome_reasons": reasons,
            "agreed_by": agreed_by,
            "agreed_on": agreed,
            "completed_at": _at(agreed, 16),
            "completed_by": plan.sponsor,
            **assessment,
        }

    completed = 0
    for plan in plans:
        p = plan.partnership
        period_start = p.approved_on
        for agreed in plan.reviews:
            started = agreed - timedelta(days=rng.randint(7, 30))
            with_changes = rng.random() < 0.3
            outcome = (
                AnnualReview.Outcome.CONTINUE_WITH_CHANGES
                if with_changes
                else AnnualReview.Outcome.CONTINUE
            )
            reasons = (
                "Continue, with a smaller grant and a refreshed action plan."
                if with_changes
                else "The partnership delivers the Corporate Plan and is good value."
            )
            fields = complete(
                plan,
                agreed,
                outcome,
                reasons,
                "Sponsoring officer with the Portfolio Holder",
                ASSESSMENT,
            )
            add_review(plan, started=started, period_start=period_start, **fields)
            changes.append(
                StatusChange(
                    partnership=p,
                    from_status=S.UNDER_REVIEW,
                    to_status=S.ACTIVE,
                    changed_by=plan.sponsor,
                    changed_at=_at(agreed, 16),
                    reason=f"Annual review completed: {outcome.label.lower()}. {reasons}",
                )
            )
            completed += 1
            period_start = started + timedelta(days=1)
        if plan.review_started:
            draft = rng.random() < 0.5
            add_review(
                plan,
                started=plan.review_started,
                period_start=period_start,
                status=AnnualReview.Status.DRAFT,
                performance=ASSESSMENT["performance"] if draft else "",
                value_for_money=ASSESSMENT["value_for_money"] if draft else "",
            )
        if plan.withdrawn_on:
            started = plan.withdrawn_on - timedelta(days=rng.randint(7, 30))
            reasons = (
                "The partnership no longer delivers for residents, and the county council "
                "will carry on the work."
            )
            fields = complete(
                plan,
                plan.withdrawn_on,
                AnnualReview.Outcome.WITHDRAW,
                reasons,
                "Cabinet",
                WITHDRAWAL,
            )
            review = add_review(plan, started=started, period_start=period_start, **fields)
            completed += 1
            changes.append(
                StatusChange(
                    partnership=p,
                    from_status=S.UNDER_REVIEW,
                    to_status=S.EXITING,
                    changed_by=plan.sponsor,
                    changed_at=_at(plan.withdrawn_on, 16),
                    reason=f"Annual review completed: withdraw. {reasons}",
                )
            )
            strategies.append(_large_exit(plan, review, rng, today, people, changes))

    insert_rows(reviews)
    insert_rows(alignments)
    insert_rows([strategy for strategy, _ in strategies])
    insert_rows([action for _, actions in strategies for action in actions])
    insert_rows(changes)
    return completed


def _large_exit(plan, review, rng, today, people, changes):
    """The exit strategy a withdrawal opened, with its actions; signed off if it has closed."""
    p = plan.partnership
    withdrawn = plan.withdrawn_on
    closed = plan.exited_on is not None
    strategy = ExitStrategy(
        partnership=p,
        review=review,
        status=ExitStrategy.Status.COMPLETED if closed else ExitStrategy.Status.OPEN,
        version=3 if closed else 2,
        intended_exit_date=withdrawn + timedelta(days=180),
        created_at=_at(withdrawn, 16),
        **{**EXIT_PLAN, "exit_type": rng.choice(ExitStrategy.ExitType.values)},
    )
    if closed:
        strategy.signed_off_by = f"{plan.sponsor.get_full_name()}, sponsoring officer"
        strategy.signed_off_on = plan.exited_on
        strategy.completed_at = _at(plan.exited_on, 15)
        strategy.completed_by = plan.sponsor
        changes.append(
            StatusChange(
                partnership=p,
                from_status=Status.EXITING,
                to_status=Status.CLOSED,
                changed_by=plan.sponsor,
                changed_at=_at(plan.exited_on, 15),
                reason=f"Exit completed and signed off by {strategy.signed_off_by} on "
                f"{date_format(plan.exited_on)}.",
            )
        )
    actions = []
    for position, (description, days) in enumerate(
        [
            ("Give six months' written notice to the chair", 14),
            ("Return case records to the lead partner and destroy the council's copies", 60),
        ]
    ):
        due = withdrawn + timedelta(days=days)
        done = closed or (position == 0 and due <= today)
        actions.append(
            ExitAction(
                strategy=strategy,
                description=description,
                owner=plan.sponsor.demo_person if position == 0 else rng.choice(people),
                due_date=due,
                status=ExitAction.Status.COMPLETE if done else ExitAction.Status.IN_PROGRESS,
                completed_on=min(due, plan.exited_on or today) if done else None,
                progress_note="Done, and confirmed in writing." if done else "",
                version=2 if done else 1,
                created_at=_at(withdrawn, 16),
            )
        )
    return strategy, actions
