from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms.models import BaseInlineFormSet

from partnerships_site.admin_widgets import SafeAutocompleteMixin
from register.admin import RegisterModelAdmin, VersionCheckedAdminForm
from register.notifications import notify_assignment
from risks.models import (
    Action,
    Control,
    Escalation,
    ImpactLevel,
    LikelihoodLevel,
    Risk,
    RiskMatrix,
    RiskReview,
    ScoreBand,
)

# The risk matrix -------------------------------------------------------------------------------


class LevelFormSet(BaseInlineFormSet):
    """Every level from 1 to the matrix size is described, once."""

    axis = "level"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        size = self.instance.size or 0
        values = [
            form.cleaned_data["value"]
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("value")
        ]
        missing = [value for value in range(1, size + 1) if value not in values]
        if missing:
            raise ValidationError(
                f"Describe every {self.axis} level from 1 to {size}; missing: "
                f"{', '.join(str(value) for value in missing)}."
            )


class LikelihoodLevelFormSet(LevelFormSet):
    axis = "likelihood"


class ImpactLevelFormSet(LevelFormSet):
    axis = "impact"


class ScoreBandFormSet(BaseInlineFormSet):
    """The bands cover every score from 1 to size x size, with no gaps and no overlaps."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        ranges = sorted(
            (form.cleaned_data["min_score"], form.cleaned_data["max_score"])
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("name")
        )
        top = (self.instance.size or 0) ** 2
        expected = 1
        for low, high in ranges:
            if low != expected:
                raise ValidationError(
                    f"The bands must run on from one another: a band should start at {expected}, "
                    f"not {low}."
                )
            expected = high + 1
        if expected != top + 1:
            raise ValidationError(
                f"The bands must cover every score from 1 to {top}; they end at {expected - 1}."
            )


class LikelihoodLevelInline(admin.TabularInline):
    model = LikelihoodLevel
    formset = LikelihoodLevelFormSet
    fields = ["value", "label", "description"]
    extra = 0
    can_delete = False


class ImpactLevelInline(admin.TabularInline):
    model = ImpactLevel
    formset = ImpactLevelFormSet
    fields = ["value", "label", "description"]
    extra = 0
    can_delete = False


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    formset = ScoreBandFormSet
    fields = [
        "name",
        "min_score",
        "max_score",
        "colour",
        "text_colour",
        "review_cadence_months",
        "position",
    ]
    extra = 0
    can_delete = False


@admin.register(RiskMatrix)
class RiskMatrixAdmin(RegisterModelAdmin):
    """The council's one risk matrix, with its levels and bands: changed, never added twice."""

    list_display = ["__str__", "escalation_threshold", "updated_at"]
    fields = ["size", "escalation_threshold", "updated_at"]
    readonly_fields = ["updated_at"]
    inlines = [LikelihoodLevelInline, ImpactLevelInline, ScoreBandInline]

    def has_add_permission(self, request):
        # The row is seeded by a data migration (and by RiskMatrix.current()).
        return False


# Risks -----------------------------------------------------------------------------------------


class MitigationInline(SafeAutocompleteMixin, admin.StackedInline):
    fields = [
        "description",
        "owner",
        "estimated_completion",
        "status",
        "progress_note",
        "completed_on",
    ]
    autocomplete_fields = ["owner"]
    extra = 0
    can_delete = False


class ControlInline(MitigationInline):
    model = Control


class ActionInline(MitigationInline):
    model = Action


class RiskReviewInline(admin.TabularInline):
    """Reviews are recorded on the risk's page, which also sets the next review date."""

    model = RiskReview
    fields = [
        "reviewed_on",
        "reviewer",
        "inherent_likelihood",
        "inherent_impact",
        "actual_likelihood",
        "actual_impact",
        "residual_likelihood",
        "residual_impact",
        "next_review_due",
        "notes",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EscalationInline(SafeAutocompleteMixin, admin.StackedInline):
    model = Escalation
    fields = ["reported_on", "board_meeting", "board_response", "note", "recorded_by"]
    autocomplete_fields = ["recorded_by"]
    extra = 0
    can_delete = False


class RiskAdminForm(VersionCheckedAdminForm):
    class Meta:
        model = Risk
        fields = []


@admin.register(Risk)
class RiskAdmin(RegisterModelAdmin):
    form = RiskAdminForm
    list_display = [
        "reference",
        "title",
        "partnership",
        "owner",
        "status",
        "actual_score",
        "next_review_due",
    ]
    list_display_links = ["reference", "title"]
    list_filter = ["status", "category", "partnership__directorate", "partnership__status"]
    list_select_related = ["partnership", "owner"]
    search_fields = [
        "reference",
        "title",
        "cause",
        "event",
        "impact",
        "partnership__reference",
        "partnership__name",
        "owner__name",
    ]
    autocomplete_fields = ["partnership", "owner"]
    readonly_fields = ["reference", "version", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "loaded_version",
                    "partnership",
                    "reference",
                    "title",
                    "category",
                    "owner",
                ]
            },
        ),
        ("Cause, event and impact", {"fields": ["cause", "event", "impact"]}),
        (
            "Scores",
            {
                "fields": [
                    ("inherent_likelihood", "inherent_impact"),
                    ("actual_likelihood", "actual_impact"),
                    ("residual_likelihood", "residual_impact"),
                ]
            },
        ),
        (
            "Status and dates",
            {
                "fields": [
                    "status",
                    "closed_reason",
                    "closed_on",
                    "raised_on",
                    "next_review_due",
                    "version",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [ControlInline, ActionInline, RiskReviewInline, EscalationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_scores()

    @admin.display(description="Actual score", ordering="actual_score")
    def actual_score(self, risk):
        return risk.actual_score

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is not Action:
            return
        for row in formset.forms:
            if (
                row.instance.pk
                and "owner" in row.changed_data
                and not row.cleaned_data.get("DELETE")
            ):
                notify_assignment(
                    recipient=row.instance.owner,
                    role="action owner",
                    item=row.instance,
                    url=form.instance.get_absolute_url(),
                    partnership=form.instance.partnership,
                    due=row.instance.estimated_completion,
                    by=request.user,
                )

    def save_model(self, request, obj, form, change):
        if change:
            # RiskAdminForm.clean() checked the version and holds the row's lock; the new version
            # tells anyone else with the risk open (here or in the service) that it changed.
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])
        if "owner" in form.changed_data:
            notify_assignment(
                recipient=obj.owner,
                role="risk owner",
                item=obj,
                url=obj.get_absolute_url(),
                partnership=obj.partnership,
                by=request.user,
            )
