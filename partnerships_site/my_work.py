"""What the home page tells a signed-in person to do: the "My work" sections.

Each section is read in one query whatever the data size: its first SECTION_LIMIT items, soonest
first, and how many there are in all. A section states the list where the person acts; a number
beside a link is the number of rows that list gives the same person.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
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
# The most items of one kind the home page lists; each section says how many there are in all.
SECTION_LIMIT = 10


@dataclass
class Section:
    """One piece of the person's work: its items on the page and the list where they act."""

    items: list = field(default_factory=list)
    count: int = 0
    list_url: str = ""
    list_count: int | None = None

    @property
    def is_capped(self):
        """Whether the page lists only the first SECTION_LIMIT of the section's items."""
        return self.count > len(self.items) > 0


def _first_rows(queryset, **counts):
    """The first SECTION_LIMIT rows of an ordered queryset, each carrying `total`, the number of
    rows without the limit, and any other counts given: one query, as window functions count
    every row before LIMIT applies."""
    counts = {"total": Count("pk"), **counts}
    windows = {name: Window(count) for name, count in counts.items()}
    return list(queryset.annotate(**windows)[:SECTION_LIMIT])


def _section(rows, **kwargs):
    return Section(items=rows, count=rows[0].total if rows else 0, **kwargs)


def _url(name, **query):
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def drafts_and_returned(user):
    """The person's own registrations still to finish, each returned one with the reason: the
    latest saved of each status, both read in one query."""
    last_return = ApprovalDecision.objects.filter(
        partnership=OuterRef("pk"), decision=ApprovalDecision.Decision.RETURNED
    ).order_by("-recorded_at", "-pk")
    latest_first = [F("updated_at").desc(), F("pk").desc()]
    partnerships = list(
        Partnership.objects.filter(author=user, status__in=Partnership.EDITABLE_BY_AUTHOR)
        .annotate(
            returned_reason=Subquery(last_return.values("reason")[:1]),
            returned_on=Subquery(last_return.values("decided_on")[:1]),
            total=Window(Count("pk"), partition_by=F("status")),
            position=Window(RowNumber(), partition_by=F("status"), order_by=latest_first),
        )
        .filter(position__lte=SECTION_LIMIT)
        .order_by(*latest_first)
    )
    drafts = [p for p in partnerships if p.status == Partnership.Status.DRAFT]
    returned = [p for p in partnerships if p.status == Partnership.Status.RETURNED]
    # The register filters on the status but not on the author: its list also holds the
    # registrations others started that this person may read.
    return (
        _section(
            drafts, list_url=_url("register:partnership_list", status=Partnership.Status.DRAFT)
        ),
        _section(
            returned, list_url=_url("register:partnership_list", status=Partnership.Status.RETURNED)
        ),
    )


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
    section = _section(
        _first_rows(decidable_by(user).select_related("directorate").order_by("submitted_at", "pk"))
    )
    # Approvers and Democratic Services decide every submission, so the register's own list
    # of submissions shows exactly these.
    if register_rules.is_democratic_services(user) or register_rules.is_approver(user):
        section.list_url = _url("register:partnership_list", status=Partnership.Status.SUBMITTED)
        section.list_count = section.count
    else:
        # A sponsor decides the submissions they sponsor that are not significant; the register
        # cannot filter on the sponsor, so its list holds other submissions they have a hand in.
        section.list_url = _url(
            "register:partnership_list", status=Partnership.Status.SUBMITTED, significant="no"
        )
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
    risks = (
        Risk.objects.visible_to(user)
        .open()
        .filter(Q(owner__user=user) | Q(partnership__sponsoring_officer=user))
        .filter(next_review_due__lte=today + timedelta(days=DUE_SOON_DAYS))
        .with_scores()
        .select_related("partnership", "owner")
        .order_by("next_review_due", "partnership__reference", "number")
    )
    if person is None:
        return _section(_first_rows(risks))
    # The council-wide list filters on the owner and on an overdue review: the nearest list to
    # this section, so the link counts the rows that list shows.
    rows = _first_rows(
        risks, owned_overdue=Count("pk", filter=Q(owner=person, next_review_due__lt=today))
    )
    return _section(
        rows,
        list_url=_url("risks:risk_council_list", owner=person.pk, review_overdue="on"),
        list_count=rows[0].owned_overdue if rows else 0,
    )


def actions_due(user):
    """Open risk actions the person owns, due soon or overdue, that they may still update."""
    today = timezone.localdate()
    actions = (
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
    return _section(_first_rows(actions))


def exit_actions_due(user):
    """Open exit actions the person owns, due soon or overdue (the list shows all open ones)."""
    due_by = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    # Every open action, soonest first, so one query also counts those the list shows: the ones
    # due soon come first, so the first rows hold every one of them the page lists.
    rows = _first_rows(
        ExitAction.objects.open()
        .owned_by(user)
        .filter(strategy__status=ExitStrategy.Status.OPEN)
        .with_related()
        .order_by("due_date", "pk"),
        due_soon=Count("pk", filter=Q(due_date__lte=due_by)),
    )
    return Section(
        items=[action for action in rows if action.due_date <= due_by],
        count=rows[0].due_soon if rows else 0,
        list_url=reverse("reviews:exit_action_list"),
        list_count=rows[0].total if rows else 0,
    )


def my_work(user):
    """Every section of the person's work, for the home page."""
    if register_rules.is_read_only(user):
        # Nothing waits for a read-only user to act on, so none of the sections is read.
        return {"is_read_only": True}
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
        "is_read_only": False,
    }
