"""Risk register pages: each partnership's register, a risk with its controls and actions,
reviews, escalations, heat maps, the council-wide list and the board paper."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import FormView, TemplateView, UpdateView
from django_filters.views import FilterView

from partnerships_site import exports
from partnerships_site.compiled import compiled_query
from partnerships_site.history import history_for, history_page
from partnerships_site.pagination import PageByIdsMixin, pagination_items
from partnerships_site.related_lists import RelatedLists
from register.models import Partnership
from risks import services
from risks.exports import EXPORT_HEADER, export_query
from risks.filters import RiskFilter
from risks.forms import (
    SCORE_DESCRIPTIONS,
    ActionFormSetClass,
    ActionProgressForm,
    CloseRiskForm,
    ControlFormSetClass,
    EscalationForm,
    ReviewForm,
    RiskForm,
    error_links,
)
from risks.models import (
    SCORE_FIELDS,
    SCORE_KINDS,
    Action,
    Control,
    Escalation,
    Matrix,
    Risk,
    RiskReview,
)

SCORE_LABELS = {"inherent": "Inherent", "actual": "Actual", "residual": "Residual"}
CONFLICT_MESSAGE = (
    "Someone else saved this risk after you opened it, so your changes have not been saved. "
    "Open the risk again to see their changes, then make yours."
)


# A risk page's partnership, by its reference: compiled once (see partnerships_site.compiled).
_read_partnership = compiled_query(
    lambda reference: Partnership.objects.select_related(
        "directorate", "sponsoring_officer"
    ).filter(reference=reference)
)


class RiskPermissionMixin:
    """Fetch the partnership, risk and action named in the URL and check the user's permission.

    The one place object permissions are enforced for risk pages. A partnership the user may not
    read, or a risk or action that is not one of its own, is a 404 (nothing is revealed); a page
    they may read but not act on is a 403. `permission_required` is checked on the most specific
    record in the URL: the action, else the risk, else the partnership.
    """

    permission_required = "risks.view_risk"
    # Lists of the risk's rows the page shows, read with the risk in its one query.
    risk_lists = RelatedLists()

    def dispatch(self, request, *args, **kwargs):
        # Read when first used: a risk's history shows no scores, so it never reads the matrix.
        self.matrix = SimpleLazyObject(lambda: Matrix.for_request(request))
        self.risk = self.action = None
        if "risk" in kwargs:
            # The risk and its partnership in one query: either missing is a 404.
            self.risk = self.risk_lists.get(
                self.get_risk_queryset().select_related(
                    "partnership__directorate", "partnership__sponsoring_officer"
                ),
                same_for=type(self),
                partnership__reference=kwargs["reference"],
                reference=kwargs["risk"],
            )
            self.partnership = self.risk.partnership
        else:
            self.partnership = _read_partnership.first(kwargs["reference"])
            if self.partnership is None:
                raise Http404("No partnership matches the given query.")
        if "action" in kwargs:
            self.action = get_object_or_404(
                Action.objects.select_related("owner"), risk=self.risk, pk=kwargs["action"]
            )
            self.action.risk = self.risk
        target = self.action or self.risk or self.partnership
        if not request.user.has_perm("risks.view_risk", target):
            raise Http404("No risk matches the given query.")
        if not request.user.has_perm(self.permission_required, target):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_risk_queryset(self):
        return Risk.objects.with_scores().select_related("owner")

    def get_context_data(self, **kwargs):
        # The URL's own arguments (reference, risk, action) give way to the records they name.
        kwargs.update(
            partnership=self.partnership,
            risk=self.risk,
            action=self.action,
            risk_matrix=self.matrix,
        )
        return super().get_context_data(**kwargs)

    def can(self, permission, obj=None):
        return self.request.user.has_perm(permission, obj or self.risk or self.partnership)


# A partnership's risk register -----------------------------------------------------------------


def annotate_flags(risks, matrix):
    """Mark each risk with what the register shows about it, from the loaded matrix only."""
    today = timezone.localdate()
    for risk in risks:
        risk.for_board = risk.is_open and matrix.is_flagged(risk.actual_score)
        risk.awaiting_report = risk.for_board and risk.last_reported_on is None
        risk.review_overdue = risk.is_open and risk.next_review_due < today
    return risks


# The columns a partnership's risk register shows (templates/risks/includes/risk_rows.jinja): its
# page has the partnership already, and a risk's cause, event and impact are not shown.
RISK_ROW_FIELDS = (
    "partnership",
    "reference",
    "title",
    "owner__name",
    "owner__kind",
    "status",
    "closed_on",
    "next_review_due",
    *SCORE_FIELDS,
)

# A partnership's risk register, most serious first: compiled once.
_read_risk_register = compiled_query(
    lambda partnership_id: (
        Risk.objects.filter(partnership_id=partnership_id)
        .with_register_columns()
        .select_related(None)
        .select_related("owner")
        .only(*RISK_ROW_FIELDS)
        .order_by("-actual_score", "-inherent_score", "number")
    )
)


class RiskListView(RiskPermissionMixin, TemplateView):
    template_name = "risks/risk_list.html"

    def get_context_data(self, **kwargs):
        risks = _read_risk_register(self.partnership.pk)
        for risk in risks:
            risk.partnership = self.partnership
        annotate_flags(risks, self.matrix)
        open_risks = [risk for risk in risks if risk.is_open]
        return super().get_context_data(
            open_risks=open_risks,
            closed_risks=[risk for risk in risks if not risk.is_open],
            awaiting_report=[risk for risk in open_risks if risk.awaiting_report],
            review_overdue=[risk for risk in open_risks if risk.review_overdue],
            can_add=self.can("risks.add_risk", self.partnership),
            **kwargs,
        )


class RiskDetailView(RiskPermissionMixin, TemplateView):
    template_name = "risks/risk_detail.html"
    risk_lists = RelatedLists(
        controls=Control.objects.select_related("owner"),
        actions=Action.objects.select_related("owner"),
        reviews=RiskReview.objects.select_related("reviewer"),
        escalations=Escalation.objects.select_related("recorded_by"),
    )

    def get_risk_queryset(self):
        return Risk.objects.with_register_columns()

    def get_context_data(self, **kwargs):
        risk = self.risk
        annotate_flags([risk], self.matrix)
        user = self.request.user
        actions = list(risk.actions.all())
        for action in actions:
            action.can_update = user.has_perm("risks.change_action", action)
        return super().get_context_data(
            controls=list(risk.controls.all()),
            actions=actions,
            reviews=list(risk.reviews.all()),
            escalations=list(risk.escalations.all()),
            score_rows=[
                (risk.score(kind, self.matrix), label, hint)
                for kind, label, hint in SCORE_DESCRIPTIONS
            ],
            history=history_for(risk, include_related=True, limit=10),
            can_change=self.can("risks.change_risk"),
            can_review=self.can("risks.review_risk"),
            can_close=self.can("risks.close_risk"),
            can_escalate=self.can("risks.escalate_risk"),
            **kwargs,
        )


class RiskHistoryView(RiskPermissionMixin, TemplateView):
    """Every recorded change to a risk and its controls, actions, reviews and escalations."""

    template_name = "risks/risk_history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**history_page(self.request, self.risk), **kwargs)


# Adding and changing a risk, with its controls and actions ------------------------------------


class RiskFormView(RiskPermissionMixin, TemplateView):
    """A risk with its controls and actions on one page, working without JavaScript.

    "Add another control" or "Add another action" shows the page again with one more blank row,
    saving nothing and showing no errors yet; "Save" saves the lot in one transaction or nothing.
    """

    template_name = "risks/risk_form.html"
    prefixes = ("controls", "actions")

    def build(self, data=None):
        instance = self.risk or Risk(partnership=self.partnership)
        form = RiskForm(data, instance=instance, matrix=self.matrix)
        controls = ControlFormSetClass(data, instance=instance, prefix="controls")
        actions = ActionFormSetClass(data, instance=instance, prefix="actions")
        for formset in (controls, actions):
            formset.queryset = formset.queryset.select_related("owner")
        return form, controls, actions

    def get(self, request, *args, **kwargs):
        form, controls, actions = self.build()
        if self.risk is None:
            # A new risk starts with one blank row of each, as most risks have both.
            controls.extra = actions.extra = 1
        return self.show(form, controls, actions)

    def post(self, request, *args, **kwargs):
        add = request.POST.get("add")
        if add in self.prefixes:
            data = request.POST.copy()
            key = f"{add}-TOTAL_FORMS"
            if data.get(key, "").isdigit() and int(data[key]) < 50:
                data[key] = str(int(data[key]) + 1)
            form, controls, actions = self.build(data)
            for one in [form, *controls.forms, *actions.forms]:
                one.helper.form_show_errors = False
            return self.show(form, controls, actions, show_errors=False, focus=add)

        form, controls, actions = self.build(request.POST)
        valid = form.is_valid()
        actions.raised_on = form.cleaned_data.get("raised_on")
        valid = all([valid, controls.is_valid(), actions.is_valid()])
        if valid:
            if self.risk is None:
                form.instance.creation_token = form.cleaned_data.get("creation_token")
            try:
                risk = services.save_risk(
                    risk=form.instance,
                    formsets=[controls, actions],
                    expected_version=form.cleaned_data.get("version"),
                    matrix=self.matrix,
                    by=request.user,
                )
            except services.ConflictError:
                form.add_error(None, CONFLICT_MESSAGE)
                return self.show(form, controls, actions, status=409)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                verb = "changed" if self.risk else "added"
                messages.success(request, f"Risk {risk.reference} {risk.title} {verb}.")
                if form.actual_above_inherent:
                    messages.warning(
                        request,
                        "The actual score is higher than the inherent score: check the "
                        "scores, or record why the controls are not working.",
                    )
                return redirect(risk.get_absolute_url())
        return self.show(form, controls, actions)

    def show(self, form, controls, actions, *, show_errors=True, focus=None, status=200):
        context = self.get_context_data(
            form=form,
            controls=controls,
            actions=actions,
            errors=error_links(form, controls, actions) if show_errors else [],
            show_errors=show_errors,
            focus=focus,
        )
        return self.render_to_response(context, status=status)


class RiskCreateView(RiskFormView):
    permission_required = "risks.add_risk"


class RiskUpdateView(RiskFormView):
    permission_required = "risks.change_risk"


# Closing, reviewing, escalating, action progress -----------------------------------------------


class RiskCloseView(RiskPermissionMixin, FormView):
    permission_required = "risks.close_risk"
    form_class = CloseRiskForm
    template_name = "risks/risk_close.html"

    def get_initial(self):
        return {"version": self.risk.version}

    def form_valid(self, form):
        try:
            services.close_risk(
                risk=self.risk,
                reason=form.cleaned_data["closed_reason"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError:
            form.add_error(None, CONFLICT_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, f"Risk {self.risk.reference} closed.")
        return redirect("risks:risk_list", self.partnership.reference)


class RiskReviewCreateView(RiskPermissionMixin, FormView):
    permission_required = "risks.review_risk"
    form_class = ReviewForm
    template_name = "risks/riskreview_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "risk": self.risk, "matrix": self.matrix}

    def form_valid(self, form):
        try:
            services.record_review(
                risk=self.risk,
                by=self.request.user,
                reviewed_on=form.cleaned_data["reviewed_on"],
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data["version"] or -1,
                matrix=self.matrix,
                **form.score_values(),
            )
        except services.ConflictError:
            form.add_error(None, CONFLICT_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        due = date_format(self.risk.next_review_due)
        messages.success(
            self.request, f"Review of {self.risk.reference} recorded. Next review due {due}."
        )
        return redirect(self.risk.get_absolute_url())


class EscalationCreateView(RiskPermissionMixin, FormView):
    permission_required = "risks.escalate_risk"
    form_class = EscalationForm
    template_name = "risks/escalation_form.html"

    def get_form_kwargs(self):
        instance = Escalation(risk=self.risk, recorded_by=self.request.user)
        return {**super().get_form_kwargs(), "risk": self.risk, "instance": instance}

    def get_initial(self):
        return {"reported_on": timezone.localdate()}

    def form_valid(self, form):
        form.save()
        messages.success(
            self.request,
            f"Report of {self.risk.reference} to {form.instance.board_meeting} recorded.",
        )
        return redirect(self.risk.get_absolute_url())


class ActionUpdateView(RiskPermissionMixin, UpdateView):
    """An action owner's progress update on their action."""

    permission_required = "risks.change_action"
    form_class = ActionProgressForm
    template_name = "risks/action_form.html"

    def get_object(self, queryset=None):
        return self.action

    def form_valid(self, form):
        form.save()
        messages.success(self.request, f"Progress on the action for {self.risk.reference} saved.")
        return redirect(self.risk.get_absolute_url())


# Heat maps --------------------------------------------------------------------------------------


@dataclass
class HeatMapCell:
    score: object
    count: int
    url: str


def score_kind(request):
    kind = request.GET.get("score", "actual")
    return kind if kind in SCORE_KINDS else "actual"


def heat_map(risks, matrix, kind, link):
    """The likelihood x impact grid of open risks, highest likelihood first, with band totals.

    `link(likelihood, impact)` gives each cell's URL to the matching risks. One query.
    """
    counts = {
        (likelihood, impact): count
        for likelihood, impact, count in risks.open()
        .values_list(f"{kind}_likelihood", f"{kind}_impact")
        .annotate(count=Count("pk"))
        .order_by()
    }
    rows = []
    band_totals = {band.pk: 0 for band in matrix.bands}
    for likelihood in reversed(matrix.values):
        cells = []
        for impact in matrix.values:
            score = matrix.score(likelihood, impact)
            count = counts.get((likelihood, impact), 0)
            if score.band is not None:
                band_totals[score.band.pk] += count
            cells.append(HeatMapCell(score, count, link(likelihood, impact) if count else ""))
        rows.append((matrix.likelihood(likelihood), cells))
    return {
        "kind": kind,
        "kind_label": SCORE_LABELS[kind],
        "rows": rows,
        "impacts": matrix.impacts,
        "total": sum(counts.values()),
        "bands": [(band, band_totals[band.pk]) for band in matrix.bands],
        "kinds": [(k, SCORE_LABELS[k]) for k in SCORE_KINDS],
    }


class RiskHeatMapView(RiskPermissionMixin, TemplateView):
    template_name = "risks/heat_map.html"

    def get_context_data(self, **kwargs):
        kind = score_kind(self.request)
        list_url = reverse("risks:risk_council_list")

        def link(likelihood, impact):
            query = {
                "partnership": self.partnership.reference,
                "score": kind,
                "likelihood": likelihood,
                "impact": impact,
            }
            return f"{list_url}?{urlencode(query)}"

        return super().get_context_data(
            heat_map=heat_map(self.partnership.risks.all(), self.matrix, kind, link), **kwargs
        )


class CouncilHeatMapView(TemplateView):
    template_name = "risks/heat_map.html"

    def get_context_data(self, **kwargs):
        matrix = Matrix.for_request(self.request)
        kind = score_kind(self.request)
        list_url = reverse("risks:risk_council_list")

        def link(likelihood, impact):
            query = {"score": kind, "likelihood": likelihood, "impact": impact}
            return f"{list_url}?{urlencode(query)}"

        risks = Risk.objects.visible_to(self.request.user)
        return super().get_context_data(
            heat_map=heat_map(risks, matrix, kind, link), risk_matrix=matrix, **kwargs
        )


# The council-wide list and its exports ----------------------------------------------------------


def council_risks(user):
    return (
        Risk.objects.visible_to(user)
        .with_register_columns()
        .select_related("partnership__directorate")
        .order_by("-actual_score", "partnership__reference", "number")
    )


class CouncilRiskListView(PageByIdsMixin, FilterView):
    filterset_class = RiskFilter
    template_name = "risks/risk_council_list.html"
    paginate_by = 50

    def get_queryset(self):
        return council_risks(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so the defaults (open risks, actual score) apply to a bare /risks/.
        kwargs["data"] = self.request.GET
        kwargs["matrix"] = Matrix.for_request(self.request)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matrix = Matrix.for_request(self.request)
        annotate_flags(context["object_list"], matrix)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            risk_matrix=matrix,
            pagination=pagination_items(context["page_obj"]),
            export_query=query.urlencode(),
            score_label=SCORE_LABELS[self.filterset.kind],
        )
        return context


def export_response(file_format, header, rows, *, stem, sheet_title):
    filename = exports.download_filename(stem, file_format)
    if file_format == "csv":
        return exports.csv_response(header, rows, filename=filename)
    return exports.xlsx_response(header, rows, filename=filename, sheet_title=sheet_title)


class CouncilRiskExportView(View):
    """The council-wide list, with the same filters, as CSV or Excel, written by PostgreSQL
    (export_query()); the Excel file keeps dates and numbers as Excel's own."""

    def get(self, request, file_format):
        if file_format not in ("csv", "xlsx"):
            raise Http404
        matrix = Matrix.for_request(request)
        filterset = RiskFilter(
            request.GET, queryset=council_risks(request.user), request=request, matrix=matrix
        )
        risks = filterset.qs if filterset.is_valid() else Risk.objects.none()
        if risks.query.is_empty():
            # A queryset that can match nothing has no SQL to run: the heading alone.
            return export_response(
                file_format, EXPORT_HEADER, [], stem="risks", sheet_title="Risks"
            )
        filename = exports.download_filename("risks", file_format)
        if file_format == "csv":
            query = export_query(risks, matrix, exports.csv_columns)
            return exports.csv_query_response(EXPORT_HEADER, query, filename=filename)
        query = export_query(risks, matrix, exports.xlsx_row)
        return exports.xlsx_query_response(
            EXPORT_HEADER, query, filename=filename, sheet_title="Risks"
        )


# The board paper --------------------------------------------------------------------------------


class BoardPaperMixin(RiskPermissionMixin):
    def board_risks(self):
        """Open risks for the board: those for its attention first, then by actual score."""
        risks = list(
            self.partnership.risks.open()
            .with_register_columns()
            .prefetch_related(
                Prefetch("controls", queryset=Control.objects.select_related("owner")),
                Prefetch("actions", queryset=Action.objects.select_related("owner")),
                Prefetch(
                    "escalations", queryset=Escalation.objects.order_by("-reported_on", "-pk")
                ),
            )
        )
        for risk in risks:
            risk.partnership = self.partnership
        annotate_flags(risks, self.matrix)
        risks.sort(
            key=lambda r: (
                not (r.for_board or r.last_reported_on),
                -r.actual_score,
                -r.inherent_score,
                r.number,
            )
        )
        return risks


class BoardPaperView(BoardPaperMixin, TemplateView):
    template_name = "risks/board_paper.html"

    def get_context_data(self, **kwargs):
        risks = self.board_risks()
        attention = [risk for risk in risks if risk.for_board or risk.last_reported_on]
        band_counts = [
            (
                band,
                sum(1 for risk in risks if band.min_score <= risk.actual_score <= band.max_score),
            )
            for band in self.matrix.bands
        ]
        return super().get_context_data(
            attention=attention,
            others=[risk for risk in risks if risk not in attention],
            band_counts=band_counts,
            total=len(risks),
            prepared_on=timezone.localdate(),
            **kwargs,
        )


BOARD_PAPER_HEADER = [
    "Order",
    "Risk reference",
    "Title",
    "Category",
    "Cause",
    "Event",
    "Impact",
    "Risk owner",
    "Inherent score",
    "Actual score",
    "Residual score",
    "For the Partnership Board",
    "Reported to the board",
    "Controls in place",
    "Actions planned",
    "Last reviewed",
    "Next review due",
]


def _mitigation_line(item):
    parts = [item.description, f"owner {item.owner}", item.get_status_display().lower()]
    if item.estimated_completion:
        parts.append(f"due {item.estimated_completion:%d/%m/%Y}")
    if item.is_overdue:
        parts.append("OVERDUE")
    return "; ".join(parts)


class BoardPaperExportView(BoardPaperMixin, View):
    def get(self, request, reference, file_format):
        if file_format not in ("csv", "xlsx"):
            raise Http404
        rows = []
        for order, risk in enumerate(self.board_risks(), start=1):
            scores = [risk.score(kind, self.matrix) for kind in ("inherent", "actual", "residual")]
            reports = "\n".join(
                f"{e.reported_on:%d/%m/%Y} {e.board_meeting}: {e.get_board_response_display()}"
                for e in risk.escalations.all()
            )
            rows.append(
                [
                    order,
                    risk.reference,
                    risk.title,
                    risk.get_category_display(),
                    risk.cause,
                    risk.event,
                    risk.impact,
                    str(risk.owner),
                    *[str(score) for score in scores],
                    risk.for_board,
                    reports,
                    "\n".join(_mitigation_line(c) for c in risk.controls.all()),
                    "\n".join(_mitigation_line(a) for a in risk.actions.all()),
                    risk.last_reviewed_on,
                    risk.next_review_due,
                ]
            )
        return export_response(
            file_format,
            BOARD_PAPER_HEADER,
            rows,
            stem=f"{self.partnership.reference}-risk-register",
            sheet_title="Risk register",
        )


# Band colours ----------------------------------------------------------------------------------


@login_not_required
@require_safe
@cache_control(max_age=300)
def band_css(request):
    """CSS classes giving each score band its colours, from the ScoreBand rows.

    The site's content security policy forbids inline styles, so pages use these classes.
    """
    css = render_to_string("risks/bands.css", {"bands": Matrix.for_request(request).bands})
    return HttpResponse(css, content_type="text/css; charset=utf-8")
