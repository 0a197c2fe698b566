"""Annual reviews of partnerships, and the orderly exit that follows a decision to withdraw."""

from datetime import timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from partnerships_site.choices import ChoiceLabelsMixin
from register.models import CorporatePriority, Partnership, Person

# How far ahead the "Reviews due" list looks, in days.
REVIEW_DUE_WINDOW_DAYS = 60

# Statuses in which a partnership still has an annual review to come.
REVIEWABLE_STATUSES = [Partnership.Status.ACTIVE, Partnership.Status.UNDER_REVIEW]


def due_for_review(queryset=None, *, today=None, within_days=REVIEW_DUE_WINDOW_DAYS):
    """Partnerships whose annual review falls due within `within_days`, or is overdue."""
    queryset = Partnership.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    return queryset.filter(
        status__in=REVIEWABLE_STATUSES,
        next_review_due__lte=today + timedelta(days=within_days),
    )


class AnnualReviewQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(status=AnnualReview.Status.COMPLETED)

    def drafts(self):
        return self.filter(status=AnnualReview.Status.DRAFT)

    def current(self):
        """Completed reviews that no completed correction has replaced: the record as it stands."""
        corrected = AnnualReview.objects.filter(
            supersedes=OuterRef("pk"), status=AnnualReview.Status.COMPLETED
        )
        return self.completed().filter(~Exists(corrected))

    def with_people(self):
        return self.select_related(
            "partnership", "reviewer", "on_behalf_of", "completed_by", "supersedes", "correction"
        )


@pghistory.track()
class AnnualReview(ChoiceLabelsMixin, models.Model):
    """The council's annual review of one partnership: is it still worth taking part, and what
    was agreed (continue, continue with changes, or withdraw).

    Once completed it is locked; a correction is a new review that supersedes it, so the record
    of what was decided stays as it was.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Continue"
        CONTINUE_WITH_CHANGES = "continue_with_changes", "Continue with changes"
        WITHDRAW = "withdraw", "Withdraw"

    class YesNo(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    CONTINUING_OUTCOMES = [Outcome.CONTINUE, Outcome.CONTINUE_WITH_CHANGES]

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="annual_reviews"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="correction",
        verbose_name="corrects",
        help_text="The completed review this one corrects.",
    )

    # Who reviewed which period, and when.
    period_start = models.DateField("Period reviewed from")
    period_end = models.DateField("Period reviewed to")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="on behalf of",
        help_text="The sponsoring officer, when another officer carries out the review for them.",
    )
    review_date = models.DateField("Date of review")

    # The assessment.
    performance = models.TextField(
        "Performance against the agreed outcomes",
        blank=True,
        max_length=5000,
        help_text="What the partnership has delivered against the outcomes it agreed.",
    )
    value_for_money = models.TextField(
        "Value for money and added value",
        blank=True,
        max_length=5000,
        help_text="What the council gets from taking part that it could not get alone.",
    )
    costs_and_benefits = models.TextField(
        "Costs against benefits",
        blank=True,
        max_length=5000,
        help_text="Do the benefits still justify the money, time and other resources committed?",
    )
    risk_register_refreshed = models.CharField(
        "Has the risk register been reviewed and refreshed?",
        max_length=3,
        choices=YesNo,
        blank=True,
    )
    risk_register_note = models.TextField(
        "About the risk register",
        blank=True,
        max_length=2000,
        help_text="When it was last reviewed, or why it has not been.",
    )
    action_plans_refreshed = models.CharField(
        "Have the action plans been reviewed and refreshed by all partners?",
        max_length=3,
        choices=YesNo,
        blank=True,
    )
    resource_implications = models.TextField(
        "Resource implications",
        blank=True,
        max_length=5000,
        help_text="Changes to the money, officer time or other resources the council commits.",
    )
    equalities = models.TextField(
        "Equalities",
        blank=True,
        max_length=5000,
        help_text="Effects on people with protected characteristics, and whether the equality "
        "impact assessment still holds.",
    )

    # The outcome, and who agreed it.
    outcome = models.CharField("Outcome", max_length=25, choices=Outcome, blank=True)
    outcome_reasons = models.TextField("Reasons for the outcome", blank=True, max_length=5000)
    agreed_by = models.CharField(
        "Outcome agreed by",
        max_length=200,
        blank=True,
        help_text="The body or person who agreed the outcome: for example, Cabinet, or a name "
        "and job title.",
    )
    agreed_on = models.DateField("Date the outcome was agreed", null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = AnnualReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-review_date", "-pk"]
        get_latest_by = "completed_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="review_period_end_not_before_start",
                violation_error_message="The period reviewed cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    ~Q(outcome="")
                    & ~Q(outcome_reasons="")
                    & ~Q(agreed_by="")
                    & Q(agreed_on__isnull=False)
                    & Q(completed_at__isnull=False)
                    & Q(completed_by__isnull=False)
                ),
                name="completed_review_has_outcome",
                violation_error_message="A completed review needs an outcome, the reasons for it, "
                "and who agreed it and when.",
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(status="draft", supersedes__isnull=True),
                name="one_review_in_progress_per_partnership",
                violation_error_message="This partnership already has a review in progress.",
            ),
        ]
        triggers = [
            # The database itself refuses to change a completed review, whatever the route.
            pgtrigger.Protect(
                name="completed_review_is_locked",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="completed"),
            ),
        ]

    def __str__(self):
        label = "Correction of the annual review" if self.supersedes_id else "Annual review"
        return f"{label} of {self.partnership.reference}, {self.review_date:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.partnership.reference, self.pk])

    @property
    def is_locked(self):
        return self.status == self.Status.COMPLETED

    @property
    def is_withdrawal(self):
        return self.outcome == self.Outcome.WITHDRAW

    def missing_for_completion(self) -> dict[str, str]:
        """What the review still lacks before it can be completed, by field."""
        missing = {}
        if not self.outcome:
            missing["outcome"] = "Select the outcome of the review"
        if not self.outcome_reasons.strip():
            missing["outcome_reasons"] = "Enter the reasons for the outcome"
        if not self.agreed_by.strip():
            missing["agreed_by"] = "Enter who agreed the outcome"
        if not self.agreed_on:
            missing["agreed_on"] = "Enter the date the outcome was agreed"
        return missing


@pghistory.track()
class ReviewPriorityAlignment(ChoiceLabelsMixin, models.Model):
    """Whether, at an annual review, the partnership still serves one Corporate Plan priority."""

    class Aligned(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="alignments")
    priority = models.ForeignKey(
        CorporatePriority,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Corporate Plan priority",
    )
    aligned = models.CharField("Still aligned?", max_length=6, choices=Aligned, blank=True)
    comment = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["priority__position", "priority__name"]
        verbose_name = "alignment with a Corporate Plan priority"
        constraints = [
            models.UniqueConstraint(
                fields=["review", "priority"],
                name="one_alignment_per_priority",
                violation_error_message="This priority is already assessed in this review.",
            ),
        ]

    def __str__(self):
        return f"{self.priority}: {self.get_aligned_display() or 'not answered'}"


@pghistory.track()
class ExitStrategy(ChoiceLabelsMixin, models.Model):
    """The council's plan to leave a partnership in an orderly way, opened when a withdrawal is
    agreed at its annual review. Completing it closes the partnership."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    class ExitType(models.TextChoices):
        PLANNED = "planned", "Planned exit"
        UNPLANNED = "unplanned", "Unplanned exit"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="exit_strategies"
    )
    review = models.ForeignKey(
        AnnualReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="exit_strategies",
        verbose_name="review that agreed the withdrawal",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1, editable=False)

    exit_type = models.CharField("Type of exit", max_length=10, choices=ExitType, blank=True)
    intended_exit_date = models.DateField("Intended exit date", null=True, blank=True)
    notice_required = models.TextField(
        "Notice required",
        blank=True,
        max_length=2000,
        help_text="The notice the governing document asks for, to whom, and by when.",
    )
    liabilities = models.TextField(
        "Liabilities",
        blank=True,
        max_length=5000,
        help_text="Financial, legal and contractual liabilities to settle or that carry on.",
    )
    assets_and_staff = models.TextField(
        "Assets and staff",
        blank=True,
        max_length=5000,
        help_text="What happens to shared assets, equipment, premises and any staff.",
    )
    data_arrangements = models.TextField(
        "Data to be returned or destroyed",
        blank=True,
        max_length=5000,
        help_text="The information to be returned or securely destroyed under the information "
        "sharing protocol, and by whom.",
    )
    communications = models.TextField(
        "Communications",
        blank=True,
        max_length=5000,
        help_text="Who will be told, by whom and when: partners, staff, service users, the public.",
    )
    successor_arrangements = models.TextField(
        "Successor arrangements",
        blank=True,
        max_length=5000,
        help_text="Who takes the work on once the council leaves, or how it will end.",
    )
    signed_off_by = models.CharField(
        "Signed off by",
        max_length=200,
        blank=True,
        help_text="The name and job title of who signed off the exit.",
    )
    signed_off_on = models.DateField("Date signed off", null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "exit strategy"
        verbose_name_plural = "exit strategies"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership"],
                name="one_exit_strategy_per_partnership",
                violation_error_message="This partnership already has an exit strategy.",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | (
                    ~Q(exit_type="")
                    & Q(intended_exit_date__isnull=False)
                    & ~Q(signed_off_by="")
                    & Q(signed_off_on__isnull=False)
                    & Q(completed_at__isnull=False)
                ),
                name="completed_exit_strategy_is_signed_off",
                violation_error_message="A completed exit strategy needs its type of exit, "
                "intended exit date and sign-off.",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="completed_exit_strategy_is_locked",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="completed"),
            ),
        ]

    def __str__(self):
        return f"Exit strategy for {self.partnership.reference}"

    def get_absolute_url(self):
        return reverse("reviews:exit_strategy_detail", args=[self.partnership.reference])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def missing_for_completion(self) -> dict[str, str]:
        """What the strategy itself still lacks before the exit can be completed, by field."""
        missing = {}
        if not self.exit_type:
            missing["exit_type"] = "Say whether the exit is planned or unplanned"
        if not self.intended_exit_date:
            missing["intended_exit_date"] = "Enter the intended exit date"
        if not self.signed_off_by.strip():
            missing["signed_off_by"] = "Enter who signed off the exit"
        if not self.signed_off_on:
            missing["signed_off_on"] = "Enter the date the exit was signed off"
        return missing


class ExitActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=ExitAction.Status.COMPLETE)

    def owned_by(self, user):
        return self.filter(owner__user=user)

    def with_related(self):
        return self.select_related("owner", "strategy__partnership")


@pghistory.track()
class ExitAction(ChoiceLabelsMixin, models.Model):
    """One thing to be done for the council to leave a partnership cleanly, with its owner."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    strategy = models.ForeignKey(ExitStrategy, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("Action", max_length=500)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="exit_actions",
        help_text="The person who will see it done.",
    )
    due_date = models.DateField("Due by")
    status = models.CharField(max_length=12, choices=Status, default=Status.NOT_STARTED)
    completed_on = models.DateField("Date completed", null=True, blank=True)
    progress_note = models.TextField("Progress", blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExitActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "exit action"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="complete") | Q(completed_on__isnull=False),
                name="exit_action_complete_has_date",
                violation_error_message="Enter the date the action was completed.",
            ),
            models.CheckConstraint(
                condition=Q(status="complete") | Q(completed_on__isnull=True),
                name="exit_action_date_only_when_complete",
                violation_error_message="Only a completed action has a date completed.",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def is_complete(self):
        return self.status == self.Status.COMPLETE

    @property
    def is_overdue(self):
        return not self.is_complete and self.due_date < timezone.localdate()


@pghistory.track()
class NextReviewDateChange(models.Model):
    """A next annual review date Democratic Services set for a partnership, with their reason,
    in place of the usual 12 months."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="next_review_date_changes"
    )
    from_date = models.DateField("Was due", null=True, blank=True)
    to_date = models.DateField("Now due")
    reason = models.TextField(max_length=2000)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = "change of next review date"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="next_review_date_change_has_reason",
                violation_error_message="Give a reason for the new date.",
            ),
        ]

    def __str__(self):
        return f"{self.partnership.reference}: next review due {self.to_date:%d/%m/%Y}"
