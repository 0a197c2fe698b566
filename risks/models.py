"""Risk registers: each partnership's risks, their controls and actions, reviews and escalations.

The risk matrix (its size, the wording of each level, the score bands with their colours and
review cadences, and when a risk goes to the Partnership Board) is data kept in admin, so nothing
about it is written into templates or views. Scores are likelihood x impact, always derived.
"""

from dataclasses import dataclass
from functools import cache

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, JSONObject, RowNumber, Substr
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from partnerships_site.choices import ChoiceLabelsMixin
from partnerships_site.compiled import compiled_once, compiled_query
from partnerships_site.links import record_url
from register.models import Partnership, Person

# The widest matrix the council may configure. Each likelihood and impact column is checked
# against this absolute range in the database; the council's current size is checked as well,
# by model and form validation and by a trigger (see Risk.Meta.triggers).
MIN_MATRIX_SIZE = 3
MAX_MATRIX_SIZE = 10
# A risk is scored three times: before controls, now, and the target once actions are done.
SCORE_KINDS = ("inherent", "actual", "residual")

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits.")

# WCAG 2.2 AA: normal-sized text needs 4.5:1 against its background.
MINIMUM_CONTRAST = 4.5


def _relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted(
        (_relative_luminance(first), _relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def score_range_condition(prefix=""):
    """Every likelihood and impact column within the widest matrix the council may configure."""
    condition = Q()
    for kind in SCORE_KINDS:
        for axis in ("likelihood", "impact"):
            name = f"{prefix}{kind}_{axis}"
            condition &= Q(**{f"{name}__gte": 1, f"{name}__lte": MAX_MATRIX_SIZE})
    return condition


def residual_not_above_inherent():
    return LessThanOrEqual(
        F("residual_likelihood") * F("residual_impact"),
        F("inherent_likelihood") * F("inherent_impact"),
    )


SCORE_FIELDS = [f"{kind}_{axis}" for kind in SCORE_KINDS for axis in ("likelihood", "impact")]


def scores_within_matrix_trigger(table: str):
    """A trigger refusing scores above the council's current matrix size.

    A CHECK constraint cannot read another table, and a foreign key from each score to a level
    row would stop the council ever resizing its matrix, so the size (kept as data) is checked
    here instead, on every insert and on any update that changes a score.
    """
    columns = ", ".join(f"NEW.{name}" for name in SCORE_FIELDS)
    changed = " OR ".join(f"NEW.{name} IS DISTINCT FROM OLD.{name}" for name in SCORE_FIELDS)
    # Every name in the SQL comes from this module's constants, never from input.
    return pgtrigger.Trigger(
        name="scores_within_matrix",
        operation=pgtrigger.Insert | pgtrigger.Update,
        when=pgtrigger.Before,
        func=f"""
            IF TG_OP = 'INSERT' OR {changed} THEN
                IF GREATEST({columns}) > COALESCE(
                    (SELECT size FROM risks_riskmatrix WHERE id = 1), {MAX_MATRIX_SIZE}
                ) THEN
                    RAISE EXCEPTION 'A likelihood or impact in {table} is outside the risk matrix'
                        USING ERRCODE = 'check_violation';
                END IF;
            END IF;
            RETURN NEW;
        """,  # noqa: S608
    )


# The matrix as one page request sees it ---------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One step on the likelihood or impact axis, such as 4 "Likely"."""

    value: int
    label: str = ""
    description: str = ""

    def __str__(self):
        return f"{self.value} {self.label}".strip()


@dataclass(frozen=True)
class Band:
    """A score band (e.g. High, 10 to 15) as loaded for one request."""

    pk: int
    name: str
    min_score: int
    max_score: int
    colour: str
    text_colour: str
    review_cadence_months: int
    position: int

    @property
    def css_class(self):
        return f"app-risk-band--{self.pk}"

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class Score:
    """A likelihood and impact on the matrix, their product and its band."""

    likelihood: Level
    impact: Level
    band: Band | None

    @property
    def value(self):
        return self.likelihood.value * self.impact.value

    @property
    def description(self):
        band = f", {self.band.name}" if self.band else ""
        return f"Likelihood {self.likelihood}, impact {self.impact}: score {self.value}{band}"

    def __str__(self):
        return f"{self.value} {self.band.name}" if self.band else str(self.value)


def _levels(model):
    return ArraySubquery(
        model.objects.filter(matrix=OuterRef("pk"), value__lte=OuterRef("size"))
        .order_by("value")
        .values(json=JSONObject(value="value", label="label", description="description"))
    )


def _bands():
    return ArraySubquery(
        ScoreBand.objects.filter(matrix=OuterRef("pk"))
        .order_by("min_score", "position")
        .values(
            json=JSONObject(
                pk="pk",
                name="name",
                min_score="min_score",
                max_score="max_score",
                colour="colour",
                text_colour="text_colour",
                review_cadence_months="review_cadence_months",
                position="position",
            )
        )
    )


@cache  # every page with scores loads the matrix: its SQL is built once per process
def _matrix_rows():
    return {
        "likelihood_rows": compiled_once(RiskMatrix, lambda: _levels(LikelihoodLevel)),
        "impact_rows": compiled_once(RiskMatrix, lambda: _levels(ImpactLevel)),
        "band_rows": compiled_once(RiskMatrix, _bands),
    }


# The matrix with its levels and bands, in one query compiled once (partnerships_site.compiled).
_read_matrix = compiled_query(
    lambda: (
        RiskMatrix.objects.filter(pk=1)
        .annotate(**{name: build() for name, build in _matrix_rows().items()})
        .values("size", "escalation_threshold", "likelihood_rows", "impact_rows", "band_rows")
    )
)


@dataclass(frozen=True)
class Matrix:
    """The council's risk matrix, loaded once per request in a single query."""

    size: int
    escalation_threshold: int
    likelihoods: tuple
    impacts: tuple
    bands: tuple

    @classmethod
    def load(cls):
        row = _read_matrix.first()
        if row is None:
            # The data migration seeds the matrix; an empty table means it was emptied by hand.
            matrix = RiskMatrix.current()
            return cls(matrix.size, matrix.escalation_threshold, (), (), ())

        def fill(rows, size):
            named = {r["value"]: Level(r["value"], r["label"], r["description"]) for r in rows}
            return tuple(named.get(value, Level(value)) for value in range(1, size + 1))

        return cls(
            size=row["size"],
            escalation_threshold=row["escalation_threshold"],
            likelihoods=fill(row["likelihood_rows"], row["size"]),
            impacts=fill(row["impact_rows"], row["size"]),
            bands=tuple(Band(**band) for band in row["band_rows"]),
        )

    @classmethod
    def for_request(cls, request):
        """The matrix, loaded on first use and kept for the rest of the request."""
        if not hasattr(request, "_risk_matrix"):
            request._risk_matrix = cls.load()
        return request._risk_matrix

    @property
    def values(self):
        return range(1, self.size + 1)

    @property
    def max_score(self):
        return self.size * self.size

    def likelihood(self, value):
        return self.likelihoods[value - 1] if 1 <= value <= self.size else Level(value)

    def impact(self, value):
        return self.impacts[value - 1] if 1 <= value <= self.size else Level(value)

    def band_for(self, score):
        for band in self.bands:
            if band.min_score <= score <= band.max_score:
                return band
        return None

    def score(self, likelihood, impact):
        return Score(
            self.likelihood(likelihood), self.impact(impact), self.band_for(likelihood * impact)
        )

    def contains(self, value):
        return value is not None and 1 <= value <= self.size

    def is_flagged(self, score):
        """Whether an actual score is high enough to go to the Partnership Board."""
        return score >= self.escalation_threshold

    def band_by_pk(self, pk):
        return next((band for band in self.bands if str(band.pk) == str(pk)), None)


# Configuration, kept in admin ------------------------------------------------------------------


@pghistory.track()
class RiskMatrix(models.Model):
    """The council's risk matrix: how many levels each axis has and when to tell the board.

    One row, kept by Democratic Services with the risk management team. Its levels and score
    bands hang off it.
    """

    size = models.PositiveSmallIntegerField(
        "Levels on each axis",
        default=5,
        validators=[MinValueValidator(MIN_MATRIX_SIZE), MaxValueValidator(MAX_MATRIX_SIZE)],
        help_text=f"Likelihood and impact each run from 1 to this number "
        f"({MIN_MATRIX_SIZE} to {MAX_MATRIX_SIZE}).",
    )
    escalation_threshold = models.PositiveSmallIntegerField(
        "Report to the Partnership Board at an actual score of",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MATRIX_SIZE * MAX_MATRIX_SIZE)],
        help_text="A risk whose actual score is this or more is flagged for the Partnership Board.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "risk matrix"
        verbose_name_plural = "risk matrix"
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="risk_matrix_single_row",
                violation_error_message="There is only one risk matrix.",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=MIN_MATRIX_SIZE, size__lte=MAX_MATRIX_SIZE),
                name="risk_matrix_size_in_range",
                violation_error_message=f"The matrix has from {MIN_MATRIX_SIZE} to "
                f"{MAX_MATRIX_SIZE} levels on each axis.",
            ),
            models.CheckConstraint(
                condition=Q(escalation_threshold__gte=1)
                & Q(escalation_threshold__lte=F("size") * F("size")),
                name="risk_matrix_threshold_on_matrix",
                violation_error_message="The board threshold must be a score on the matrix.",
            ),
        ]

    def __str__(self):
        return f"{self.size} x {self.size} risk matrix"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        if self.size is None:
            return
        outside = Risk.objects.exclude(
            **{f"{name}__lte": self.size for name in SCORE_FIELDS}
        ).count()
        if outside:
            raise ValidationError(
                {
                    "size": f"{outside} risk(s) have a likelihood or impact above {self.size}. "
                    "Rescore them before making the matrix smaller."
                }
            )

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]


class MatrixLevel(models.Model):
    """A step on one axis of the risk matrix, with the council's wording for it."""

    matrix = models.ForeignKey(RiskMatrix, on_delete=models.CASCADE, default=1)
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MATRIX_SIZE)]
    )
    label = models.CharField(max_length=50)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["value"]

    def __str__(self):
        return f"{self.value} {self.label}"


@pghistory.track()
class LikelihoodLevel(MatrixLevel):
    """How likely a risk is to happen, at one step of the matrix (e.g. 4 "Likely")."""

    class Meta(MatrixLevel.Meta):
        default_related_name = "likelihood_levels"
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "value"],
                name="likelihood_level_once",
                violation_error_message="This likelihood level is already described.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=MAX_MATRIX_SIZE),
                name="likelihood_level_in_range",
                violation_error_message=f"A level is from 1 to {MAX_MATRIX_SIZE}.",
            ),
        ]


@pghistory.track()
class ImpactLevel(MatrixLevel):
    """How serious a risk's impact would be, at one step of the matrix (e.g. 5 "Critical")."""

    class Meta(MatrixLevel.Meta):
        default_related_name = "impact_levels"
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "value"],
                name="impact_level_once",
                violation_error_message="This impact level is already described.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1, value__lte=MAX_MATRIX_SIZE),
                name="impact_level_in_range",
                violation_error_message=f"A level is from 1 to {MAX_MATRIX_SIZE}.",
            ),
        ]


@pghistory.track()
class ScoreBand(models.Model):
    """A band of scores (such as High, 10 to 15), its colour and its risks' review cadence."""

    matrix = models.ForeignKey(
        RiskMatrix, on_delete=models.CASCADE, default=1, related_name="bands"
    )
    name = models.CharField(max_length=50)
    min_score = models.PositiveSmallIntegerField("Lowest score")
    max_score = models.PositiveSmallIntegerField("Highest score")
    colour = models.CharField(
        max_length=7,
        validators=[HEX_COLOUR],
        help_text="Background colour, such as #d4351c.",
    )
    text_colour = models.CharField(
        max_length=7,
        default="#0b0c0c",
        validators=[HEX_COLOUR],
        help_text=f"Text on the colour; it must contrast at least {MINIMUM_CONTRAST}:1.",
    )
    review_cadence_months = models.PositiveSmallIntegerField(
        "Review every (months)",
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How soon a risk in this band is reviewed again after each review.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["min_score", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "name"],
                name="score_band_name_once",
                violation_error_message="There is already a band with this name.",
            ),
            models.CheckConstraint(
                condition=Q(min_score__gte=1) & Q(max_score__gte=F("min_score")),
                name="score_band_range_in_order",
                violation_error_message="The highest score cannot be below the lowest.",
            ),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$")
                & Q(text_colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="score_band_colours_are_hex",
                violation_error_message="Enter colours as # and six hex digits.",
            ),
            models.CheckConstraint(
                condition=Q(review_cadence_months__gte=1, review_cadence_months__lte=60),
                name="score_band_cadence_in_range",
                violation_error_message="Review every 1 to 60 months.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.min_score} to {self.max_score})"

    def clean(self):
        try:
            HEX_COLOUR(self.colour)
            HEX_COLOUR(self.text_colour)
        except ValidationError:
            return
        ratio = contrast_ratio(self.colour, self.text_colour)
        if ratio < MINIMUM_CONTRAST:
            raise ValidationError(
                {
                    "text_colour": f"The text colour contrasts only {ratio:.1f}:1 with the band "
                    f"colour; choose one that reaches {MINIMUM_CONTRAST}:1 so everyone can read it."
                }
            )


# Risks ----------------------------------------------------------------------------------------


class RiskQuerySet(models.QuerySet):
    def with_scores(self):
        """Annotate the three scores, likelihood x impact, so lists can sort and filter on them."""
        return self.annotate(
            inherent_score=F("inherent_likelihood") * F("inherent_impact"),
            actual_score=F("actual_likelihood") * F("actual_impact"),
            residual_score=F("residual_likelihood") * F("residual_impact"),
            number=Cast(Substr("reference", 2), IntegerField()),
        )

    def with_register_columns(self):
        """Scores, owner, open and overdue action counts and the latest escalation, in one query."""
        today = timezone.localdate()
        open_actions = Action.objects.filter(risk=OuterRef("pk")).exclude(
            status=Action.Status.COMPLETE
        )
        latest_escalation = Escalation.objects.filter(risk=OuterRef("pk")).order_by(
            "-reported_on", "-pk"
        )
        return (
            self.with_scores()
            .select_related("owner", "partnership")
            .annotate(
                open_actions=Coalesce(
                    Subquery(
                        open_actions.values("risk").annotate(n=models.Count("pk")).values("n")
                    ),
                    Value(0),
                ),
                overdue_actions=Coalesce(
                    Subquery(
                        open_actions.filter(estimated_completion__lt=today)
                        .values("risk")
                        .annotate(n=models.Count("pk"))
                        .values("n")
                    ),
                    Value(0),
                ),
                last_reported_on=Subquery(latest_escalation.values("reported_on")[:1]),
                last_board_response=Subquery(latest_escalation.values("board_response")[:1]),
                last_reviewed_on=Subquery(
                    RiskReview.objects.filter(risk=OuterRef("pk"))
                    .order_by("-reviewed_on", "-pk")
                    .values("reviewed_on")[:1]
                ),
            )
        )

    def register_values_sql(self, *fields):
        """SQL and parameters for values_list(*fields) followed by with_register_columns()'s
        open_actions, overdue_actions, last_reported_on, last_board_response and
        last_reviewed_on, then the row's position, in this queryset's order. A query wrapped
        round this one (the export's) orders by the position again, as SQL promises no order
        for a subquery's rows.

        with_register_columns() reads those five with a subquery for each risk, which suits a
        page of 50. A download of every risk instead joins each related table once, grouped by
        risk, which takes PostgreSQL under half the time for 100,000 risks; the grouped tables
        are the querysets below, so the rules (what is open, which report is the latest) are
        the same ones.
        """
        today = timezone.localdate()
        actions = (
            Action.objects.open()
            .order_by()
            .values("risk")
            .annotate(
                open_actions=models.Count("pk"),
                overdue_actions=models.Count("pk", filter=Q(estimated_completion__lt=today)),
            )
        )
        latest_escalations = (
            Escalation.objects.order_by("risk", "-reported_on", "-pk")
            .distinct("risk")
            .values("risk", "reported_on", "board_response")
        )
        latest_reviews = (
            RiskReview.objects.order_by().values("risk").annotate(last=models.Max("reviewed_on"))
        )
        # The outer query has no ordering of its own to lose, so the rows are numbered in this
        # queryset's order first and put back in that order at the end.
        ordering = [*(self.query.order_by or self.model._meta.ordering), "pk"]
        risks = (
            self.annotate(export_position=Window(RowNumber(), order_by=ordering))
            .order_by()
            .values_list("export_position", "pk", *fields)
        )
        columns = [f"c{number}" for number in range(len(fields))]
        parts = [risks, actions, latest_escalations, latest_reviews]
        compiled = [part.query.sql_with_params() for part in parts]
        # Every name below is written here; the querysets' own SQL comes from Django.
        sql = f"""
            SELECT {", ".join(f"r.{column}" for column in columns)},
                COALESCE(a.open_actions, 0), COALESCE(a.overdue_actions, 0),
                e.reported_on, e.board_response, v.reviewed_on, r.position
            FROM ({compiled[0][0]}) AS r(position, risk_id, {", ".join(columns)})
            LEFT JOIN ({compiled[1][0]}) AS a(risk_id, open_actions, overdue_actions)
                ON a.risk_id = r.risk_id
            LEFT JOIN ({compiled[2][0]}) AS e(risk_id, reported_on, board_response)
                ON e.risk_id = r.risk_id
            LEFT JOIN ({compiled[3][0]}) AS v(risk_id, reviewed_on) ON v.risk_id = r.risk_id
            ORDER BY r.position
        """  # noqa: S608
        return sql, tuple(param for _, params in compiled for param in params)

    def open(self):
        return self.filter(status=Risk.Status.OPEN)

    def review_overdue(self, today=None):
        return self.open().filter(next_review_due__lt=today or timezone.localdate())

    def flagged(self, matrix):
        """Open risks whose actual score puts them before the Partnership Board."""
        return self.open().filter(
            GreaterThanOrEqual(
                F("actual_likelihood") * F("actual_impact"), matrix.escalation_threshold
            )
        )

    def escalated(self):
        return self.filter(Exists(Escalation.objects.filter(risk=OuterRef("pk"))))

    def awaiting_report(self, matrix):
        """Flagged for the board, but no report to the board recorded yet."""
        return self.flagged(matrix).exclude(Exists(Escalation.objects.filter(risk=OuterRef("pk"))))

    def with_overdue_actions(self, today=None):
        return self.filter(Exists(Action.objects.filter(risk=OuterRef("pk")).overdue(today)))

    def visible_to(self, user):
        """Risks of the partnerships this user may read."""
        from register import rules as register_rules

        if register_rules.sees_everything(user):
            return self  # no filter to work out for each of the council's risks
        return self.filter(partnership__in=Partnership.objects.visible_to(user))

    def in_register_order(self):
        """Highest actual score first, then by reference number."""
        return self.with_scores().order_by("-actual_score", "-inherent_score", "number")


@pghistory.track()
class Risk(ChoiceLabelsMixin, models.Model):
    """A risk on a partnership's risk register: its cause, event and impact, owner and scores."""

    class Category(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        FINANCIAL = "financial", "Financial"
        OPERATIONAL = "operational", "Operational"
        REPUTATIONAL = "reputational", "Reputational"
        LEGAL = "legal", "Legal and compliance"
        GOVERNANCE = "governance", "Partnership and governance"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        INFORMATION = "information", "Information and data"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    score_validators = [MinValueValidator(1), MaxValueValidator(MAX_MATRIX_SIZE)]

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="risks")
    reference = models.CharField(max_length=10, editable=False)
    title = models.CharField("Risk title", max_length=200)
    cause = models.TextField("Cause", max_length=2000, help_text="What could make the risk happen.")
    event = models.TextField("Event", max_length=2000, help_text="What could happen.")
    impact = models.TextField(
        "Impact",
        max_length=2000,
        help_text="The effect it would have on the council, the partnership and residents.",
    )
    category = models.CharField(max_length=20, choices=Category)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="owned_risks",
        verbose_name="risk owner",
        help_text="Reviews and updates the risk.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    closed_reason = models.TextField("Reason for closing", blank=True, max_length=2000)
    closed_on = models.DateField("Closed on", null=True, blank=True)

    inherent_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    inherent_impact = models.PositiveSmallIntegerField(validators=score_validators)
    actual_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    actual_impact = models.PositiveSmallIntegerField(validators=score_validators)
    residual_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    residual_impact = models.PositiveSmallIntegerField(validators=score_validators)

    raised_on = models.DateField("Date raised", default=timezone.localdate)
    next_review_due = models.DateField("Next review due")
    version = models.PositiveIntegerField(default=1, editable=False)
    # Made when the "Add a risk" page is shown, so posting that page twice adds one risk.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "pk"]
        indexes = [
            models.Index(fields=["status", "next_review_due"], name="risk_review_idx"),
            # The council-wide list puts the highest actual score first: with this index a page
            # reads the risks in that order instead of sorting every risk of the council.
            models.Index(
                (F("actual_likelihood") * F("actual_impact")).desc(), name="risk_actual_score_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"],
                name="risk_reference_unique_in_partnership",
                violation_error_message="This partnership already has a risk with this reference.",
            ),
            models.CheckConstraint(
                condition=score_range_condition(),
                name="risk_scores_in_range",
                violation_error_message=f"Each likelihood and impact is from 1 to "
                f"{MAX_MATRIX_SIZE}.",
            ),
            models.CheckConstraint(
                condition=residual_not_above_inherent(),
                name="risk_residual_not_above_inherent",
                violation_error_message="The residual score cannot be higher than the "
                "inherent score.",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(closed_reason=""),
                name="risk_closed_with_reason",
                violation_error_message="Give the reason for closing the risk.",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="risk_closed_on_when_closed",
                violation_error_message="A closed risk has the date it was closed; an open "
                "risk has none.",
            ),
        ]
        triggers = [scores_within_matrix_trigger("risks_risk")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        if not self.reference:
            with transaction.atomic():
                self.reference = self.next_reference(self.partnership)
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return record_url("risks:risk_detail", self.partnership.reference, self.reference)

    @staticmethod
    def next_reference(partnership) -> str:
        """The partnership's next risk reference (R1, R2...), issued under a lock on its row.

        Locking the partnership row makes two people adding risks at once take turns, so they
        never get the same number; the unique constraint backs this up.
        """
        Partnership.objects.select_for_update().filter(pk=partnership.pk).values("pk").get()
        last = (
            Risk.objects.filter(partnership=partnership)
            .annotate(number=Cast(Substr("reference", 2), IntegerField()))
            .aggregate(last=models.Max("number"))["last"]
        )
        return f"R{(last or 0) + 1}"

    def clean(self):
        # The database checks the absolute range and, through a trigger, the matrix size; this
        # gives admin and the shell a readable message first.
        matrix = Matrix.load()
        outside = [
            self._meta.get_field(name).verbose_name
            for name in SCORE_FIELDS
            if getattr(self, name) is not None and not matrix.contains(getattr(self, name))
        ]
        if outside:
            raise ValidationError(
                f"{', '.join(str(name).capitalize() for name in outside)}: choose from 1 to "
                f"{matrix.size}, on the {matrix.size} x {matrix.size} risk matrix."
            )

    def score(self, kind, matrix):
        """The inherent, actual or residual Score on the given matrix."""
        return matrix.score(getattr(self, f"{kind}_likelihood"), getattr(self, f"{kind}_impact"))

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def actual_above_inherent(self):
        return (
            self.actual_likelihood * self.actual_impact
            > self.inherent_likelihood * self.inherent_impact
        )

    @property
    def review_is_overdue(self):
        return self.is_open and self.next_review_due < timezone.localdate()


class MitigationQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Mitigation.Status.COMPLETE)

    def overdue(self, today=None):
        """Not complete and past the estimated completion date."""
        return self.open().filter(estimated_completion__lt=today or timezone.localdate())


class Mitigation(ChoiceLabelsMixin, models.Model):
    """What is done about a risk: a control already in place, or an action planned."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE)
    description = models.TextField(max_length=2000)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    estimated_completion = models.DateField("Estimated completion date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    progress_note = models.TextField("Progress", blank=True, max_length=2000)
    completed_on = models.DateField("Completed on", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MitigationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["estimated_completion", "pk"]

    def __str__(self):
        return self.description[:80]

    @property
    def is_complete(self):
        return self.status == self.Status.COMPLETE

    @property
    def is_overdue(self):
        return (
            not self.is_complete
            and self.estimated_completion is not None
            and self.estimated_completion < timezone.localdate()
        )

    def clean(self):
        if self.is_complete and self.completed_on is None:
            raise ValidationError({"completed_on": "Enter the date it was completed."})
        if not self.is_complete and self.completed_on is not None:
            raise ValidationError(
                {"completed_on": "Leave the completion date blank until it is complete."}
            )
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "The completion date cannot be in the future."})


def _completion_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(status="complete", completed_on__isnull=False)
            | (~Q(status="complete") & Q(completed_on__isnull=True)),
            name=f"{prefix}_completed_on_when_complete",
            violation_error_message="Give the completion date when, and only when, it is complete.",
        )
    ]


@pghistory.track()
class Control(Mitigation):
    """A control in place now that reduces a risk (the actual score takes it into account)."""

    status = models.CharField(
        max_length=20, choices=Mitigation.Status, default=Mitigation.Status.IN_PROGRESS
    )

    class Meta(Mitigation.Meta):
        default_related_name = "controls"
        constraints = _completion_constraints("control")


@pghistory.track()
class Action(Mitigation):
    """A planned action to bring a risk down to its residual (target) score."""

    estimated_completion = models.DateField("Estimated completion date")

    class Meta(Mitigation.Meta):
        default_related_name = "actions"
        constraints = _completion_constraints("action")

    def get_absolute_url(self):
        return reverse(
            "risks:action_update",
            args=[self.risk.partnership.reference, self.risk.reference, self.pk],
        )

    def clean(self):
        super().clean()
        if (
            self.estimated_completion
            and self.risk_id
            and self.estimated_completion < self.risk.raised_on
        ):
            raise ValidationError(
                {
                    "estimated_completion": "Estimated completion date cannot be before the "
                    "date the risk was raised"
                }
            )


@pghistory.track()
class RiskReview(models.Model):
    """A routine review of a risk by its owner or the sponsoring officer, with its scores then."""

    score_validators = Risk.score_validators

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("Date of review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    inherent_impact = models.PositiveSmallIntegerField(validators=score_validators)
    actual_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    actual_impact = models.PositiveSmallIntegerField(validators=score_validators)
    residual_likelihood = models.PositiveSmallIntegerField(validators=score_validators)
    residual_impact = models.PositiveSmallIntegerField(validators=score_validators)
    notes = models.TextField(blank=True, max_length=5000)
    next_review_due = models.DateField("Next review due")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        get_latest_by = "reviewed_on"
        verbose_name = "risk review"
        constraints = [
            models.CheckConstraint(
                condition=score_range_condition(),
                name="risk_review_scores_in_range",
                violation_error_message=f"Each likelihood and impact is from 1 to "
                f"{MAX_MATRIX_SIZE}.",
            ),
            models.CheckConstraint(
                condition=residual_not_above_inherent(),
                name="risk_review_residual_not_above_inherent",
                violation_error_message="The residual score cannot be higher than the "
                "inherent score.",
            ),
            models.CheckConstraint(
                condition=Q(next_review_due__gte=F("reviewed_on")),
                name="risk_review_next_after_review",
                violation_error_message="The next review cannot be before this one.",
            ),
        ]
        triggers = [scores_within_matrix_trigger("risks_riskreview")]

    def __str__(self):
        return f"Review of {self.risk.reference} on {self.reviewed_on:%d/%m/%Y}"

    def score(self, kind, matrix):
        return matrix.score(getattr(self, f"{kind}_likelihood"), getattr(self, f"{kind}_impact"))


@pghistory.track()
class Escalation(ChoiceLabelsMixin, models.Model):
    """A report of a risk to the Partnership Board, and what the board decided."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        ACTION_DIRECTED = "action_directed", "Action directed"
        ESCALATED_FURTHER = "escalated_further", "Escalated further"
        DE_ESCALATED = "de_escalated", "De-escalated"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="escalations")
    reported_on = models.DateField("Date reported")
    board_meeting = models.CharField(
        "Board meeting",
        max_length=200,
        help_text="For example, Partnership Board, 12 January 2027.",
    )
    board_response = models.CharField("Board's response", max_length=20, choices=Response)
    note = models.TextField(
        "Note", blank=True, max_length=5000, help_text="What the board said or directed."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        get_latest_by = "reported_on"

    def __str__(self):
        return f"{self.risk.reference} to {self.board_meeting}: {self.get_board_response_display()}"
