"""What the home page tells a signed-in person to do: the "My work" sections.

Each section is read in one query (whatever the data size) and states the list where the person
acts; the numbers shown are the numbers of rows those lists give the same person.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from register import rules as register_rules
from register.models import ApprovalDecision, Partnership, Person
from reviews.filters import ReviewDueFilter
from reviews.models import ExitAction, ExitStrategy, due_for_review
from risks.models import Action, Risk
from risks.rules import FROZEN_STATUSES

# How far ahead risk reviews, actions and exit actions count as due soon.
DUE_SOON_DAYS = 30


@dataclass
class Section:
    """One piece of the person's work: its items on the page and the list where they act."""

    items: list = field(default_factory=list)
    count: int = 0
    list_url: str = ""
    list_count: int | None = None


def _url(name, **query):
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def drafts_and_returned(user):
    """The person's own registrations still to finish, each returned one with the reason."""
    last_return = ApprovalDecision.objects.filter(
        partnership=OuterRef("pk"), decision=ApprovalDecision.Decision.RETURNED
    ).order_by("-recorded_at", "-pk")
    partnerships = list(
        Partnership.objects.filter(author=user, status__in=Partnership.EDITABLE_BY_AUTHOR)
        .annotate(
            returned_reason=Subquery(last_return.values("reason")[:1]),
            returned_on=Subquery(last_return.values("decided_on")[:1]),
        )
        .order_by("-updated_at", "-pk")
    )
    drafts = [p for p in partnerships if p.status == Partnership.Status.DRAFT]
    returned = [p for p in partnerships if p.status == Partnership.Status.RETURNED]
    return Section(items=drafts, count=len(drafts)), Section(items=returned, count=len(returned))


def decidable_by(user):
    """Submitted partnerships this user may decide: the same answer as
    `user.has_perm("register.decide_partnership", partnership)`, as a queryset."""
    submitted = Partnership.objects.with_significance().filter(status=Partnership.Status.SUBMITTED)
    if not user.is_authenticated or register_rules.is_read_only(user):
        return submitted.none()
    if register_rules.is_democratic_services(user) or register_rules.is_approver(user):
        return submitted
    return submitted.filter(sponsoring_officer=user, is_significant=False)


def approvals(user):
    partnerships = list(
        decidable_by(user).select_related("directorate").order_by("submitted_at", "pk")
    )
    section = Section(items=partnerships, count=len(partnerships))
    # Approvers and Democratic Services decide every submission, so the register's own list
    # of submissions shows exactly these.
    if register_rules.is_democratic_services(user) or register_rules.is_approver(user):
        section.list_url = _url("register:partnership_list", status=Partnership.Status.SUBMITTED)
        section.list_count = section.count
    return section


def reviews_due(user):
    """Annual reviews due in the next 60 days or overdue: as the "Reviews due" list shows them."""
    scope = (
        ReviewDueFilter.ALL if register_rules.is_democratic_services(user) else ReviewDueFilter.MINE
    )
    partnerships = due_for_review(Partnership.objects.visible_to(user))
    if scope == ReviewDueFilter.MINE:
        partnerships = partnerships.filter(sponsoring_officer=user)
    totals = partnerships.aggregate(
        due=Count("pk"), overdue=Count("pk", filter=Q(next_review_due__lt=timezone.localdate()))
    )
    return Section(
        count=totals["due"],
        items=[],
        list_url=_url("reviews:review_due_list", scope=scope),
        list_count=totals["due"],
    ), totals["overdue"]


def risks_due(user, person):
    """Open risks the person owns, or on partnerships they sponsor, due for review soon."""
    today = timezone.localdate()
    risks = list(
        Risk.objects.visible_to(user)
        .open()
        .filter(Q(owner__user=user) | Q(partnership__sponsoring_officer=user))
        .filter(next_review_due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .with_scores()
        .select_related("partnership", "owner")
        .order_by("next_review_due", "partnership__reference", "number")
    )
    section = Section(items=risks, count=len(risks))
    if person is not None:
        # The council-wide list filters on the owner and on an overdue review.
        section.list_url = _url("risks:risk_council_list", owner=person.pk, review_overdue="on")
        section.list_count = sum(
            1 for risk in risks if risk.owner_id == person.pk and risk.next_review_due < today
        )
    return section


def actions_due(user):
    """Open risk actions the person owns, due soon or overdue, that they may still update."""
    today = timezone.localdate()
    actions = list(
        Action.objects.open()
        .filter(
            owner__user=user,
            estimated_completion__lte=today + timedelta(days=DUE_SOON_DAYS),
            risk__status=Risk.Status.OPEN,
        )
        .exclude(risk__partnership__status__in=FROZEN_STATUSES)
        .select_related("risk__partnership", "owner")
        .order_by("estimated_completion", "pk")
    )
    return Section(items=actions, count=len(actions))


def exit_actions_due(user):
    """Open exit actions the person owns, due soon or overdue (the list shows all open ones)."""
    today = timezone.localdate()
    open_actions = (
        ExitAction.objects.open().owned_by(user).filter(strategy__status=ExitStrategy.Status.OPEN)
    )
    actions = list(
        open_actions.filter(due_date__lte=today + timedelta(days=DUE_SOON_DAYS))
        .with_related()
        .order_by("due_date", "pk")
    )
    return Section(
        items=actions,
        count=len(actions),
        list_url=reverse("reviews:exit_action_list"),
        list_count=open_actions.count(),
    )


def my_work(user):
    """Every section of the person's work, for the home page."""
    person = Person.objects.filter(user=user).first()
    drafts, returned = drafts_and_returned(user)
    reviews, reviews_overdue = reviews_due(user)
    return {
        "drafts": drafts,
        "returned": returned,
        # Every registration the person may still change, drafts and returned alike.
        "my_drafts": drafts.items + returned.items,
        "approvals": approvals(user),
        "reviews": reviews,
        "reviews_overdue": reviews_overdue,
        "risks": risks_due(user, person),
        "actions": actions_due(user),
        "exit_actions": exit_actions_due(user),
        "person": person,
        "due_soon_days": DUE_SOON_DAYS,
        "today": timezone.localdate(),
        "is_democratic_services": register_rules.is_democratic_services(user),
        "is_approver": register_rules.is_approver(user),
        "is_read_only": register_rules.is_read_only(user),
    }
