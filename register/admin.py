"""Django admin, where Democratic Services keep the register.

Nothing here deletes: records are closed or archived (Document.is_archived, the is_active flags),
so the register and its history stay whole. A partnership's status moves only through the
workflow in register.services (the approve and return actions call it), and two people saving
the same partnership cannot silently overwrite each other.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm
from import_export.results import RowResult

from partnerships_site.admin_widgets import SafeAutocompleteMixin
from partnerships_site.exports import download_filename
from partnerships_site.history import history_page
from register import rules as register_rules
from register import services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    CorporatePriority,
    Directorate,
    Document,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Organisation,
    Partnership,
    PartnershipPartner,
    Person,
    Profile,
    ReferenceCounter,
    Representation,
    SignificanceThreshold,
    StatusChange,
)
from register.notifications import notify_assignment, notify_new_representatives
from register.resources import OrganisationResource, PartnershipResource

CONFLICT_MESSAGE = (
    "Someone else changed this {thing} since you opened it, so your changes have not been "
    "saved. Open the {thing} again to see the latest version, then make your changes again."
)


class RegisterModelAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    """Admin for a register model: no deletes, and a history page from the audit trail."""

    object_history_template = "admin/register/history.html"

    def has_delete_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            **history_page(request, obj),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)


class RegisterImportExportAdmin(RegisterModelAdmin, ImportExportModelAdmin):
    """Import and export in CSV or Excel, every column at once so files round-trip."""

    import_template_name = "admin/register/import.html"
    export_form_class = ExportForm
    # Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
    to_encoding = "utf-8-sig"

    def get_export_filename(self, request, queryset, file_format):
        return download_filename(str(self.opts.verbose_name_plural), file_format.get_extension())

    def process_result(self, result, request):
        # The confirmed import runs the file again. If the register changed since the preview
        # and a row is now invalid, or something failed part-way, the resource has rolled the
        # whole file back: say so.
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request,
                "Nothing was imported: an error stopped the import part-way, so none of the file "
                "was saved. The error is listed below. Import the file again; if the error "
                "happens again, report it."
                if result.has_errors()
                else "Nothing was imported: the register has changed since the preview, and the "
                "file no longer passes its checks. The errors are listed below.",
            )
            return TemplateResponse(
                request,
                [self.import_template_name],
                {
                    **self.admin_site.each_context(request),
                    "title": "Import",
                    "opts": self.opts,
                    "result": result,
                    "form": self.get_import_form_class(request)(
                        self.get_import_formats(), self.get_import_resource_classes(request)
                    ),
                    "fields_list": [],
                },
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"Import finished: {totals[RowResult.IMPORT_TYPE_NEW]} added, "
            f"{totals[RowResult.IMPORT_TYPE_UPDATE]} changed and "
            f"{totals[RowResult.IMPORT_TYPE_SKIP]} unchanged "
            f"{self.opts.verbose_name_plural}.",
        )


# Partnerships -------------------------------------------------------------------------------


class PartnershipInline(SafeAutocompleteMixin, admin.StackedInline):
    """Rows that belong to a partnership: editable while the partnership is, never deleted.

    Stacked, not tabular: a tabular inline's inputs have no labels of their own, only column
    headings, which screen readers do not announce for each input.
    """

    extra = 0
    can_delete = False

    @staticmethod
    def _partnership_open(request, obj):
        return obj is None or request.user.has_perm("register.change_partnership", obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._partnership_open(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._partnership_open(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class RepresentationInline(PartnershipInline):
    model = Representation
    fields = ["person", "role", "role_other", "appointed_from", "appointed_to"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class PartnerInline(PartnershipInline):
    model = PartnershipPartner
    fields = ["organisation", "is_lead"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class FinancialContributionInline(PartnershipInline):
    model = FinancialContribution
    fields = ["financial_year", "amount", "form", "form_other", "is_budgeted"]


class OfficerTimeInline(PartnershipInline):
    model = OfficerTime
    fields = ["person", "hours_per_month", "financial_year"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class InKindContributionInline(PartnershipInline):
    model = InKindContribution
    fields = ["kind", "description", "estimated_value", "financial_year"]


class ChecklistAnswerInline(PartnershipInline):
    """One answer per consideration: the rows are made with the partnership, not added here."""

    model = ChecklistAnswer
    fields = ["consideration", "answer", "notes"]
    readonly_fields = ["consideration"]
    verbose_name = "answer to a point to consider"
    verbose_name_plural = "points to consider when setting up a partnership (Appendix 1)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("consideration")


class DocumentInline(PartnershipInline):
    model = Document
    fields = [
        "document_type",
        "title",
        "document_date",
        "file",
        "is_archived",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = ["uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


class ReadOnlyInline(admin.StackedInline):
    """The workflow's own records: shown, never changed in admin."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApprovalDecisionInline(ReadOnlyInline):
    model = ApprovalDecision
    fields = [
        "decision",
        "decision_body",
        "decided_on",
        "decision_reference",
        "reason",
        "was_significant",
        "recorded_by",
        "recorded_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]
    verbose_name_plural = "status changes"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class SignificanceFilter(admin.SimpleListFilter):
    title = "significance"
    parameter_name = "significant"

    def lookups(self, request, model_admin):
        return [("yes", "Significant"), ("no", "Not significant")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(is_significant=True)
        if self.value() == "no":
            return queryset.filter(is_significant=False)
        return queryset


class VersionCheckedAdminForm(forms.ModelForm):
    """A change form refusing a save based on a version of the record someone has since replaced.

    Its model has a `version` column that every save (here or in the service) increases.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            # Lock the row until admin's transaction ends, so nobody can save it between this
            # check and save_model.
            current = (
                type(self.instance)
                ._base_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if cleaned_data.get("loaded_version") != current:
                thing = self.instance._meta.verbose_name
                raise ValidationError(CONFLICT_MESSAGE.format(thing=thing), code="conflict")
        return cleaned_data


class PartnershipAdminForm(VersionCheckedAdminForm):
    """The partnership form, refusing a save based on a version someone has since replaced."""

    class Meta:
        model = Partnership
        fields = []


class DecisionForm(forms.Form):
    """The decision recorded against each selected partnership by the approve or return action."""

    decision_body = forms.ChoiceField(
        label="Decision body",
        choices=[("", "Select the decision body"), *ApprovalDecision.Body.choices],
        help_text="A significant partnership must be approved by Cabinet or the Chief Executive.",
    )
    decided_on = forms.DateField(
        label="Date of decision",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the date of the decision",
            "invalid": "Enter a real date, for example 26/11/2026",
        },
    )
    decision_reference = forms.CharField(
        label="Decision reference",
        max_length=300,
        required=False,
        help_text="The minute number, or a link to the published decision.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

    def __init__(self, *args, decision, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.fields["decision_body"].error_messages["required"] = "Select the decision body"
        if decision != ApprovalDecision.Decision.APPROVED:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = "Tell the author what to change. They will see this."
            self.fields["reason"].error_messages["required"] = "Enter the reason for returning it"

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise ValidationError("The date of decision must be today or in the past")
        return decided_on


DECISION_ACTIONS = {
    ApprovalDecision.Decision.APPROVED: {
        "action": "approve_selected",
        "title": "Approve selected partnerships",
        "button": "Approve",
        "done": "approved",
    },
    ApprovalDecision.Decision.RETURNED: {
        "action": "return_selected",
        "title": "Return selected partnerships for changes",
        "button": "Return for changes",
        "done": "returned for changes",
    },
}


@admin.register(Partnership)
class PartnershipAdmin(RegisterImportExportAdmin):
    form = PartnershipAdminForm
    resource_classes = [PartnershipResource]
    import_template_name = "admin/register/partnership/import.html"
    list_per_page = 50  # as the register list, so the two can be compared like for like
    list_display = [
        "reference",
        "name",
        "status",
        "directorate",
        "sponsor",
        "significant",
        "start_date",
    ]
    list_display_links = ["reference", "name"]
    list_filter = [
        "status",
        "directorate",
        "council_role",
        SignificanceFilter,
        "is_confidential",
        "corporate_priorities",
    ]
    list_select_related = ["directorate", "sponsoring_officer"]
    search_fields = [
        "reference",
        "name",
        "purpose",
        "partners__organisation__name",
        "representations__person__name",
    ]
    search_help_text = "Search by reference, name, purpose, partner organisation or representative."
    date_hierarchy = "created_at"
    show_full_result_count = False
    autocomplete_fields = ["sponsoring_officer", "monitoring_officer"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    readonly_fields = [
        "reference",
        "status",
        "version",
        "author",
        "created_at",
        "updated_at",
        "submitted_at",
        "approved_on",
        "closed_on",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["loaded_version", "reference", "status", "version", "is_confidential"]},
        ),
        (
            "Section 1: about you",
            {
                "fields": [
                    "author",
                    "completed_by_name",
                    "completed_by_title",
                    "completed_by_directorate",
                    "completed_by_extension",
                    "completed_by_role",
                ]
            },
        ),
        (
            "Section 2: the partnership",
            {
                "fields": [
                    "name",
                    "purpose",
                    "directorate",
                    "sponsoring_officer",
                    "monitoring_officer",
                    "start_date",
                    "end_date",
                    "governing_document_type",
                    "governing_document_date",
                ]
            },
        ),
        ("Role of the Council", {"fields": ["council_role", "council_role_other"]}),
        (
            "Contribution to the Corporate Plan",
            {
                "fields": [
                    "corporate_priorities",
                    "corporate_plan_contribution",
                    "material_service_delivery",
                ]
            },
        ),
        (
            "Section 3: risk",
            {"fields": ["has_risk_register", "no_risk_register_reason", "risk_manager"]},
        ),
        (
            "Evaluation",
            {
                "fields": [
                    "evaluation_risks_rewards",
                    "evaluation_legal",
                    "evaluation_insurance",
                    "evaluation_constitution",
                    "evaluation_financial_regulations",
                    "evaluation_procurement",
                    "benefits_justify_costs",
                    "benefits_notes",
                ]
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "approved_on",
                    "next_review_due",
                    "closed_on",
                ]
            },
        ),
    ]
    inlines = [
        RepresentationInline,
        PartnerInline,
        FinancialContributionInline,
        OfficerTimeInline,
        InKindContributionInline,
        ChecklistAnswerInline,
        DocumentInline,
        ApprovalDecisionInline,
        StatusChangeInline,
    ]
    actions = ["approve_selected", "return_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_significance()

    @admin.display(description="Sponsoring officer", ordering="sponsoring_officer__last_name")
    def sponsor(self, obj):
        user = obj.sponsoring_officer
        if user is None:
            return self.get_empty_value_display()
        return user.get_full_name() or user.get_username()

    @admin.display(description="Significant", boolean=True, ordering="is_significant")
    def significant(self, obj):
        return obj.is_significant

    def has_change_permission(self, request, obj=None):
        # The register's object rules apply here too: a closed partnership is not changed.
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return request.user.has_perm("register.change_partnership", obj)

    def has_decide_permission(self, request):
        user = request.user
        return register_rules.can_write(user) and (
            register_rules.is_democratic_services(user) or register_rules.is_approver(user)
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
            obj.save()
            StatusChange.objects.create(
                partnership=obj,
                from_status="",
                to_status=obj.status,
                changed_by=request.user,
                reason="Added in admin by Democratic Services.",
            )
            return
        # PartnershipAdminForm.clean() checked the version and holds the row's lock, so this
        # cannot conflict; it bumps the version so anyone else's open form is refused in turn.
        services.save_with_version(obj, expected_version=form.cleaned_data["loaded_version"])

    def save_formset(self, request, form, formset, change):
        people_before = {
            row.instance.pk: row.initial.get("person") for row in formset.initial_forms
        }
        for instance in formset.save(commit=False):
            if isinstance(instance, Document) and instance.uploaded_by_id is None:
                instance.uploaded_by = request.user
            instance.save()
        formset.save_m2m()
        if formset.model is Representation:
            notify_new_representatives(
                formset, people_before=people_before, partnership=form.instance, by=request.user
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        partnership = form.instance
        if "sponsoring_officer" in form.changed_data:
            notify_assignment(
                recipient=partnership.sponsoring_officer,
                role="sponsoring officer",
                item=partnership,
                url=partnership.get_absolute_url(),
                by=request.user,
            )
        unanswered = ChecklistConsideration.objects.filter(is_active=True).exclude(
            answers__partnership=partnership
        )
        ChecklistAnswer.objects.bulk_create(
            ChecklistAnswer(partnership=partnership, consideration=consideration)
            for consideration in unanswered
        )

    @admin.action(description="Approve selected partnerships", permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.Decision.APPROVED)

    @admin.action(description="Return selected partnerships for changes", permissions=["decide"])
    def return_selected(self, request, queryset):
        return self._decide(request, queryset, ApprovalDecision.Decision.RETURNED)

    def _decide(self, request, queryset, decision):
        """Ask for the decision's details, then record it on each submitted partnership."""
        labels = DECISION_ACTIONS[decision]
        partnerships = list(queryset.order_by("reference"))
        form = DecisionForm(
            request.POST if "apply_decision" in request.POST else None,
            decision=decision,
            initial={"decided_on": timezone.localdate()},
        )
        if form.is_valid():
            for partnership in partnerships:
                self._decide_one(request, partnership, decision, form.cleaned_data, labels)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": labels["title"],
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "partnerships": partnerships,
            "action": labels["action"],
            "button": labels["button"],
            "decision": decision,
            "changelist_url": reverse("admin:register_partnership_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/register/partnership/decide.html", context)

    def _decide_one(self, request, partnership, decision, data, labels):
        reference = partnership.reference
        if partnership.status != Partnership.Status.SUBMITTED:
            messages.warning(
                request,
                f"{reference} was not {labels['done']}: it is "
                f"{partnership.get_status_display().lower()}, and only a submitted "
                "registration can be decided.",
            )
            return
        try:
            services.decide(partnership=partnership, by=request.user, decision=decision, **data)
        except ValidationError as error:
            messages.error(
                request, f"{reference} was not {labels['done']}: {' '.join(error.messages)}"
            )
        except PermissionDenied:
            messages.error(
                request, f"{reference} was not {labels['done']}: you may not decide on it."
            )
        else:
            body = dict(ApprovalDecision.Body.choices)[data["decision_body"]]
            messages.success(request, f"{reference} {partnership.name} {labels['done']} ({body}).")


# The register's reference data --------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(RegisterImportExportAdmin):
    resource_classes = [OrganisationResource]
    import_template_name = "admin/register/organisation/import.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "sector", "registration_number", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name", "registration_number"]


@admin.register(Person)
class PersonAdmin(RegisterModelAdmin):
    list_display = ["__str__", "kind", "job_title", "organisation", "email", "user"]
    list_filter = ["kind"]
    list_select_related = ["organisation", "user"]
    search_fields = ["name", "email", "job_title", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]


@admin.register(Directorate)
class DirectorateAdmin(RegisterModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(CorporatePriority)
class CorporatePriorityAdmin(RegisterModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


@admin.register(ChecklistConsideration)
class ChecklistConsiderationAdmin(RegisterModelAdmin):
    list_display = ["question", "section", "position", "is_active"]
    list_filter = ["section", "is_active"]
    search_fields = ["question", "hint"]


@admin.register(SignificanceThreshold)
class SignificanceThresholdAdmin(RegisterModelAdmin):
    """The council's one set of thresholds: changed, never added twice."""

    list_display = ["__str__", "material_service_delivery", "updated_at"]
    fields = ["annual_financial_commitment", "material_service_delivery", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        # The row is made with the database (and by SignificanceThreshold.current()).
        return False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """The last reference issued each year, to be seen only: changing it would repeat one."""

    list_display = ["year", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Users and their profiles -------------------------------------------------------------------


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["job_title", "directorate", "phone_extension"]


admin.site.unregister(User)


@admin.register(User)
class UserWithProfileAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]

    def has_view_permission(self, request, obj=None):
        # Democratic Services choose sponsoring and monitoring officers by autocomplete, which
        # admin allows only to those who may view users.
        return super().has_view_permission(request, obj) or (
            register_rules.is_democratic_services(request.user)
        )
