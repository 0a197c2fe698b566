import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.utils import timezone

from partnerships_site.choices import ChoiceLabelsMixin
from partnerships_site.links import record_url


# Rows that belong to a partnership can be removed while it is a draft, so their removal is
# recorded as well as their creation and changes.
def child_row_events():
    # Trackers keep per-model state, so each model needs its own instances.
    return pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()


# Sane ceilings: a typing slip of a few extra zeros is refused, not stored.
MAX_AMOUNT = Decimal("1000000000.00")  # £1 billion
MAX_HOURS_PER_MONTH = Decimal("744")  # every hour of a 31-day month


@pghistory.track()
class Directorate(models.Model):
    """A directorate of the council, as Democratic Services list it."""

    name = models.CharField(max_length=150, unique=True)
    is_active = models.BooleanField(
        "In use",
        default=True,
        help_text="Untick to stop offering it on forms. Records that name it keep it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


@pghistory.track()
class Profile(ChoiceLabelsMixin, models.Model):
    """A signed-in person's details, as Section 1 of the registration form asks for them."""

    class DigestFrequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly, on Mondays"
        OFF = "off", "Never"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    job_title = models.CharField("Job title", max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    phone_extension = models.CharField("Extension", max_length=20, blank=True)
    digest_frequency = models.CharField(
        "How often to email you a reminder digest",
        max_length=10,
        choices=DigestFrequency,
        default=DigestFrequency.DAILY,
    )

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


@pghistory.track()
class CorporatePriority(models.Model):
    """A priority of the council's Corporate Plan, in the plan's own words."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("In use", default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "Corporate Plan priority"
        verbose_name_plural = "Corporate Plan priorities"

    def __str__(self):
        return self.name


@pghistory.track()
class SignificanceThreshold(models.Model):
    """The council's rule for a significant partnership (one row, kept by Democratic Services)."""

    annual_financial_commitment = models.DecimalField(
        "Annual financial commitment at or above (£)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("100000.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        help_text="A partnership is significant when the council commits this much or more "
        "in any one financial year.",
    )
    material_service_delivery = models.BooleanField(
        "Material service delivery makes a partnership significant",
        default=True,
        help_text="When ticked, a partnership whose form says it involves material service "
        "delivery is significant whatever the money.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "significance threshold"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="significance_threshold_single_row",
                violation_error_message="There is only one set of significance thresholds.",
            ),
            models.CheckConstraint(
                condition=Q(annual_financial_commitment__gte=0),
                name="significance_threshold_not_negative",
                violation_error_message="The threshold cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"Significant from £{self.annual_financial_commitment:,.2f} a year"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]


@pghistory.track()
class Organisation(ChoiceLabelsMixin, models.Model):
    """An organisation the council works with in one or more partnerships."""

    class Sector(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        VOLUNTARY = "voluntary", "Voluntary"
        COMMUNITY = "community", "Community"

    name = models.CharField("Name of organisation", max_length=200)
    sector = models.CharField(max_length=20, choices=Sector)
    registration_number = models.CharField(
        "Registration number",
        max_length=50,
        blank=True,
        help_text="Companies House or Charity Commission number, if it has one.",
    )
    website = models.URLField(blank=True)
    is_active = models.BooleanField("In use", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique",
                violation_error_message="An organisation with this name is already registered.",
            )
        ]

    def __str__(self):
        return self.name


@pghistory.track()
class Person(ChoiceLabelsMixin, models.Model):
    """Someone the register names: a councillor, a council officer or partner staff.

    Councillors and partner staff are often not users of the system, so a person is not a login;
    a person may be linked to a user account, and notices go to the person's email.
    """

    class Kind(models.TextChoices):
        COUNCILLOR = "councillor", "Councillor"
        OFFICER = "officer", "Council officer"
        PARTNER_STAFF = "partner_staff", "Partner staff"

    name = models.CharField("Full name", max_length=150)
    kind = models.CharField("Type", max_length=20, choices=Kind, default=Kind.OFFICER)
    job_title = models.CharField("Job title", max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="For partner staff.",
    )
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The person's sign-in, if they have one.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return self.display_name(self.name, self.kind)

    @classmethod
    def display_name(cls, name, kind):
        """How the register names a person: councillors as "Cllr"; for rows read as values."""
        if kind == cls.Kind.COUNCILLOR and not name.startswith("Cllr"):
            return f"Cllr {name}"
        return name

    @classmethod
    def for_user(cls, user):
        """The person record of a signed-in user, made from their account on first use."""
        person = cls.objects.filter(user=user).first()
        if person is None:
            profile = getattr(user, "profile", None)
            person = cls.objects.create(
                user=user,
                name=user.get_full_name() or user.get_username(),
                kind=cls.Kind.OFFICER,
                job_title=profile.job_title if profile else "",
                email=user.email,
            )
        return person


@pghistory.track()
class SentReminder(ChoiceLabelsMixin, models.Model):
    """A reminder email sent to one address for one period, so it is never sent twice.

    The row is claimed before the email goes, and the unique constraint decides between two
    runs of send_reminders at the same moment.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", "Reminder digest"
        OVERDUE_SUMMARY = "overdue_summary", "Overdue in your partnerships"

    recipient = models.EmailField()
    kind = models.CharField(max_length=20, choices=Kind)
    period = models.CharField(
        max_length=10, help_text="The day (2026-11-26) or ISO week (2026-W48) it covers."
    )
    item_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"],
                name="sent_reminder_once_per_period",
                violation_error_message="This reminder has already been sent for this period.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} for {self.period}"


class ReferenceCounter(models.Model):
    """The last partnership number issued in each year, for references like P-2026-014."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year: int) -> str:
        # One atomic statement, so two registrations at the same moment never share a number.
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (year, last_number) VALUES (%s, 1) "  # noqa: S608
                f"ON CONFLICT (year) DO UPDATE SET last_number = {table}.last_number + 1 "
                "RETURNING last_number",
                [year],
            )
            number = cursor.fetchone()[0]
        return f"P-{year}-{number:03d}"


class PartnershipQuerySet(models.QuerySet):
    def with_significance(self):
        """Annotate the largest yearly financial commitment and whether it is significant.

        Derived in the database from the resources and the council's current threshold, so the
        answer never drifts from the figures and the register can filter and sort on it.
        """
        yearly_totals = (
            FinancialContribution.objects.filter(partnership=OuterRef("pk"))
            .values("financial_year")
            .annotate(total=Sum("amount"))
            .order_by("-total")
            .values("total")[:1]
        )
        threshold = SignificanceThreshold.objects.filter(pk=1)
        return self.annotate(
            annual_commitment=Coalesce(
                Subquery(yearly_totals), Value(Decimal("0")), output_field=models.DecimalField()
            ),
            threshold_amount=Coalesce(
                Subquery(threshold.values("annual_financial_commitment")[:1]),
                Value(Decimal("100000")),
                output_field=models.DecimalField(),
            ),
            service_counts=Coalesce(
                Subquery(threshold.values("material_service_delivery")[:1]), Value(True)
            ),
        ).annotate(
            is_significant=Case(
                When(annual_commitment__gte=F("threshold_amount"), then=Value(True)),
                When(Q(material_service_delivery=True) & Q(service_counts=True), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def with_lead_partner_name(self):
        """Annotate the name of the partner marked as lead, for lead_organisation_name."""
        lead = PartnershipPartner.objects.filter(partnership=OuterRef("pk"), is_lead=True)
        return self.annotate(lead_partner_name=Subquery(lead.values("organisation__name")[:1]))

    def with_related(self):
        return self.select_related(
            "directorate", "sponsoring_officer", "monitoring_officer", "author"
        )

    def active(self):
        return self.filter(status__in=Partnership.LIVE_STATUSES)

    def public(self):
        return self.filter(status__in=Partnership.LIVE_STATUSES, is_confidential=False)

    def visible_to(self, user):
        """The partnerships this user may read: live ones, and drafts they have a hand in."""
        from register import rules as register_rules

        return self.visible_to_person(
            user.pk,
            everything=register_rules.sees_everything(user),
            approver=register_rules.is_approver(user),
        )

    def visible_to_person(self, user_id, *, everything, approver):
        """visible_to() for the person with this id, whose roles the caller has looked at."""
        if everything:
            return self
        involved = Q(author=user_id) | Q(sponsoring_officer=user_id) | Q(monitoring_officer=user_id)
        involved |= Exists(
            Representation.objects.filter(
                partnership=OuterRef("pk"),
                person__user=user_id,
                role=Representation.Role.MANAGER,
            )
        )
        if approver:
            involved |= Q(status=Partnership.Status.SUBMITTED)
        return self.filter(Q(status__in=Partnership.LIVE_STATUSES) | involved)


# A status's GOV.UK tag colour: green for live, blue waiting for a decision, and so on.
STATUS_TAG_COLOURS = {
    "active": "green",
    "submitted": "blue",
    "returned": "orange",
    "rejected": "red",
    "under_review": "yellow",
    "exiting": "purple",
}


@pghistory.track(exclude=["search_text", "name_sort"])
class Partnership(ChoiceLabelsMixin, models.Model):
    """A partnership the council takes part in, as entered on the register (Appendix 2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        REJECTED = "rejected", "Rejected"
        ACTIVE = "active", "Active"
        UNDER_REVIEW = "under_review", "Under review"
        EXITING = "exiting", "Exiting"
        CLOSED = "closed", "Closed"

    class CouncilRole(models.TextChoices):
        LEAD = "lead", "Lead member"
        REPRESENTATIVE = "representative", "Member (representative)"
        OTHER = "other", "Other"

    class GoverningDocument(models.TextChoices):
        LEGALLY_BINDING = "legally_binding", "Legally binding agreement"
        MOU = "mou", "Memorandum of understanding"
        STATEMENT_OF_INTENT = "statement_of_intent", "Statement of intent"
        PROTOCOL = "protocol", "Protocol"
        TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
        NONE_YET = "none_yet", "None yet"

    class Benefit(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure yet"

    # Statuses in which a partnership has been approved: readable by everyone signed in and, unless
    # confidential, listed on the public register.
    LIVE_STATUSES = [Status.ACTIVE, Status.UNDER_REVIEW, Status.EXITING, Status.CLOSED]
    # Statuses in which the author may still change the registration form.
    EDITABLE_BY_AUTHOR = [Status.DRAFT, Status.RETURNED]

    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The reference, name and purpose in lower case, for the register's search: kept by
    # PostgreSQL as they change, so a search compares one column with no case to fold. Left
    # out of the history, which has the columns it is made from.
    search_text = models.GeneratedField(
        expression=Lower(
            Concat(
                "reference",
                Value(" "),
                "name",
                Value(" "),
                "purpose",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    # The name in lower case, which the register sorts by, kept by PostgreSQL as the name
    # changes. Indexed with the id: the register's last page walks the index to skip the pages
    # before it, where an index on lower(name) alone left PostgreSQL to sort every partnership.
    # Left out of the history, which has the name.
    name_sort = models.GeneratedField(
        expression=Lower("name"), output_field=models.TextField(), db_persist=True
    )
    is_confidential = models.BooleanField(
        "Confidential",
        default=False,
        help_text="Confidential partnerships are left out of the public register.",
    )

    # Section 1: who completed the form, as it stood at submission.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_partnerships",
        verbose_name="completed by",
    )
    completed_by_name = models.CharField("Name", max_length=150, blank=True)
    completed_by_title = models.CharField("Title", max_length=150, blank=True)
    completed_by_directorate = models.CharField("Directorate", max_length=150, blank=True)
    completed_by_extension = models.CharField("Extension", max_length=20, blank=True)
    completed_by_role = models.CharField(
        "Role in the partnership",
        max_length=150,
        blank=True,
        help_text="For example, representative, chair, sponsor or manager.",
    )

    # Section 2: the partnership.
    name = models.CharField("Name of partnership", max_length=200)
    purpose = models.TextField(
        "Purpose of the partnership",
        blank=True,
        max_length=5000,
        help_text="What it is for and what it will do: a summary of its terms of reference.",
    )
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name="lead directorate",
    )
    sponsoring_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_partnerships",
        help_text="Usually a Head of Service: answers for the protocol on this partnership.",
    )
    monitoring_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_partnerships",
        verbose_name="officer accountable for monitoring performance",
    )
    council_role = models.CharField(
        "Role of the Council", max_length=20, choices=CouncilRole, blank=True
    )
    council_role_other = models.CharField("Describe the Council's role", max_length=500, blank=True)
    corporate_priorities = models.ManyToManyField(
        CorporatePriority,
        blank=True,
        related_name="partnerships",
        verbose_name="Corporate Plan priorities",
    )
    corporate_plan_contribution = models.TextField(
        "Contribution towards the Corporate Plan",
        blank=True,
        max_length=5000,
        help_text="How the partnership contributes, in the Corporate Plan's terms.",
    )
    material_service_delivery = models.BooleanField(
        "Involves material service delivery",
        default=False,
        help_text="The partnership delivers, or changes how the council delivers, a service "
        "to a material level or of a material nature.",
    )
    start_date = models.DateField("Start date", null=True, blank=True)
    end_date = models.DateField(
        "End date", null=True, blank=True, help_text="Leave blank if it has no set end."
    )
    governing_document_type = models.CharField(
        "Governing document", max_length=30, choices=GoverningDocument, blank=True
    )
    governing_document_date = models.DateField("Date of governing document", null=True, blank=True)

    # Section 3: risk.
    has_risk_register = models.BooleanField(
        "Does the partnership have a risk register?", null=True, blank=True
    )
    no_risk_register_reason = models.TextField("If not, why not", blank=True, max_length=2000)
    risk_manager = models.CharField(
        "Who is responsible for managing risk for the partnership?", max_length=200, blank=True
    )

    # Evaluation (the protocol's "Evaluation" section).
    evaluation_risks_rewards = models.TextField(
        "Risks and rewards to the Council and local communities", blank=True, max_length=5000
    )
    evaluation_legal = models.TextField("Legal issues", blank=True, max_length=5000)
    evaluation_insurance = models.TextField("Insurance", blank=True, max_length=5000)
    evaluation_constitution = models.TextField(
        "Implications arising from the Council's Constitution", blank=True, max_length=5000
    )
    evaluation_financial_regulations = models.TextField(
        "Financial regulations", blank=True, max_length=5000
    )
    evaluation_procurement = models.TextField(
        "Partnership procurement", blank=True, max_length=5000
    )
    benefits_justify_costs = models.CharField(
        "Are the benefits likely to justify the costs of membership?",
        max_length=10,
        choices=Benefit,
        blank=True,
    )
    benefits_notes = models.TextField("Why", blank=True, max_length=5000)

    # Lifecycle dates.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField("Next review due", null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="partnership_status_idx"),
            models.Index(fields=["name_sort", "id"], name="partnership_name_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="partnership_end_not_before_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = ReferenceCounter.next_reference(timezone.localdate().year)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return record_url("register:partnership_detail", self.reference)

    @property
    def status_colour(self):
        """The colour of the status's GOV.UK tag."""
        return STATUS_TAG_COLOURS.get(self.status, "grey")

    @property
    def is_draft_like(self):
        return self.status in self.EDITABLE_BY_AUTHOR

    @property
    def lead_organisation_name(self):
        """The council when it leads; otherwise the partner marked as lead."""
        if self.council_role == self.CouncilRole.LEAD:
            return settings.COUNCIL_NAME
        if hasattr(self, "lead_partner_name"):  # read by with_lead_partner_name()
            return self.lead_partner_name or ""
        for partner in self.partners.all():
            if partner.is_lead:
                return partner.organisation.name
        return ""

    def significance_reasons(self):
        """Plain-words reasons why the partnership is significant (empty when it is not).

        Needs the with_significance() annotations.
        """
        reasons = []
        if self.annual_commitment >= self.threshold_amount:
            reasons.append(
                f"The council commits £{self.annual_commitment:,.2f} in one financial year, "
                f"at or above the £{self.threshold_amount:,.2f} threshold."
            )
        if self.material_service_delivery and self.service_counts:
            reasons.append("It involves material service delivery.")
        return reasons


@pghistory.track(*child_row_events())
class PartnershipPartner(models.Model):
    """An organisation taking part in a partnership, and whether it leads it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    is_lead = models.BooleanField("Leads the partnership", default=False)

    class Meta:
        ordering = ["-is_lead", "organisation__name"]
        verbose_name = "partner"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="partner_once_per_partnership",
                violation_error_message="This organisation is already a partner.",
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(is_lead=True),
                name="one_lead_partner",
                violation_error_message="Only one partner can lead the partnership.",
            ),
        ]

    def __str__(self):
        return str(self.organisation)


@pghistory.track(*child_row_events())
class Representation(ChoiceLabelsMixin, models.Model):
    """A councillor or officer representing the council on a partnership, in a role."""

    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", "Representative"
        SUBSTITUTE = "substitute", "Substitute"
        CHAIR = "chair", "Chair"
        SPONSOR = "sponsor", "Sponsor"
        MANAGER = "manager", "Manager"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="representations"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="representations")
    role = models.CharField(max_length=20, choices=Role, default=Role.REPRESENTATIVE)
    role_other = models.CharField("Other role", max_length=100, blank=True)
    appointed_from = models.DateField("Appointed from", null=True, blank=True)
    appointed_to = models.DateField("Appointed to", null=True, blank=True)

    class Meta:
        ordering = ["role", "person__name"]
        verbose_name = "representative"
        constraints = [
            models.CheckConstraint(
                condition=Q(appointed_to__isnull=True)
                | Q(appointed_from__isnull=True)
                | Q(appointed_to__gte=F("appointed_from")),
                name="representation_to_not_before_from",
                violation_error_message="The appointment cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class FinancialYearField(models.PositiveSmallIntegerField):
    """A financial year, stored as the year it starts in (2026 means 2026/27)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [MinValueValidator(2000), MaxValueValidator(2100)])
        super().__init__(*args, **kwargs)


def financial_year_label(year: int | None) -> str:
    return f"{year}/{(year + 1) % 100:02d}" if year else ""


def current_financial_year(today=None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


@pghistory.track(*child_row_events())
class FinancialContribution(ChoiceLabelsMixin, models.Model):
    """Money the council commits to a partnership in a financial year."""

    class Form(models.TextChoices):
        GRANT = "grant", "Grant"
        DIVERSION = "diversion", "Diversion of existing budgets"
        POOLED = "pooled", "Pooled budget"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="financial_contributions"
    )
    amount = models.DecimalField(
        "Amount (£)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    form = models.CharField("Form", max_length=20, choices=Form)
    form_other = models.CharField("Other form", max_length=200, blank=True)
    is_budgeted = models.BooleanField("Budgeted", default=True)
    financial_year = FinancialYearField("Financial year")

    class Meta:
        ordering = ["financial_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount__lt=MAX_AMOUNT),
                name="financial_amount_in_range",
                violation_error_message="Enter an amount from £0 to under £1,000,000,000.",
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=2000) & Q(financial_year__lte=2100),
                name="financial_year_in_range",
                violation_error_message="Enter a financial year from 2000/01 to 2100/01.",
            ),
        ]

    def __str__(self):
        return f"£{self.amount:,.2f} {self.get_form_display().lower()}, {self.financial_year_label}"

    @property
    def financial_year_label(self):
        return financial_year_label(self.financial_year)


@pghistory.track(*child_row_events())
class OfficerTime(models.Model):
    """An officer's time committed to a partnership."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="officer_time"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="officer_time")
    hours_per_month = models.DecimalField(
        "Estimated hours a month",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS_PER_MONTH)],
    )
    financial_year = FinancialYearField("Financial year", null=True, blank=True)

    class Meta:
        ordering = ["person__name"]
        verbose_name_plural = "officer time"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_month__gte=0) & Q(hours_per_month__lte=744),
                name="officer_hours_in_range",
                violation_error_message="Enter from 0 to 744 hours a month.",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.hours_per_month} hours a month"


@pghistory.track(*child_row_events())
class InKindContribution(ChoiceLabelsMixin, models.Model):
    """A contribution in kind: support, accommodation, postage, printing, equipment..."""

    class Kind(models.TextChoices):
        ADMIN_SUPPORT = "admin_support", "Administrative support"
        ACCOMMODATION = "accommodation", "Office accommodation"
        POSTAGE = "postage", "Postage"
        PHOTOCOPYING = "photocopying", "Photocopying"
        PRINTING = "printing", "Printing"
        EQUIPMENT = "equipment", "Equipment (such as computers)"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="in_kind_contributions"
    )
    kind = models.CharField("Kind", max_length=20, choices=Kind)
    description = models.CharField(max_length=300, blank=True)
    estimated_value = models.DecimalField(
        "Estimated value a year (£)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )
    financial_year = FinancialYearField("Financial year", null=True, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = "in-kind contribution"
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0) & Q(estimated_value__lt=MAX_AMOUNT),
                name="in_kind_value_in_range",
                violation_error_message="Enter a value from £0 to under £1,000,000,000.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: £{self.estimated_value:,.2f}"


@pghistory.track()
class ChecklistConsideration(ChoiceLabelsMixin, models.Model):
    """A point to consider when setting up a partnership (Appendix 1), kept as data."""

    class Section(models.TextChoices):
        GENERAL = "general", "General"
        AGREEMENT = "agreement", "Written agreement or governing document"
        CONSTITUTION = "constitution", "Constitution of the partnership"
        DELEGATED_POWERS = "delegated_powers", "Delegated powers"

    section = models.CharField(max_length=20, choices=Section)
    question = models.CharField(max_length=300)
    hint = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("In use", default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                name="checklist_question_unique",
                violation_error_message="This consideration is already on the checklist.",
            )
        ]

    def __str__(self):
        return self.question


@pghistory.track(*child_row_events())
class ChecklistAnswer(ChoiceLabelsMixin, models.Model):
    """A partnership's answer to one set-up consideration."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_APPLICABLE = "na", "Not applicable"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="checklist_answers"
    )
    consideration = models.ForeignKey(
        ChecklistConsideration, on_delete=models.PROTECT, related_name="answers"
    )
    answer = models.CharField(max_length=3, choices=Answer, blank=True)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["consideration__position", "consideration__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "consideration"],
                name="one_answer_per_consideration",
                violation_error_message="This consideration already has an answer.",
            )
        ]

    def __str__(self):
        return f"{self.consideration}: {self.get_answer_display() or 'not answered'}"


def document_upload_to(instance, filename):
    return f"partnerships/{instance.partnership.reference}/{uuid.uuid4().hex}/{filename}"


DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv"]


@pghistory.track(*child_row_events())
class Document(ChoiceLabelsMixin, models.Model):
    """A document kept with a partnership's record: its governing document, terms of reference..."""

    class Type(models.TextChoices):
        GOVERNING_DOCUMENT = "governing", "Governing document"
        TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference"
        EQUALITY_IMPACT = "equality_impact", "Equality impact assessment"
        INFORMATION_SHARING = "information_sharing", "Information sharing protocol"
        EXIT_STRATEGY = "exit_strategy", "Exit strategy"
        RISK_REGISTER = "risk_register", "Risk register"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField("Type of document", max_length=30, choices=Type)
    title = models.CharField(max_length=200)
    document_date = models.DateField("Date of document", null=True, blank=True)
    file = models.FileField(
        upload_to=document_upload_to,
        max_length=300,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    is_archived = models.BooleanField(
        "Archived", default=False, help_text="Archived documents are kept but no longer listed."
    )

    class Meta:
        ordering = ["document_type", "-document_date", "pk"]

    def __str__(self):
        return self.title


@pghistory.track()
class StatusChange(ChoiceLabelsMixin, models.Model):
    """One step in a partnership's lifecycle: who moved it, when, and why."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=Partnership.Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Partnership.Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.partnership.reference}: {self.from_status} to {self.to_status}"


@pghistory.track()
class ApprovalDecision(ChoiceLabelsMixin, models.Model):
    """The decision on a submitted registration: approved, returned for changes or rejected."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"
        REJECTED = "rejected", "Rejected"

    class Body(models.TextChoices):
        CABINET = "cabinet", "Cabinet"
        CHIEF_EXECUTIVE = "chief_executive", "Chief Executive"
        DELEGATED_OFFICER = "delegated_officer", "Delegated officer"
        DEMOCRATIC_SERVICES = "democratic_services", "Democratic Services"
        SPONSORING_OFFICER = "sponsoring_officer", "Sponsoring officer"

    SIGNIFICANT_BODIES = [Body.CABINET, Body.CHIEF_EXECUTIVE]

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision)
    decision_body = models.CharField("Decision body", max_length=30, choices=Body)
    decided_on = models.DateField("Date of decision")
    decision_reference = models.CharField(
        "Decision reference",
        max_length=300,
        blank=True,
        help_text="The minute number, or a link to the published decision.",
    )
    reason = models.TextField(
        "Reason", blank=True, max_length=5000, help_text="Required when returning or rejecting."
    )
    was_significant = models.BooleanField(
        "Significant when decided",
        default=False,
        help_text="Whether the partnership was significant when the decision was recorded.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        get_latest_by = "recorded_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="approved") | ~Q(reason=""),
                name="decision_reason_when_not_approved",
                violation_error_message="Give a reason when returning or rejecting.",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.get_decision_body_display()}"


# Choosing and unchoosing Corporate Plan priorities is part of a partnership's history too.
PartnershipPriorityEvent = pghistory.create_event_model(
    Partnership.corporate_priorities.through,
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    model_name="PartnershipPriorityEvent",
    abstract=False,
)


class PageChange(models.Model):
    """A committed change to what a partnership's page shows. Written by the database only.

    Triggers (migration 0008) add a row for every audit event: with the partnership's id for a
    change to the partnership or to a row of its own (a partner, a risk, a review...), and
    without one for a change to what any partnership's page may name (a directorate, an
    organisation, a person, a user's name...). So the number of rows for a partnership, with the
    number of rows without one, grows when, and only when, a change to what its page shows is
    committed: register/page_cache.py keys the drawn page on the two. The rows are only counted,
    never read one by one, and an insert takes no lock that another writer could wait for.
    """

    partnership_id = models.BigIntegerField(null=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["partnership_id"], name="pagechange_partnership_idx")]

    def __str__(self):
        if self.partnership_id is None:
            return f"Change {self.pk} to every partnership's page"
        return f"Change {self.pk} to the page of partnership {self.partnership_id}"
