"""Annual reviews and exit strategies in Django admin, for Democratic Services to keep and check.

Nothing is deleted. Status moves only through the workflow (reviews.services), so it is read-only
here; completed reviews and exit strategies are locked, so they can be read but not changed.
"""

from django.contrib import admin
from django.db.models import F

from register.admin import VersionCheckedAdminForm
from reviews.models import (
    AnnualReview,
    ExitAction,
    ExitStrategy,
    NextReviewDateChange,
    ReviewPriorityAlignment,
)


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class LockedWhenCompletedMixin:
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == "completed":
            return False
        return super().has_change_permission(request, obj)


class ReviewPriorityAlignmentInline(NoDeleteMixin, admin.TabularInline):
    model = ReviewPriorityAlignment
    fields = ["priority", "aligned", "comment"]
    readonly_fields = ["priority"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == "completed":
            return False
        return super().has_change_permission(request, obj)


class AnnualReviewAdminForm(VersionCheckedAdminForm):
    class Meta:
        model = AnnualReview
        fields = []


class ExitStrategyAdminForm(VersionCheckedAdminForm):
    class Meta:
        model = ExitStrategy
        fields = []


@admin.register(AnnualReview)
class AnnualReviewAdmin(NoDeleteMixin, LockedWhenCompletedMixin, admin.ModelAdmin):
    form = AnnualReviewAdminForm
    list_display = [
        "partnership",
        "review_date",
        "outcome",
        "status",
        "completed_at",
        "supersedes",
    ]
    list_filter = [
        "outcome",
        "status",
        "partnership__directorate",
        "review_date",
        "completed_at",
    ]
    list_select_related = ["partnership", "supersedes__partnership"]
    search_fields = ["partnership__reference", "partnership__name", "agreed_by"]
    date_hierarchy = "review_date"
    readonly_fields = [
        "partnership",
        "status",
        "supersedes",
        "reviewer",
        "on_behalf_of",
        "completed_at",
        "completed_by",
        "version",
    ]
    fields = [
        "loaded_version",
        "partnership",
        "status",
        "supersedes",
        "reviewer",
        "on_behalf_of",
        "period_start",
        "period_end",
        "review_date",
        "performance",
        "value_for_money",
        "costs_and_benefits",
        "risk_register_refreshed",
        "risk_register_note",
        "action_plans_refreshed",
        "resource_implications",
        "equalities",
        "outcome",
        "outcome_reasons",
        "agreed_by",
        "agreed_on",
        "completed_at",
        "completed_by",
        "version",
    ]
    inlines = [ReviewPriorityAlignmentInline]

    def has_add_permission(self, request):
        # A review starts from the partnership's page, which moves it to "under review".
        return False

    def save_model(self, request, obj, form, change):
        # The form checked the version and holds the row's lock; the new version counts as a
        # save for anyone editing the same draft here or in the service.
        obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


class ExitActionInline(NoDeleteMixin, admin.TabularInline):
    model = ExitAction
    fields = ["description", "owner", "due_date", "status", "completed_on", "progress_note"]
    raw_id_fields = ["owner"]
    extra = 0

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == "completed":
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.status == "completed":
            return False
        return super().has_add_permission(request, obj)


@admin.register(ExitStrategy)
class ExitStrategyAdmin(NoDeleteMixin, LockedWhenCompletedMixin, admin.ModelAdmin):
    form = ExitStrategyAdminForm
    list_display = [
        "partnership",
        "status",
        "exit_type",
        "intended_exit_date",
        "signed_off_on",
    ]
    list_filter = [
        "status",
        "exit_type",
        "partnership__directorate",
        "intended_exit_date",
        "signed_off_on",
    ]
    list_select_related = ["partnership"]
    search_fields = ["partnership__reference", "partnership__name"]
    readonly_fields = [
        "partnership",
        "review",
        "status",
        "signed_off_by",
        "signed_off_on",
        "completed_at",
        "completed_by",
        "version",
    ]
    fields = [
        "loaded_version",
        "partnership",
        "review",
        "status",
        "exit_type",
        "intended_exit_date",
        "notice_required",
        "liabilities",
        "assets_and_staff",
        "data_arrangements",
        "communications",
        "successor_arrangements",
        "signed_off_by",
        "signed_off_on",
        "completed_at",
        "completed_by",
        "version",
    ]
    inlines = [ExitActionInline]

    def has_add_permission(self, request):
        # An exit strategy is opened by a review that agrees to withdraw.
        return False

    def save_model(self, request, obj, form, change):
        obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])


@admin.register(NextReviewDateChange)
class NextReviewDateChangeAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["partnership", "from_date", "to_date", "changed_by", "changed_at"]
    list_filter = ["changed_at", "partnership__directorate"]
    list_select_related = ["partnership", "changed_by"]
    search_fields = ["partnership__reference", "partnership__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
