"""Pages for annual reviews and exits.

Object permissions are checked in one place, ReviewPermissionMixin: a partnership the user may
not read is a 404 (its existence is not revealed); one they may read but not act on is a 403
that says why. Writes go through reviews.services.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import DetailView, ListView, TemplateView, View
from django_filters.views import FilterView

from partnerships_site.errors import error_summary
from partnerships_site.related_lists import RelatedLists, people_by_name
from register.models import Partnership, StatusChange
from register.rules import is_democratic_services, is_read_only
from register.services import ConflictError
from reviews import services
from reviews.filters import ReviewDueFilter
from reviews.forms import (
    AnnualReviewForm,
    CompleteExitForm,
    ExitActionFormSet,
    ExitActionProgressForm,
    ExitStrategyForm,
    NextReviewDateForm,
    PriorityAlignmentFormSet,
)
from reviews.models import (
    AnnualReview,
    ExitAction,
    ExitStrategy,
    NextReviewDateChange,
    due_for_review,
)

CONFLICT_MESSAGE = (
    "Someone else saved this {thing} while you were working on it, so your changes have not "
    "been saved. Copy anything you need, then reload the page to see their changes."
)


def _add_errors(form, error):
    """Put a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Permissions ------------------------------------------------------------------------------------


def denial_reason(user, partnership, permission):
    """Why this user may not do this to this partnership, in plain words."""
    if is_read_only(user):
        return "Read-only users can see the register but cannot change it."
    if partnership.status == Partnership.Status.CLOSED:
        closed = f" on {date_format(partnership.closed_on)}" if partnership.closed_on else ""
        return (
            f"{partnership.reference} was closed{closed}. A closed partnership stays on the "
            "register to be read, but nothing about it can change."
        )
    if permission == "reviews.start_review" and partnership.status != Partnership.Status.ACTIVE:
        return (
            f"Only an active partnership can be reviewed; {partnership.reference} is "
            f"{partnership.get_status_display().lower()}."
        )
    if permission == "reviews.manage_exit" and partnership.status != Partnership.Status.EXITING:
        return (
            f"{partnership.reference} is {partnership.get_status_display().lower()}: it has no "
            "exit under way."
        )
    if permission == "reviews.set_next_review_date":
        if is_democratic_services(user):
            return (
                f"{partnership.reference} is {partnership.get_status_display().lower()}, so it "
                "has no annual review to come."
            )
        return "Only Democratic Services can set another date for the next review."
    if permission == "reviews.update_exit_action":
        return (
            "Only the action's owner, the sponsoring officer and Democratic Services can update "
            "its progress, while the exit is under way."
        )
    return "Only the sponsoring officer and Democratic Services can record reviews and exits."


class ReviewPermissionMixin:
    """Fetch the partnership named in the URL and check the user's permission on it.

    404 if the user may not read the partnership; 403, with the reason, if they may read it but
    lack `permission_required` on `get_permission_object()` (the partnership by default).
    """

    permission_required = "register.view_partnership"

    def get_partnership(self):
        if not hasattr(self, "_partnership"):
            partnership = get_object_or_404(
                Partnership.objects.select_related("directorate", "sponsoring_officer"),
                reference=self.kwargs["reference"],
            )
            if not self.request.user.has_perm("register.view_partnership", partnership):
                raise Http404("No partnership matches the given query.")
            self._partnership = partnership
        return self._partnership

    def get_permission_object(self):
        return self.get_partnership()

    def dispatch(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        if not request.user.has_perm(self.permission_required, self.get_permission_object()):
            return TemplateResponse(
                request,
                "reviews/forbidden.html",
                {
                    "partnership": partnership,
                    "reason": denial_reason(request.user, partnership, self.permission_required),
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(partnership=self.get_partnership(), **kwargs)


# The partnership page's panel -------------------------------------------------------------------


# What reviews_context shows, read with the partnership (partnerships_site/related_lists.py).
# Each list reads the columns the panel shows: a review's own page shows the rest.
REVIEW_LISTS_SPEC = {
    "annual_reviews": AnnualReview.objects.select_related("supersedes", "correction")
    .only(
        "partnership",
        "status",
        "period_start",
        "period_end",
        "review_date",
        "outcome",
        "completed_at",
        "supersedes__review_date",
        "correction__status",
    )
    .order_by("-period_end", "-review_date", "-pk"),
    "exit_strategies": ExitStrategy.objects.all(),
    "exit_actions": (ExitAction.objects.select_related("owner"), "strategy__partnership"),
    "status_changes": people_by_name(StatusChange.objects.all(), "changed_by"),
    "next_review_date_changes": people_by_name(NextReviewDateChange.objects.all(), "changed_by"),
}
REVIEW_LISTS = RelatedLists(**REVIEW_LISTS_SPEC)


def review_permissions(partnership, user):
    """What the signed-in user may do in the partnership's reviews panel."""
    return {
        "start_review": user.has_perm("reviews.start_review", partnership),
        "record_review": user.has_perm("reviews.record_review", partnership),
        "manage_exit": user.has_perm("reviews.manage_exit", partnership),
        "set_next_review_date": user.has_perm("reviews.set_next_review_date", partnership),
    }


def reviews_context(partnership, user=None, *, status_history=True, can=None):
    """What the partnership page needs to show its reviews, exit strategy and status history.

    Runs a fixed number of queries whatever the history holds. Pass the signed-in user to show
    the buttons they may use (or, as `can`, what review_permissions() gave for them), and
    status_history=False where the page shows the status history itself. Render with the
    partial "reviews/includes/partnership_reviews.jinja", which reads everything from
    `reviews_panel`.
    """
    # In one query, unless the page read them with the partnership (register's detail page).
    REVIEW_LISTS.ensure(partnership)
    reviews = list(partnership.annual_reviews.all())
    strategy = next(iter(partnership.exit_strategies.all()), None)
    exit_actions = partnership.exit_actions
    status_changes = list(partnership.status_changes.all()) if status_history else []
    date_changes = list(partnership.next_review_date_changes.all())
    review_in_progress = next(
        (r for r in reviews if r.status == AnnualReview.Status.DRAFT and not r.supersedes_id),
        None,
    )
    if can is None:
        can = review_permissions(partnership, user) if user is not None else {}
    return {
        "reviews_panel": {
            "partnership": partnership,
            "reviews": reviews,
            "review_in_progress": review_in_progress,
            "exit_strategy": strategy,
            "exit_actions": exit_actions,
            "show_status_history": status_history,
            "status_changes": status_changes,
            "next_review_date_changes": date_changes,
            "can": can,
            "overdue": bool(
                partnership.next_review_due and partnership.next_review_due < timezone.localdate()
            ),
        }
    }


class PartnershipReviewsView(ReviewPermissionMixin, TemplateView):
    """A partnership's annual reviews, exit strategy and status history on a page of their own."""

    template_name = "reviews/partnership_reviews.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(reviews_context(self.get_partnership(), self.request.user))
        return context


# Reviews due ------------------------------------------------------------------------------------


@dataclass
class DueRow:
    partnership: Partnership
    days: int

    @property
    def is_overdue(self):
        return self.days < 0

    @property
    def when(self):
        if self.days < 0:
            return f"Overdue by {-self.days} day{'' if self.days == -1 else 's'}"
        if self.days == 0:
            return "Due today"
        return f"Due in {self.days} day{'' if self.days == 1 else 's'}"


class ReviewDueListView(FilterView):
    """Partnerships whose annual review is due in the next 60 days, or overdue."""

    template_name = "reviews/review_due_list.html"
    filterset_class = ReviewDueFilter
    paginate_by = 50
    context_object_name = "partnerships"

    def get_queryset(self):
        in_progress = AnnualReview.objects.filter(
            partnership=OuterRef("pk"),
            status=AnnualReview.Status.DRAFT,
            supersedes__isnull=True,
        ).values("pk")[:1]
        return (
            due_for_review(Partnership.objects.visible_to(self.request.user))
            .select_related("directorate", "sponsoring_officer")
            .annotate(review_in_progress=Subquery(in_progress))
            .order_by("next_review_due", "reference")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        data = self.request.GET.copy()
        if not data.get("scope"):
            data["scope"] = ReviewDueFilter.default_scope(self.request.user)
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        user = self.request.user
        context["rows"] = [
            {
                "due": DueRow(p, (p.next_review_due - today).days),
                "can_start": user.has_perm("reviews.start_review", p),
            }
            for p in context["partnerships"]
        ]
        form = self.filterset.form
        context["scope"] = form.cleaned_data.get("scope") if form.is_valid() else ""
        context["error_items"] = error_summary(form)
        return context


class ExitActionListView(ListView):
    """The signed-in person's open exit actions, across every partnership that is exiting."""

    template_name = "reviews/exit_action_list.html"
    context_object_name = "actions"
    paginate_by = 50

    def get_queryset(self):
        return (
            ExitAction.objects.open()
            .owned_by(self.request.user)
            .filter(strategy__status=ExitStrategy.Status.OPEN)
            .with_related()
            .order_by("due_date", "pk")
        )


# Annual reviews ---------------------------------------------------------------------------------


class ReviewStartView(ReviewPermissionMixin, TemplateView):
    """Start the annual review: what changed since the last one, and a button to begin."""

    permission_required = "reviews.record_review"
    template_name = "reviews/review_start.html"

    def get(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        in_progress = partnership.annual_reviews.drafts().filter(supersedes__isnull=True).first()
        if in_progress is not None:
            return HttpResponseRedirect(
                reverse("reviews:review_update", args=[partnership.reference, in_progress.pk])
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.get_partnership()
        context["changes"] = services.changes_since_last_review(partnership)
        context["last_review"] = services.last_completed_review(partnership)
        context["can_start"] = self.request.user.has_perm("reviews.start_review", partnership)
        context["refusal"] = (
            ""
            if context["can_start"]
            else denial_reason(self.request.user, partnership, "reviews.start_review")
        )
        return context

    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        try:
            review = services.start_review(partnership=partnership, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(
                reverse("reviews:review_start", args=[partnership.reference])
            )
        messages.success(request, "The annual review has started. Save it as a draft at any time.")
        return HttpResponseRedirect(
            reverse("reviews:review_update", args=[partnership.reference, review.pk])
        )


class ReviewObjectMixin(ReviewPermissionMixin):
    def get_review(self):
        if not hasattr(self, "_review"):
            self._review = get_object_or_404(
                AnnualReview.objects.with_people(),
                pk=self.kwargs["pk"],
                partnership=self.get_partnership(),
            )
        return self._review


class ReviewDetailView(ReviewObjectMixin, DetailView):
    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_object(self, queryset=None):
        return self.get_review()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.get_review()
        can_record = self.request.user.has_perm("reviews.record_review", self.get_partnership())
        correction = getattr(review, "correction", None)
        context.update(
            alignments=review.alignments.select_related("priority"),
            correction=correction,
            can_edit=can_record and review.status == AnnualReview.Status.DRAFT,
            can_correct=can_record
            and review.status == AnnualReview.Status.COMPLETED
            and (correction is None or correction.status == AnnualReview.Status.DRAFT),
        )
        return context


class ReviewUpdateView(ReviewObjectMixin, TemplateView):
    """Record the review: save it as a draft, or complete it with its outcome."""

    permission_required = "reviews.record_review"
    template_name = "reviews/review_form.html"

    def locked(self):
        review = self.get_review()
        return TemplateResponse(
            self.request,
            "reviews/review_locked.html",
            {"partnership": self.get_partnership(), "review": review},
            status=403,
        )

    def get(self, request, *args, **kwargs):
        review = self.get_review()
        if review.is_locked:
            return self.locked()
        form = AnnualReviewForm(instance=review)
        formset = PriorityAlignmentFormSet(review=review)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        if review.is_locked:
            return self.locked()
        completing = "complete" in request.POST
        form = AnnualReviewForm(request.POST, instance=review)
        formset = PriorityAlignmentFormSet(request.POST, review=review)
        if form.is_valid() and formset.is_valid():
            alignments = [f.instance for f in formset.initial_forms]
            save = services.complete_review if completing else services.save_review_draft
            try:
                save(
                    review=form.instance,
                    alignments=alignments,
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ConflictError:
                form.add_error(None, CONFLICT_MESSAGE.format(thing="review"))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return self.saved(form.instance, completing)
        # Show the review as stored, not as the failed attempt left it in memory.
        self._review = AnnualReview.objects.with_people().get(pk=review.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def saved(self, review, completed):
        partnership = self.get_partnership()
        if not completed:
            messages.success(self.request, "Your draft review has been saved.")
            return HttpResponseRedirect(
                reverse("reviews:review_update", args=[partnership.reference, review.pk])
            )
        if review.supersedes_id:
            messages.success(self.request, "The corrected review has been completed.")
        elif review.is_withdrawal:
            messages.success(
                self.request,
                f"The review is complete. {partnership.reference} is now exiting: "
                "complete its exit strategy.",
            )
            return HttpResponseRedirect(
                reverse("reviews:exit_strategy_update", args=[partnership.reference])
            )
        else:
            partnership.refresh_from_db()
            messages.success(
                self.request,
                f"The review is complete. The next review is due by "
                f"{date_format(partnership.next_review_due)}.",
            )
        return HttpResponseRedirect(review.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.get_review()
        context.update(
            review=review,
            changes=services.changes_since_last_review(self.get_partnership(), review=review),
            error_items=error_summary(context.get("form"), context.get("formset")),
        )
        return context


class ReviewCorrectView(ReviewObjectMixin, View):
    """Open a correction of a completed review: a new version, prefilled, that supersedes it."""

    permission_required = "reviews.record_review"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        try:
            correction = services.start_correction(review=review, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(review.get_absolute_url())
        messages.success(
            request,
            "A new version of the review is open to correct. The completed review stays as it "
            "was until the correction is completed.",
        )
        return HttpResponseRedirect(
            reverse("reviews:review_update", args=[review.partnership.reference, correction.pk])
        )


class NextReviewDateUpdateView(ReviewPermissionMixin, TemplateView):
    """Democratic Services set another date for the next annual review, with the reason."""

    permission_required = "reviews.set_next_review_date"
    template_name = "reviews/next_review_date_form.html"

    def get(self, request, *args, **kwargs):
        form = NextReviewDateForm(
            initial={"next_review_due": self.get_partnership().next_review_due}
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        form = NextReviewDateForm(request.POST)
        if form.is_valid():
            try:
                services.set_next_review_date(
                    partnership=partnership,
                    by=request.user,
                    next_review_due=form.cleaned_data["next_review_due"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"The next review of {partnership.reference} is now due by "
                    f"{date_format(form.cleaned_data['next_review_due'])}.",
                )
                return HttpResponseRedirect(
                    reverse("reviews:partnership_reviews", args=[partnership.reference])
                )
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["error_items"] = error_summary(context.get("form"))
        return context


# Exits ------------------------------------------------------------------------------------------


class ExitStrategyMixin(ReviewPermissionMixin):
    def get_strategy(self):
        if not hasattr(self, "_strategy"):
            self._strategy = get_object_or_404(
                ExitStrategy.objects.select_related("review", "completed_by"),
                partnership=self.get_partnership(),
            )
        return self._strategy


class ExitStrategyDetailView(ExitStrategyMixin, TemplateView):
    template_name = "reviews/exit_strategy_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        strategy = self.get_strategy()
        user = self.request.user
        actions = list(strategy.actions.select_related("owner", "strategy__partnership"))
        context.update(
            strategy=strategy,
            action_rows=[
                {"action": a, "can_update": user.has_perm("reviews.update_exit_action", a)}
                for a in actions
            ],
            can_manage=user.has_perm("reviews.manage_exit", self.get_partnership())
            and strategy.is_open,
        )
        return context


class ExitStrategyUpdateView(ExitStrategyMixin, TemplateView):
    """Fill in the exit strategy and plan its exit actions. "Add another action" saves the page
    and gives a new blank row, so it works without JavaScript."""

    permission_required = "reviews.manage_exit"
    template_name = "reviews/exit_strategy_form.html"

    def get(self, request, *args, **kwargs):
        strategy = self.get_strategy()
        form = ExitStrategyForm(instance=strategy)
        formset = ExitActionFormSet(instance=strategy)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        strategy = self.get_strategy()
        form = ExitStrategyForm(request.POST, instance=strategy)
        formset = ExitActionFormSet(request.POST, instance=strategy)
        if form.is_valid() and formset.is_valid():
            try:
                services.save_exit_strategy(
                    strategy=form.instance,
                    actions=[f.instance for f in formset.forms if f.has_changed()],
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ConflictError:
                form.add_error(None, CONFLICT_MESSAGE.format(thing="exit strategy"))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if "add_another" in request.POST:
                    messages.success(request, "Saved. Add the next exit action below.")
                    return HttpResponseRedirect(
                        reverse(
                            "reviews:exit_strategy_update", args=[strategy.partnership.reference]
                        )
                        + "#actions"
                    )
                messages.success(request, "The exit strategy has been saved.")
                return HttpResponseRedirect(strategy.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["strategy"] = self.get_strategy()
        context["error_items"] = error_summary(context.get("form"), context.get("formset"))
        return context


class ExitActionUpdateView(ExitStrategyMixin, TemplateView):
    """An exit action's owner (or the sponsoring officer) records its progress."""

    permission_required = "reviews.update_exit_action"
    template_name = "reviews/exit_action_form.html"

    def get_action(self):
        if not hasattr(self, "_action"):
            self._action = get_object_or_404(
                ExitAction.objects.select_related("owner", "strategy__partnership"),
                pk=self.kwargs["pk"],
                strategy__partnership=self.get_partnership(),
            )
        return self._action

    def get_permission_object(self):
        return self.get_action()

    def get(self, request, *args, **kwargs):
        form = ExitActionProgressForm(instance=self.get_action())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        form = ExitActionProgressForm(request.POST, instance=action)
        if form.is_valid():
            try:
                services.update_exit_action(
                    action=form.instance,
                    by=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ConflictError:
                form.add_error(None, CONFLICT_MESSAGE.format(thing="exit action"))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"Progress on “{action.description}” has been saved.")
                if request.user.has_perm("reviews.manage_exit", self.get_partnership()):
                    return HttpResponseRedirect(action.strategy.get_absolute_url())
                return HttpResponseRedirect(reverse("reviews:exit_action_list"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action"] = self.get_action()
        context["error_items"] = error_summary(context.get("form"))
        return context


class ExitCompleteView(ExitStrategyMixin, TemplateView):
    """Sign off the exit and close the partnership, once every exit action is done."""

    permission_required = "reviews.manage_exit"
    template_name = "reviews/exit_complete.html"

    def get(self, request, *args, **kwargs):
        strategy = self.get_strategy()
        user = request.user
        profile = getattr(user, "profile", None)
        name = user.get_full_name() or user.get_username()
        if profile is not None and profile.job_title:
            name = f"{name}, {profile.job_title}"
        form = CompleteExitForm(
            initial={
                "signed_off_by": name,
                "signed_off_on": timezone.localdate(),
                "expected_version": strategy.version,
            }
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        strategy = self.get_strategy()
        form = CompleteExitForm(request.POST)
        if form.is_valid():
            try:
                services.complete_exit(
                    strategy=strategy,
                    by=request.user,
                    signed_off_by=form.cleaned_data["signed_off_by"],
                    signed_off_on=form.cleaned_data["signed_off_on"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ConflictError:
                form.add_error(None, CONFLICT_MESSAGE.format(thing="exit strategy"))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                partnership = self.get_partnership()
                messages.success(
                    request,
                    f"The exit is complete and {partnership.reference} is closed. It stays on the "
                    "register, read-only, with its history.",
                )
                return HttpResponseRedirect(
                    reverse("reviews:partnership_reviews", args=[partnership.reference])
                )
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        strategy = self.get_strategy()
        form = context.get("form")
        strategy_problems = strategy.missing_for_completion()
        for name in ("signed_off_by", "signed_off_on"):
            strategy_problems.pop(name, None)
        context.update(
            strategy=strategy,
            open_actions=list(strategy.actions.open().select_related("owner")),
            strategy_problems=list(strategy_problems.values()),
            error_items=error_summary(form),
        )
        return context
