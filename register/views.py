import copy
import os
import uuid
from decimal import Decimal
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, FormView, TemplateView, View
from django_filters.views import FilterView

from partnerships_site import exports, jinja
from partnerships_site.compiled import compiled_query
from partnerships_site.errors import error_summary
from partnerships_site.history import history_for, history_page
from partnerships_site.pagination import PageByIdsMixin, pagination_items
from partnerships_site.related_lists import RelatedLists, people_by_name
from register import page_cache, reports, services
from register import rules as register_rules
from register.filters import SORT_COLUMNS, PartnershipFilter, PublicRegisterFilter
from register.forms import MAX_ROWS, DecisionForm, PartnershipStartForm, PreferencesForm
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    CorporatePriority,
    Document,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Partnership,
    PartnershipPartner,
    Person,
    Profile,
    Representation,
    current_financial_year,
    financial_year_label,
)
from register.overview import overview as overview_context
from register.sections import SECTIONS, SECTIONS_BY_SLUG, next_section, summary_queryset
from reviews.views import REVIEW_LISTS_SPEC, review_permissions, reviews_context
from risks.models import Matrix


class PartnershipPermissionMixin:
    """Fetch the partnership named in the URL and check the user's permission on it.

    The one place object permissions are enforced for partnership pages: a record the user may
    not read is a 404 (its existence is not revealed); one they may read but not act on is a 403.
    """

    permission_required = "register.view_partnership"
    partnership_queryset = Partnership.objects.with_significance().with_related()
    # Lists of rows the page shows, read with the partnership in its one query.
    partnership_lists = RelatedLists()

    def get_partnership(self):
        if not hasattr(self, "_partnership"):
            partnership = self.partnership_lists.get(
                self.partnership_queryset, same_for=type(self), reference=self.kwargs["reference"]
            )
            user = self.request.user
            if not user.has_perm("register.view_partnership", partnership):
                raise Http404("No partnership matches the given query.")
            if not user.has_perm(self.permission_required, partnership):
                raise PermissionDenied
            self._partnership = partnership
        return self._partnership

    def get_object(self, queryset=None):
        return self.get_partnership()


# The register: its list, downloads, a partnership's page, the printable form and the decision --


def _partner_rows():
    return Prefetch(
        "partners",
        queryset=PartnershipPartner.objects.select_related("organisation"),
    )


def register_queryset(user):
    """The partnerships this user may read, with what the register's columns show."""
    return (
        Partnership.objects.visible_to(user)
        .with_significance()
        .select_related("directorate", "sponsoring_officer")
        .prefetch_related(_partner_rows())
    )


def council_role_text(partnership):
    if partnership.council_role == Partnership.CouncilRole.OTHER and partnership.council_role_other:
        return f"Other: {partnership.council_role_other}"
    return partnership.get_council_role_display()


def partner_names(partnership):
    return "; ".join(partner.organisation.name for partner in partnership.partners.all())


SORT_LABELS = {
    "reference": "Reference",
    "name": "Name",
    "status": "Status",
    "directorate": "Directorate",
    "start_date": "Start date",
    "annual_commitment": "Annual commitment",
}


def sort_headers(current_sort):
    """For each sortable column: its label, aria-sort state and the sort its link asks for."""
    headers = {}
    for column in SORT_COLUMNS:
        if current_sort == column:
            state, next_sort = "ascending", f"-{column}"
        elif current_sort == f"-{column}":
            state, next_sort = "descending", column
        else:
            state, next_sort = "none", column
        headers[column] = {
            "label": SORT_LABELS[column],
            "aria_sort": state,
            "next_sort": next_sort,
            "next_direction": "descending" if next_sort.startswith("-") else "ascending",
        }
    return headers


def register_page_rows(user_id, *, everything, approver):
    """The partnerships a person may read, with what the register's page shows of each.

    The page shows only the lead partner: its name is read with each row. (Downloads show every
    partner: register_queryset().)
    """
    return (
        Partnership.objects.visible_to_person(user_id, everything=everything, approver=approver)
        .with_significance()
        .with_lead_partner_name()
        .select_related("directorate")
    )


# The register's count and page of rows, compiled once for each combination of what shapes their
# SQL (compiled_query): whether the person sees everything or approves, the filters' checked
# values, the sort and today's date (which "review due" counts from), and for the rows the page.
# Only the person's id is swapped in. Building and compiling the two queries took about 3 ms of
# the page's 17.


def _filtered_rows(user_id, everything, approver, filters, sort):
    rows = register_page_rows(user_id, everything=everything, approver=approver)
    return PartnershipFilter.apply(rows, dict(filters), sort)


@lru_cache(maxsize=256)
def _register_count(everything, approver, filters, sort, today):
    return compiled_query(
        lambda user_id: (
            _filtered_rows(user_id, everything, approver, filters, sort).order_by().values("pk")
        )
    )


# The columns the register's rows show (templates/register/includes/partnership_rows.jinja);
# reading and building all sixty of a partnership for each row took as long as drawing the page.
# The directorate's name is read as a column of the row: building a directorate for each row
# to show its name cost as much again as the rest of the row's reading.
REGISTER_ROW_FIELDS = (
    "reference",
    "name",
    "status",
    "council_role",
    "start_date",
    "next_review_due",
)


@lru_cache(maxsize=256)
def _register_page(everything, approver, filters, sort, today, start, page_size):
    def build(user_id):
        rows = _filtered_rows(user_id, everything, approver, filters, sort)
        page = rows.filter(pk__in=rows.values("pk")[start : start + page_size])
        return (
            page.select_related(None)
            .annotate(directorate_name=F("directorate__name"))
            .only(*REGISTER_ROW_FIELDS)
        )

    return compiled_query(build)


class PartnershipListView(PageByIdsMixin, FilterView):
    """The register: every partnership the user may read, filtered, searched and sorted."""

    filterset_class = PartnershipFilter
    template_name = "register/partnership_list.html"
    context_object_name = "partnerships"
    paginate_by = 50
    # A filter with a bad value is reported on the form; the others still apply.
    strict = False

    def get(self, request, *args, **kwargs):
        # The page's count and rows are read by _register_count and _register_page, compiled
        # once; the filterset checks the filters and draws them. Its own filtered queryset,
        # which django-filter's view builds on every request, would never be run.
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.filterset.is_valid()
        self.object_list = Partnership.objects.none()
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_queryset(self):
        return Partnership.objects.none()

    @cached_property
    def query_shape(self):
        """What shapes the SQL of this page's queries, for _register_count and _register_page."""
        user = self.request.user
        return (
            register_rules.sees_everything(user),
            register_rules.is_approver(user),
            tuple(sorted(self.filterset.form.cleaned_data.items())),
            self.filterset.sort,
            timezone.localdate(),
        )

    def count_rows(self, queryset):
        return _register_count(*self.query_shape).count(self.request.user.pk)

    def page_rows(self, queryset, start, page_size):
        return _register_page(*self.query_shape, start, page_size)(self.request.user.pk)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so the default sort applies to a page opened without any filters.
        kwargs["data"] = self.request.GET
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        context.update(
            sort=filterset.sort,
            sort_headers=sort_headers(filterset.sort),
            pagination=pagination_items(context["page_obj"]),
            filters_applied=any(
                value not in (None, "") for value in filterset.form.cleaned_data.values()
            )
            or bool(filterset.form.errors),
        )
        return context


EXPORT_HEADER = [
    "Reference",
    "Name",
    "Status",
    "Purpose",
    "Role of the Council",
    "Lead organisation",
    "Partners",
    "Directorate",
    "Sponsoring officer",
    "Significant",
    "Annual financial commitment (£)",
    "Start date",
    "End date",
    "Next review due",
]


def export_row(partnership):
    sponsor = partnership.sponsoring_officer
    return [
        partnership.reference,
        partnership.name,
        partnership.get_status_display(),
        partnership.purpose,
        council_role_text(partnership),
        partnership.lead_organisation_name,
        partner_names(partnership),
        partnership.directorate.name if partnership.directorate else "",
        (sponsor.get_full_name() or sponsor.get_username()) if sponsor else "",
        "Yes" if partnership.is_significant else "No",
        partnership.annual_commitment,
        partnership.start_date,
        partnership.end_date,
        partnership.next_review_due,
    ]


class PartnershipExportView(View):
    """The register as the user filtered and sorted it, every row, as CSV or Excel."""

    def get(self, request, file_format):
        filterset = PartnershipFilter(
            data=request.GET, queryset=register_queryset(request.user), request=request
        )
        if not filterset.is_valid():
            # Show the register page, which says what is wrong with the filters.
            return redirect(f"{reverse('register:partnership_list')}?{request.GET.urlencode()}")
        rows = (export_row(partnership) for partnership in exports.stream_rows(filterset.qs))
        filename = exports.download_filename("partnership-register", file_format)
        if file_format == "xlsx":
            return exports.xlsx_response(
                EXPORT_HEADER, rows, filename=filename, sheet_title="Partnership register"
            )
        return exports.csv_response(EXPORT_HEADER, rows, filename=filename)


# Every row a partnership's page and its printable form show, read with the partnership.
PRINT_LISTS_SPEC = {
    "corporate_priorities": CorporatePriority.objects.all(),
    "partners": PartnershipPartner.objects.select_related("organisation"),
    "representations": Representation.objects.select_related("person"),
    "financial_contributions": FinancialContribution.objects.all(),
    "officer_time": OfficerTime.objects.select_related("person"),
    "in_kind_contributions": InKindContribution.objects.all(),
    "checklist_answers": ChecklistAnswer.objects.select_related("consideration"),
    "documents": Document.objects.all(),
    "status_changes": REVIEW_LISTS_SPEC["status_changes"],  # the reviews panel's, the same rows
    "decisions": people_by_name(ApprovalDecision.objects.all(), "recorded_by"),
}
PAGE_LISTS = RelatedLists(**{**PRINT_LISTS_SPEC, **REVIEW_LISTS_SPEC})
# Pages that show a partnership name its officers; they send nobody anything.
READ_PAGE_QUERYSET = people_by_name(
    PartnershipPermissionMixin.partnership_queryset,
    "sponsoring_officer",
    "monitoring_officer",
    "author",
)


def resource_totals(partnership):
    """Money, in-kind value and officer hours committed, totalled by financial year."""
    years = {}

    def year(key):
        return years.setdefault(
            key, {"financial": Decimal("0"), "in_kind": Decimal("0"), "hours": Decimal("0")}
        )

    for contribution in partnership.financial_contributions.all():
        year(contribution.financial_year)["financial"] += contribution.amount
    for contribution in partnership.in_kind_contributions.all():
        year(contribution.financial_year)["in_kind"] += contribution.estimated_value
    for time in partnership.officer_time.all():
        year(time.financial_year)["hours"] += time.hours_per_month
    rows = []
    for key in sorted(years, key=lambda y: (y is None, y or 0)):
        totals = years[key]
        rows.append(
            {
                "label": financial_year_label(key) or "Year not given",
                "financial": totals["financial"],
                "in_kind": totals["in_kind"],
                "total": totals["financial"] + totals["in_kind"],
                "hours": totals["hours"],
            }
        )
    return rows


def checklist_by_section(partnership):
    """The Appendix 1 answers grouped under their headings, with the gaps counted."""
    sections, unanswered, answered_no = {}, 0, 0
    for answer in partnership.checklist_answers.all():
        label = answer.consideration.get_section_display()
        sections.setdefault(label, []).append(answer)
        if not answer.answer:
            unanswered += 1
        elif answer.answer == ChecklistAnswer.Answer.NO:
            answered_no += 1
    return {
        "sections": [{"label": label, "answers": rows} for label, rows in sections.items()],
        "unanswered": unanswered,
        "answered_no": answered_no,
    }


def representatives(partnership):
    """The council's representatives split as the paper form asks: councillors, then officers."""
    rows = list(partnership.representations.all())
    councillors = [r for r in rows if r.person.kind == Person.Kind.COUNCILLOR]
    officers = [r for r in rows if r.person.kind != Person.Kind.COUNCILLOR]
    return councillors, officers


class PartnershipDetailView(PartnershipPermissionMixin, DetailView):
    """A partnership's page: every section of its registration form, its record and history.

    The page's body is kept once drawn, until something it shows changes (register/page_cache.py).
    Each request reads only what decides who may see it and what they may do there, with the
    counts of changes that key the kept body; a body that has to be drawn reads the rest.
    """

    template_name = "register/partnership_detail.html"
    context_object_name = "partnership"
    partnership_queryset = Partnership.objects.with_significance().annotate(
        **page_cache.change_counts()
    )
    # is_manager (register/rules.py) reads the representatives read with the partnership.
    partnership_lists = RelatedLists(representations=PRINT_LISTS_SPEC["representations"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        # What the reader may do here, which decides the page's buttons.
        can = {
            "edit": user.has_perm("register.change_partnership", self.object),
            "decide": user.has_perm("register.decide_partnership", self.object),
            **review_permissions(self.object, user),
        }
        body = page_cache.drawn_page(self.object, can, lambda: self.draw(can))
        return super().get_context_data(body=body, **kwargs)

    def draw(self, can):
        partnership = PAGE_LISTS.get(READ_PAGE_QUERYSET, same_for=type(self), pk=self.object.pk)
        councillors, officers = representatives(partnership)
        return jinja.render(
            "register/includes/partnership_detail.jinja",
            partnership=partnership,
            can_edit=can["edit"],
            can_decide=can["decide"],
            councillors=councillors,
            officers=officers,
            resource_totals=resource_totals(partnership),
            checklist=checklist_by_section(partnership),
            significance_reasons=partnership.significance_reasons(),
            history=history_for(partnership, include_related=True, limit=10),
            **reviews_context(partnership, status_history=False, can=can),
        )


class PartnershipHistoryView(PartnershipPermissionMixin, DetailView):
    """Every recorded change to a partnership and the rows that belong to it, a page at a time."""

    template_name = "register/partnership_history.html"
    context_object_name = "partnership"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**history_page(self.request, self.object), **kwargs)


class PartnershipPrintView(PartnershipPermissionMixin, DetailView):
    """The completed registration form laid out as the council's paper form (Appendix 2)."""

    template_name = "register/partnership_print.html"
    context_object_name = "partnership"
    partnership_queryset = READ_PAGE_QUERYSET
    partnership_lists = RelatedLists(**PRINT_LISTS_SPEC)

    def get_context_data(self, **kwargs):
        councillors, officers = representatives(self.object)
        return super().get_context_data(councillors=councillors, officers=officers, **kwargs)


def _add_service_errors(form, error):
    """Show a ValidationError from a service beside the field it names, or in the summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(
            field if field in form.fields and field != NON_FIELD_ERRORS else None, errors
        )


class PartnershipDecisionView(PartnershipPermissionMixin, FormView):
    """Record the approval decision on a submitted registration."""

    permission_required = "register.decide_partnership"
    form_class = DecisionForm
    template_name = "register/partnership_decide.html"

    def dispatch(self, request, *args, **kwargs):
        self.partnership = self.get_partnership()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partnership=self.partnership,
            significance_reasons=self.partnership.significance_reasons(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            decision = services.decide(
                partnership=self.partnership, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
            return self.form_invalid(form)
        self.partnership.refresh_from_db(fields=["status"])
        messages.success(
            self.request,
            f"Decision recorded: {decision.get_decision_display().lower()}. "
            f"{self.partnership.reference} is now "
            f"{self.partnership.get_status_display().lower()}.",
        )
        return redirect(self.partnership)


# The public register: no sign-in, no personal data, nothing confidential ------------------------


def public_queryset():
    """Partnerships in force or closed and not confidential, with their partners."""
    return (
        Partnership.objects.public()
        .with_significance()
        .select_related("directorate")
        .prefetch_related(_partner_rows())
        .order_by("name_sort", "pk")
    )


PUBLIC_HEADER = [
    "Reference",
    "Name",
    "Purpose",
    "Role of the Council",
    "Lead organisation",
    "Partners",
    "Directorate",
    "Significant",
    "Annual financial commitment (£)",
    "Start date",
    "End date",
    "Status",
    "Closed on",
]


def public_row(partnership):
    # Only the organisation's own facts: no officer, councillor or partner staff is named.
    return [
        partnership.reference,
        partnership.name,
        partnership.purpose,
        council_role_text(partnership),
        partnership.lead_organisation_name,
        partner_names(partnership),
        partnership.directorate.name if partnership.directorate else "",
        "Yes" if partnership.is_significant else "No",
        partnership.annual_commitment,
        partnership.start_date,
        partnership.end_date,
        partnership.get_status_display(),
        partnership.closed_on,
    ]


@method_decorator(login_not_required, name="dispatch")
class PublicRegisterView(PageByIdsMixin, FilterView):
    """The published register, for anyone: current or closed partnerships, 50 a page, searchable.

    The whole register on one page ran to 20 MB and nearly three seconds with the large demo
    data set, for anyone who asked.
    """

    http_method_names = ["get", "head"]
    template_name = "public/register.html"
    filterset_class = PublicRegisterFilter
    context_object_name = "partnerships"
    paginate_by = 50

    def get_queryset(self):
        return public_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pagination=pagination_items(context["page_obj"]),
            error_items=error_summary(self.filterset.form),
        )
        return context


@login_not_required
@require_safe
def public_register_csv(request):
    rows = (public_row(p) for p in exports.stream_rows(public_queryset()))
    return exports.csv_response(
        PUBLIC_HEADER,
        rows,
        filename=exports.download_filename("partnership-register-open-data", "csv"),
    )


# Registering a partnership: start, task list, section pages, check answers and submit ----------

CONFLICT_MESSAGE = "Someone else saved changes to this partnership since you opened this page"
CLASH_MESSAGE = (
    "These changes could not be saved because two rows clash (for example, the same "
    "organisation twice). Check the rows and try again."
)


class PartnershipCreateView(PermissionRequiredMixin, FormView):
    """Start a registration: name the partnership and a draft opens, Section 1 filled in.

    The page carries a token made when it was shown, so posting it twice opens one draft.
    """

    permission_required = "register.add_partnership"
    form_class = PartnershipStartForm
    template_name = "register/partnership_create.html"

    def get_initial(self):
        return {"creation_token": uuid.uuid4()}

    def form_valid(self, form):
        try:
            partnership = services.start_registration(
                author=self.request.user,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                creation_token=form.cleaned_data["creation_token"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("register:partnership_edit", partnership.reference)


def section_url(partnership, section):
    return reverse("register:partnership_section", args=[partnership.reference, section.slug])


class PartnershipEditView(PartnershipPermissionMixin, TemplateView):
    """The registration form as a task list: each section and whether it is complete."""

    permission_required = "register.change_partnership"
    template_name = "register/partnership_edit.html"

    def get_context_data(self, **kwargs):
        partnership = self.get_partnership()
        incomplete = {slug for slug, _ in services.missing_for_submission(partnership)}
        tasks = [
            {
                "section": section,
                "url": section_url(partnership, section),
                "complete": section.slug not in incomplete,
            }
            for section in SECTIONS
        ]
        returned = None
        if partnership.status == Partnership.Status.RETURNED:
            returned = partnership.decisions.first()
        return super().get_context_data(
            partnership=partnership,
            tasks=tasks,
            completed_count=sum(task["complete"] for task in tasks),
            returned_decision=returned,
            can_submit=self.request.user.has_perm("register.submit_partnership", partnership),
            **kwargs,
        )


def _with_another_row(data, prefix):
    """The posted data with one more (blank) row in the named list."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, ""))
    except ValueError:
        return data
    data[key] = str(min(total + 1, MAX_ROWS))
    return data


class PartnershipSectionView(PartnershipPermissionMixin, TemplateView):
    """One section of the registration form: fill it in, save it, move on or come back later.

    Every page carries the version of the record it showed; a save that finds a newer version
    saves nothing and shows both the person's answers and what is saved now.
    """

    permission_required = "register.change_partnership"
    template_name = "register/partnership_section.html"

    def dispatch(self, request, *args, **kwargs):
        self.section = SECTIONS_BY_SLUG.get(kwargs["section"])
        if self.section is None:
            raise Http404("The registration form has no such section.")
        self.partnership = self.get_partnership()
        return super().dispatch(request, *args, **kwargs)

    def build(self, data=None, partnership=None):
        # The forms change a copy, so the page's heading keeps the partnership as it is saved.
        partnership = copy.copy(partnership or self.partnership)
        return self.section.build(partnership, data, self.request.FILES if data else None)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.build())

    def post(self, request, *args, **kwargs):
        section = self.section
        added = request.POST.get("add")
        if added in {rowset.prefix for rowset in section.rowsets}:
            # "Add another" saves nothing: it shows the page again with one more blank row.
            page = self.build(_with_another_row(request.POST, added))
            page.is_valid()
            return self.render_page(page)
        page = self.build(request.POST)
        if not page.is_valid():
            return self.render_page(page)
        try:
            with transaction.atomic():
                services.save_with_version(
                    page.form.instance,
                    expected_version=page.form.cleaned_data["version"],
                    update_fields=section.update_fields(page.form),
                )
                section.save(page, request.user)
        except services.ConflictError:
            return self.render_conflict()
        except IntegrityError:
            page = self.build(request.POST)
            page.page_errors.append(CLASH_MESSAGE)
            page.is_valid()
            return self.render_page(page)
        return self.redirect_after_save()

    def render_conflict(self):
        """Show the person's answers again beside what is saved now, ready to save over it."""
        current = summary_queryset().get(pk=self.partnership.pk)
        data = self.request.POST.copy()
        data["version"] = str(current.version)
        page = self.build(data, partnership=current)
        page.conflict = True
        page.page_errors.append(CONFLICT_MESSAGE)
        page.is_valid()
        return self.render_page(page, partnership=current, saved=self.section.summary(current))

    def redirect_after_save(self):
        partnership, request = self.partnership, self.request
        if not partnership.is_draft_like:
            messages.success(request, f"Your changes to {self.section.title} have been saved.")
            return redirect(partnership)
        if request.POST.get("action") == "later":
            messages.success(
                request,
                "Your answers have been saved. You can come back to this registration at any time.",
            )
            return redirect("register:partnership_edit", partnership.reference)
        following = next_section(self.section)
        if following is None:
            return redirect("register:partnership_check", partnership.reference)
        return redirect(section_url(partnership, following))

    def render_page(self, page, partnership=None, saved=None):
        partnership = partnership or self.partnership
        context = self.get_context_data(
            section=self.section,
            page=page,
            form=page.form,
            partnership=partnership,
            errors=page.error_items(),
            saved=saved,
            is_draft_like=partnership.is_draft_like,
        )
        if self.section.slug == "resources":
            context["resource_totals"] = resource_totals(partnership)
        if self.section.slug == "documents":
            documents = list(partnership.documents.all())
            context["documents"] = [d for d in documents if not d.is_archived]
            context["archived_documents"] = [d for d in documents if d.is_archived]
        return self.render_to_response(context)


class PartnershipCheckView(PartnershipPermissionMixin, TemplateView):
    """Check your answers, then submit the registration to Democratic Services."""

    template_name = "register/partnership_check.html"
    partnership_queryset = summary_queryset()

    def get(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        if not partnership.is_draft_like:
            return self.already_submitted(partnership)
        if not request.user.has_perm("register.change_partnership", partnership):
            raise PermissionDenied
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        if not partnership.is_draft_like:
            # A second press of "Submit" (or a repeated post) changes nothing.
            return self.already_submitted(partnership)
        if not request.user.has_perm("register.submit_partnership", partnership):
            raise PermissionDenied
        try:
            services.submit(partnership=partnership, by=request.user)
        except ValidationError as error:
            partnership.refresh_from_db(fields=["status"])
            if not partnership.is_draft_like:
                return self.already_submitted(partnership)
            return self.render_to_response(self.get_context_data(submit_errors=error.messages))
        return redirect("register:partnership_submitted", partnership.reference)

    @staticmethod
    def already_submitted(partnership):
        if partnership.status == Partnership.Status.SUBMITTED:
            return redirect("register:partnership_submitted", partnership.reference)
        return redirect(partnership)

    def get_context_data(self, submit_errors=(), **kwargs):
        partnership = self.get_partnership()
        missing = services.missing_for_submission(partnership)
        sections = {section.slug: section for section in SECTIONS}
        missing_items = [
            {"message": message, "url": section_url(partnership, sections[slug])}
            for slug, message in missing
        ]
        links = {item["message"]: item["url"] for item in missing_items}
        return super().get_context_data(
            partnership=partnership,
            summaries=[
                {
                    "section": section,
                    "url": section_url(partnership, section),
                    "rows": section.summary(partnership),
                }
                for section in SECTIONS
            ],
            missing=missing_items,
            submit_errors=[
                {"message": message, "url": links.get(message, "#submit")}
                for message in submit_errors
            ],
            can_submit=self.request.user.has_perm("register.submit_partnership", partnership),
            **kwargs,
        )


class PartnershipSubmittedView(PartnershipPermissionMixin, TemplateView):
    """The confirmation a submitter sees, with the reference and what happens next."""

    template_name = "register/partnership_submitted.html"

    def get(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        if partnership.is_draft_like:
            return redirect("register:partnership_check", partnership.reference)
        if partnership.status != Partnership.Status.SUBMITTED:
            return redirect(partnership)
        return self.render_to_response(self.get_context_data(partnership=partnership))


class DocumentDownloadView(PartnershipPermissionMixin, View):
    """A document kept with a partnership, for anyone who may read the partnership."""

    def get(self, request, reference, pk):
        partnership = self.get_partnership()
        document = get_object_or_404(Document, pk=pk, partnership=partnership)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file of this document is missing.") from None
        return FileResponse(
            handle, as_attachment=True, filename=os.path.basename(document.file.name)
        )


class DocumentArchiveView(PartnershipPermissionMixin, View):
    """Archive a document: it stays on the record and can still be downloaded."""

    permission_required = "register.change_partnership"

    def post(self, request, reference, pk):
        partnership = self.get_partnership()
        document = get_object_or_404(Document, pk=pk, partnership=partnership)
        if not document.is_archived:
            document.is_archived = True
            document.save(update_fields=["is_archived"])
        messages.success(request, f"“{document.title}” has been archived.")
        return redirect("register:partnership_section", partnership.reference, "documents")


# Committee reports ------------------------------------------------------------------------------


class ReportAccessMixin:
    """Committee reports are for Democratic Services and Read-only users; some for Approvers."""

    approvers_may_read = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (
            register_rules.sees_everything(user)
            or (self.approvers_may_read and register_rules.is_approver(user))
        ):
            raise PermissionDenied("Committee reports are for Democratic Services.")
        return super().dispatch(request, *args, **kwargs)


def docx_response(content, filename):
    response = HttpResponse(content, content_type=reports.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AnnualReportView(ReportAccessMixin, View):
    """The annual report on partnerships for the Audit and Governance committee."""

    approvers_may_read = True
    as_docx = False
    template_name = "reports/annual_report.html"

    def get(self, request):
        default_year = current_financial_year()
        data = request.GET if "year" in request.GET else None
        form = reports.AnnualReportForm(
            data, years=reports.report_years(), initial={"year": default_year}
        )
        if data is not None and not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        year = form.cleaned_data["year"] if data is not None else default_year
        report = reports.annual_report(year, matrix=Matrix.for_request(request))
        if self.as_docx:
            return docx_response(
                reports.annual_report_docx(report),
                f"annual-report-on-partnerships-{report.year_label.replace('/', '-')}.docx",
            )
        return render(request, self.template_name, {"form": form, "report": report})


class RiskUpdateReportView(ReportAccessMixin, View):
    """The council-wide risk update: escalated and very high risks, with their actions."""

    as_docx = False
    template_name = "reports/risk_update.html"

    def get(self, request):
        # The date's three boxes are sent as date_0, date_1 and date_2; none means today.
        asked = any(f"date_{box}" in request.GET for box in range(3))
        form = reports.RiskUpdateForm(request.GET if asked else None)
        if form.is_bound and not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        on = (form.cleaned_data["date"] if form.is_bound else None) or timezone.localdate()
        report = reports.risk_update(on, matrix=Matrix.for_request(request))
        if self.as_docx:
            return docx_response(
                reports.risk_update_docx(report), f"risk-update-{on:%Y-%m-%d}.docx"
            )
        return render(request, self.template_name, {"form": form, "report": report})


# The Democratic Services overview ---------------------------------------------------------------


class OverviewView(TemplateView):
    """Where the council stands on its partnerships, for Democratic Services and Read-only users."""

    template_name = "register/overview.html"

    def dispatch(self, request, *args, **kwargs):
        if not register_rules.sees_everything(request.user):
            raise PermissionDenied("The overview is for Democratic Services and Read-only users.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        matrix = Matrix.for_request(self.request)
        return super().get_context_data(
            **overview_context(matrix), risk_matrix=matrix, today=timezone.localdate(), **kwargs
        )


class PreferencesView(FormView):
    """A signed-in person's choice of how often they are sent reminder digests."""

    form_class = PreferencesForm
    template_name = "register/preferences.html"

    def get_form_kwargs(self):
        profile = Profile.objects.filter(user=self.request.user).first()
        return {**super().get_form_kwargs(), "instance": profile or Profile(user=self.request.user)}

    def form_valid(self, form):
        # update_or_create, so a first save posted twice at once makes one profile, not an error.
        Profile.objects.update_or_create(
            user=self.request.user,
            defaults={"digest_frequency": form.cleaned_data["digest_frequency"]},
        )
        messages.success(self.request, "Your preferences have been saved.")
        return redirect("register:preferences")
