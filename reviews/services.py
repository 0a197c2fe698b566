"""The annual review and exit workflow: how a partnership moves through review, exit and closure.

ACTIVE -> UNDER_REVIEW (a review is started) -> ACTIVE (continue, or continue with changes)
or EXITING (withdraw, which opens an exit strategy) -> CLOSED (the exit is completed).

Each function is keyword-only, runs in one transaction with the partnership row locked, checks
the state it starts from, records every status change with who, when and why, and sends its
email only once the transaction has committed. A refused step raises ValidationError with a
message fit to show the person who asked for it, and changes nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from partnerships_site.dates import add_years
from register.models import (
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Partnership,
    Person,
    StatusChange,
)
from register.notifications import email_on_commit, notify_assignment
from register.services import save_with_version
from reviews.models import (
    AnnualReview,
    ExitAction,
    ExitStrategy,
    NextReviewDateChange,
    ReviewPriorityAlignment,
)
from risks.models import Risk

Status = Partnership.Status
Outcome = AnnualReview.Outcome

# Fields a new review takes from the last completed one, for the reviewer to bring up to date.
PREFILLED_FIELDS = [
    "performance",
    "value_for_money",
    "costs_and_benefits",
    "risk_register_note",
    "resource_implications",
    "equalities",
]
# Fields a correction copies from the review it corrects: everything that was recorded.
CORRECTED_FIELDS = [
    "period_start",
    "period_end",
    "on_behalf_of",
    "review_date",
    *PREFILLED_FIELDS,
    "risk_register_refreshed",
    "action_plans_refreshed",
    "outcome",
    "outcome_reasons",
    "agreed_by",
    "agreed_on",
]


# Locking and recording -------------------------------------------------------------------------


def _lock(partnership):
    """The partnership's row, locked until the transaction ends, as it stands now."""
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _require(by, permission, obj):
    """Refuse a person the rules do not allow, whatever called the workflow."""
    if not by.has_perm(permission, obj):
        raise PermissionDenied


def _refuse_if_closed(partnership, doing="changed"):
    if partnership.status == Status.CLOSED:
        closed = f" on {date_format(partnership.closed_on)}" if partnership.closed_on else ""
        raise ValidationError(
            f"{partnership.reference} was closed{closed}. A closed partnership stays on the "
            f"register to be read, but cannot be {doing}."
        )


def _move(partnership, *, to_status, by, reason, extra_fields=()):
    """Record one lifecycle step and save the partnership's new status."""
    change = StatusChange(
        partnership=partnership,
        from_status=partnership.status,
        to_status=to_status,
        changed_by=by,
        reason=reason,
    )
    change.full_clean()
    change.save()
    partnership.status = to_status
    partnership.version += 1
    partnership.full_clean(exclude=["reference"])
    partnership.save(update_fields=["status", "version", "updated_at", *extra_fields])


def _email(subject, template, context, recipients):
    email_on_commit(
        subject=subject,
        template=f"reviews/email/{template}",
        context=context,
        recipients=recipients,
    )


def _sponsor_email(partnership):
    return getattr(partnership.sponsoring_officer, "email", "")


# Annual reviews --------------------------------------------------------------------------------


def last_completed_review(partnership, *, excluding=None):
    """The partnership's latest review as it stands (corrections taken into account), or None.

    Latest by the period reviewed, so a late correction of an older review does not count as
    the latest review.
    """
    reviews = AnnualReview.objects.current().filter(partnership=partnership)
    if excluding is not None and excluding.pk:
        reviews = reviews.exclude(pk__in=[excluding.pk, excluding.supersedes_id])
    return reviews.order_by("-period_end", "-completed_at", "-pk").first()


def first_completed_at(review):
    """When the decision a review records was first completed, corrections aside."""
    while review.supersedes_id:
        review = review.supersedes
    return review.completed_at


@transaction.atomic
def start_review(*, partnership, by):
    """Open the annual review of an active partnership, prefilled from its last completed review.

    The partnership moves to "under review". Starting it twice (a repeated post) returns the
    review already in progress.
    """
    partnership = _lock(partnership)
    _refuse_if_closed(partnership, "reviewed")
    _require(by, "reviews.record_review", partnership)
    if partnership.status == Status.UNDER_REVIEW:
        in_progress = partnership.annual_reviews.drafts().filter(supersedes__isnull=True).first()
        if in_progress is not None:
            return in_progress
    if partnership.status != Status.ACTIVE:
        raise ValidationError(
            f"Only an active partnership can be reviewed; {partnership.reference} is "
            f"{partnership.get_status_display().lower()}."
        )
    today = timezone.localdate()
    last = last_completed_review(partnership)
    if last is not None:
        period_start = last.period_end + timedelta(days=1)
    else:
        period_start = partnership.approved_on or partnership.start_date or today
    period_start = min(period_start, today)
    review = AnnualReview(
        partnership=partnership,
        period_start=period_start,
        period_end=today,
        review_date=today,
        reviewer=by,
        on_behalf_of=(
            partnership.sponsoring_officer
            if partnership.sponsoring_officer_id not in (None, by.pk)
            else None
        ),
    )
    if last is not None:
        for name in PREFILLED_FIELDS:
            setattr(review, name, getattr(last, name))
    review.full_clean()
    review.save()

    previous = {}
    if last is not None:
        previous = {a.priority_id: a for a in last.alignments.all()}
    alignments = []
    for priority in partnership.corporate_priorities.all():
        before = previous.get(priority.pk)
        alignments.append(
            ReviewPriorityAlignment(
                review=review,
                priority=priority,
                aligned=before.aligned if before else "",
                comment=before.comment if before else "",
            )
        )
    ReviewPriorityAlignment.objects.bulk_create(alignments)

    _move(partnership, to_status=Status.UNDER_REVIEW, by=by, reason="Annual review started.")
    return review


def _check_review_editable(review, partnership):
    _refuse_if_closed(partnership)
    if review.status == AnnualReview.Status.COMPLETED:
        raise ValidationError(
            "This review was completed and is locked, so the record of what was decided stays "
            "as it was. To put something right, correct the review: that makes a new version."
        )


def _save_review(review, alignments, expected_version):
    """Save the review's fields and its priority assessments, if nobody else has saved since."""
    review.full_clean(exclude=["partnership", "reviewer"])
    for alignment in alignments:
        if alignment.review_id != review.pk:
            raise ValidationError("That priority assessment does not belong to this review.")
        alignment.full_clean(exclude=["review", "priority"])
    save_with_version(review, expected_version=expected_version)
    for alignment in alignments:
        alignment.save(update_fields=["aligned", "comment"])


@transaction.atomic
def save_review_draft(*, review, alignments=(), by, expected_version):
    """Save a review in progress as it stands, to come back to.

    `review` carries the edited values; `alignments` are its ReviewPriorityAlignment rows with
    their edited answers. Raises register.services.ConflictError if someone else saved first.
    """
    partnership = _lock(review.partnership)
    stored = AnnualReview.objects.get(pk=review.pk)
    _check_review_editable(stored, partnership)
    _require(by, "reviews.record_review", partnership)
    _save_review(review, alignments, expected_version)
    return review


@transaction.atomic
def complete_review(*, review, alignments=(), by, expected_version):
    """Complete a review with its outcome, and move the partnership on.

    Continue (with or without changes): active again, next review due 12 months from today.
    Withdraw: exiting, with an exit strategy opened for the sponsoring officer to complete.
    A correction completes without moving the partnership, and may not turn a decision to
    continue into one to withdraw, or back.
    """
    partnership = _lock(review.partnership)
    stored = AnnualReview.objects.get(pk=review.pk)
    _check_review_editable(stored, partnership)
    _require(by, "reviews.record_review", partnership)

    missing = review.missing_for_completion()
    if missing:
        raise ValidationError(missing)
    alignments = list(alignments)
    saved_answers = {a.pk: a.aligned for a in ReviewPriorityAlignment.objects.filter(review=review)}
    saved_answers.update({a.pk: a.aligned for a in alignments})
    if not all(saved_answers.values()):
        raise ValidationError(
            "Say whether the partnership is still aligned with each Corporate Plan priority."
        )

    corrected = review.supersedes
    if corrected is not None:
        if (corrected.outcome == Outcome.WITHDRAW) != (review.outcome == Outcome.WITHDRAW):
            raise ValidationError(
                {
                    "outcome": "A correction cannot change a decision to withdraw into one to "
                    "continue, or the other way round. Record the outcome as it was agreed."
                }
            )
    elif partnership.status != Status.UNDER_REVIEW:
        raise ValidationError(
            f"Only a partnership under review can have its review completed; "
            f"{partnership.reference} is {partnership.get_status_display().lower()}."
        )

    review.status = AnnualReview.Status.COMPLETED
    review.completed_at = timezone.now()
    review.completed_by = by
    _save_review(review, alignments, expected_version)

    if corrected is not None:
        return review

    if review.outcome in AnnualReview.CONTINUING_OUTCOMES:
        partnership.next_review_due = add_years(timezone.localdate(), 1)
        _move(
            partnership,
            to_status=Status.ACTIVE,
            by=by,
            reason=f"Annual review completed: {review.get_outcome_display().lower()}. "
            f"{review.outcome_reasons}",
            extra_fields=["next_review_due"],
        )
    else:
        partnership.next_review_due = None
        _move(
            partnership,
            to_status=Status.EXITING,
            by=by,
            reason=f"Annual review completed: withdraw. {review.outcome_reasons}",
            extra_fields=["next_review_due"],
        )
        strategy = ExitStrategy(partnership=partnership, review=review)
        strategy.full_clean()
        strategy.save()
    _email(
        f"Annual review completed: {partnership.reference}",
        "review_completed",
        {"partnership": partnership, "review": review},
        [settings.DEMOCRATIC_SERVICES_EMAIL, _sponsor_email(partnership)],
    )
    return review


@transaction.atomic
def start_correction(*, review, by):
    """Open a new version of a completed review, prefilled from it, to correct the record.

    The completed review stays exactly as it was; the correction supersedes it once completed.
    Asking twice returns the correction already in progress.
    """
    partnership = _lock(review.partnership)
    _refuse_if_closed(partnership, "reviewed")
    _require(by, "reviews.record_review", partnership)
    review = AnnualReview.objects.get(pk=review.pk)
    if review.status != AnnualReview.Status.COMPLETED:
        raise ValidationError("Only a completed review can be corrected; this one is a draft.")
    existing = AnnualReview.objects.filter(supersedes=review).first()
    if existing is not None:
        if existing.status == AnnualReview.Status.DRAFT:
            return existing
        raise ValidationError(
            "This review has already been corrected. Correct the latest version instead."
        )
    correction = AnnualReview(partnership=partnership, supersedes=review, reviewer=by)
    for name in CORRECTED_FIELDS:
        setattr(correction, name, getattr(review, name))
    correction.full_clean(exclude=["supersedes"])
    correction.save()
    ReviewPriorityAlignment.objects.bulk_create(
        ReviewPriorityAlignment(
            review=correction,
            priority_id=alignment.priority_id,
            aligned=alignment.aligned,
            comment=alignment.comment,
        )
        for alignment in review.alignments.all()
    )
    return correction


@transaction.atomic
def set_next_review_date(*, partnership, by, next_review_due, reason):
    """Set another date for the next annual review (Democratic Services), with the reason."""
    partnership = _lock(partnership)
    _refuse_if_closed(partnership)
    if partnership.status not in (Status.ACTIVE, Status.UNDER_REVIEW):
        raise ValidationError(
            f"{partnership.reference} is {partnership.get_status_display().lower()}, so it has "
            "no annual review to come."
        )
    _require(by, "reviews.set_next_review_date", partnership)
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the new date."})
    change = NextReviewDateChange(
        partnership=partnership,
        from_date=partnership.next_review_due,
        to_date=next_review_due,
        reason=reason.strip(),
        changed_by=by,
    )
    change.full_clean()
    change.save()
    partnership.next_review_due = next_review_due
    partnership.version += 1
    partnership.save(update_fields=["next_review_due", "version", "updated_at"])
    return change


# Exits -----------------------------------------------------------------------------------------


def _check_exit_open(strategy, partnership):
    _refuse_if_closed(partnership)
    if strategy.status != ExitStrategy.Status.OPEN:
        raise ValidationError("This exit strategy has been completed and can no longer change.")
    if partnership.status != Status.EXITING:
        raise ValidationError(
            f"{partnership.reference} is {partnership.get_status_display().lower()}, not exiting."
        )


@transaction.atomic
def save_exit_strategy(*, strategy, actions=(), by, expected_version):
    """Save the exit strategy and its planned exit actions (new ones, or changed plans).

    An action's progress is its owner's to update (update_exit_action); here only what is to be
    done, by whom and by when. New owners are told by email.
    """
    partnership = _lock(strategy.partnership)
    stored = ExitStrategy.objects.get(pk=strategy.pk)
    _check_exit_open(stored, partnership)
    _require(by, "reviews.manage_exit", partnership)
    strategy.full_clean(exclude=["partnership"])
    actions = list(actions)
    owners_before = dict(ExitAction.objects.filter(strategy=strategy).values_list("pk", "owner_id"))
    for action in actions:
        if action.pk is not None and action.pk not in owners_before:
            raise ValidationError("That exit action does not belong to this exit strategy.")
        action.strategy = strategy
        action.full_clean(exclude=["strategy"])
    save_with_version(strategy, expected_version=expected_version)
    newly_owned = []
    for action in actions:
        if action.pk is None:
            action.save()
            newly_owned.append(action)
        else:
            action.save(update_fields=["description", "owner", "due_date", "updated_at"])
            if owners_before[action.pk] != action.owner_id:
                newly_owned.append(action)
    for action in newly_owned:
        notify_assignment(
            recipient=action.owner,
            role="exit action owner",
            item=action,
            url=reverse("reviews:exit_action_update", args=[partnership.reference, action.pk]),
            partnership=partnership,
            due=action.due_date,
            by=by,
        )
    return strategy


@transaction.atomic
def update_exit_action(*, action, by, expected_version):
    """Record progress on an exit action: its status, the date it was completed and a note."""
    stored = ExitAction.objects.select_related("strategy").get(pk=action.pk)
    partnership = _lock(stored.strategy.partnership)
    _check_exit_open(stored.strategy, partnership)
    stored.strategy.partnership = partnership
    _require(by, "reviews.update_exit_action", stored)
    if action.status != ExitAction.Status.COMPLETE:
        action.completed_on = None
    action.full_clean(exclude=["strategy", "owner"])
    save_with_version(
        action,
        expected_version=expected_version,
        update_fields=["status", "completed_on", "progress_note", "updated_at"],
    )
    return action


@transaction.atomic
def complete_exit(*, strategy, by, signed_off_by, signed_off_on, expected_version):
    """Sign off the exit strategy and close the partnership.

    Refused while any exit action is open, or when the strategy lacks its type of exit or
    intended exit date. The closed partnership stays on the register, to be read, with its
    history; its end date is set to today if it had none.
    """
    partnership = _lock(strategy.partnership)
    stored = ExitStrategy.objects.get(pk=strategy.pk)
    if partnership.status == Status.ACTIVE:
        raise ValidationError(
            f"{partnership.reference} is active. A partnership is closed only through an exit: "
            "agree a withdrawal at its annual review, then complete the exit strategy."
        )
    _check_exit_open(stored, partnership)
    _require(by, "reviews.manage_exit", partnership)
    stored.signed_off_by = signed_off_by.strip()
    stored.signed_off_on = signed_off_on
    errors = stored.missing_for_completion()
    open_actions = list(stored.actions.open().order_by("due_date", "pk"))
    if open_actions:
        listed = "; ".join(action.description for action in open_actions)
        count = len(open_actions)
        errors["__all__"] = (
            f"The exit cannot be completed while {count} exit "
            f"{'action is' if count == 1 else 'actions are'} still open: {listed}."
        )
    if errors:
        raise ValidationError(errors)

    today = timezone.localdate()
    stored.status = ExitStrategy.Status.COMPLETED
    stored.completed_at = timezone.now()
    stored.completed_by = by
    stored.full_clean()
    save_with_version(
        stored,
        expected_version=expected_version,
        update_fields=[
            "status",
            "signed_off_by",
            "signed_off_on",
            "completed_at",
            "completed_by",
            "updated_at",
        ],
    )
    partnership.closed_on = today
    partnership.end_date = partnership.end_date or today
    partnership.next_review_due = None
    _move(
        partnership,
        to_status=Status.CLOSED,
        by=by,
        reason=f"Exit completed and signed off by {stored.signed_off_by} on "
        f"{date_format(signed_off_on)}.",
        extra_fields=["closed_on", "end_date", "next_review_due"],
    )
    _email(
        f"Partnership closed: {partnership.reference}",
        "exit_completed",
        {"partnership": partnership, "strategy": stored},
        [settings.DEMOCRATIC_SERVICES_EMAIL, _sponsor_email(partnership)],
    )
    return stored


# What changed since the last review ------------------------------------------------------------


@dataclass
class ResourceChange:
    kind: str
    change: str
    before: str
    after: str


@dataclass
class RepresentativeChange:
    person: str
    role: str
    change: str
    on: object


@dataclass
class ChangesSinceReview:
    """What changed on a partnership since its last review (or, before the first, its approval)."""

    since_label: str
    since_date: object
    resources: list[ResourceChange] = field(default_factory=list)
    representatives: list[RepresentativeChange] = field(default_factory=list)
    new_risks: list = field(default_factory=list)
    closed_risks: list = field(default_factory=list)

    @property
    def nothing_changed(self):
        return not (self.resources or self.representatives or self.new_risks or self.closed_risks)


def _baseline(partnership, review=None):
    """The moment the last review completed, or the partnership's approval: (label, date, when)."""
    last = last_completed_review(partnership, excluding=review)
    if last is not None:
        when = first_completed_at(last)
        return "the last review", timezone.localdate(when), when
    approval = (
        partnership.status_changes.filter(to_status=Status.ACTIVE).order_by("changed_at").first()
    )
    if approval is not None:
        return (
            "it was approved",
            partnership.approved_on or approval.changed_at.date(),
            (approval.changed_at),
        )
    day = partnership.approved_on or timezone.localdate(partnership.created_at)
    return "it was registered", day, timezone.make_aware(datetime.combine(day, time.min))


RESOURCE_MODELS = [
    (FinancialContribution, "Money"),
    (OfficerTime, "Officer time"),
    (InKindContribution, "In kind"),
]


def _resource_label(model, values, people):
    if model is FinancialContribution:
        form = dict(FinancialContribution.Form.choices).get(values["form"], values["form"])
        year = values["financial_year"]
        return f"£{values['amount']:,.2f} {form.lower()}, {year}/{(year + 1) % 100:02d}"
    if model is OfficerTime:
        person = people.get(values["person_id"], "An officer")
        return f"{person}: {values['hours_per_month']} hours a month"
    kind = dict(InKindContribution.Kind.choices).get(values["kind"], values["kind"])
    return f"{kind}: £{values['estimated_value']:,.2f}"


def _resource_changes(partnership, since):
    """Each resource added, changed or removed since `since`, from the audit history."""
    changes = []
    for model, kind in RESOURCE_MODELS:
        event_model = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
        field_names = [f.attname for f in model._meta.concrete_fields]
        then = {}
        for event in event_model.objects.filter(
            partnership_id=partnership.pk, pgh_created_at__lt=since
        ).order_by("pgh_created_at", "pgh_id"):
            then[event.pgh_obj_id] = {name: getattr(event, name) for name in field_names}
        now = {
            row["id"]: row
            for row in model.objects.filter(partnership=partnership).values(*field_names)
        }
        person_ids = {values.get("person_id") for values in [*then.values(), *now.values()]} - {
            None
        }
        people = (
            {p.pk: str(p) for p in Person.objects.filter(pk__in=person_ids)} if person_ids else {}
        )
        for pk in sorted(set(then) | set(now)):
            before = then.get(pk)
            after = now.get(pk)
            if before is None:
                changes.append(
                    ResourceChange(kind, "Added", "", _resource_label(model, after, people))
                )
            elif after is None:
                changes.append(
                    ResourceChange(kind, "Removed", _resource_label(model, before, people), "")
                )
            elif before != after:
                changes.append(
                    ResourceChange(
                        kind,
                        "Changed",
                        _resource_label(model, before, people),
                        _resource_label(model, after, people),
                    )
                )
    return changes


def _representative_changes(partnership, since_date, today):
    """Representatives appointed, or whose appointment ended, since `since_date`."""
    changes = []
    representations = partnership.representations.select_related("person").filter(
        Q(appointed_from__gt=since_date) | Q(appointed_to__gte=since_date, appointed_to__lte=today)
    )
    for rep in representations.order_by("appointed_from", "pk"):
        role = rep.role_other or rep.get_role_display()
        if rep.appointed_from and rep.appointed_from > since_date:
            changes.append(
                RepresentativeChange(str(rep.person), role, "Appointed", rep.appointed_from)
            )
        if rep.appointed_to and since_date <= rep.appointed_to <= today:
            changes.append(
                RepresentativeChange(str(rep.person), role, "Appointment ended", rep.appointed_to)
            )
    return changes


def changes_since_last_review(partnership, *, review=None):
    """What changed since the partnership's last completed review (or its approval)."""
    label, since_date, since = _baseline(partnership, review)
    today = timezone.localdate()
    changes = ChangesSinceReview(since_label=label, since_date=since_date)
    changes.resources = _resource_changes(partnership, since)
    changes.representatives = _representative_changes(partnership, since_date, today)
    risks = Risk.objects.filter(partnership=partnership).order_by("raised_on", "pk")
    changes.new_risks = list(risks.filter(Q(created_at__gte=since) | Q(raised_on__gt=since_date)))
    changes.closed_risks = list(
        risks.filter(status=Risk.Status.CLOSED, closed_on__gte=since_date).order_by("closed_on")
    )
    return changes
