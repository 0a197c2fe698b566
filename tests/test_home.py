"""My work: the home page after sign-in."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partnerships_site.my_work import SECTION_LIMIT, decidable_by
from register.models import ApprovalDecision, Partnership
from reviews.models import ExitStrategy
from tests.factories import (
    ActionFactory,
    ExitActionFactory,
    FinancialContributionFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
)
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def days(n):
    return timezone.localdate() + timedelta(days=n)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def home(user):
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response


def submitted(sponsor=None, *, significant=False):
    partnership = PartnershipFactory(status=Status.SUBMITTED, sponsoring_officer=sponsor)
    if significant:
        FinancialContributionFactory(partnership=partnership, amount=Decimal("250000.00"))
    return partnership


def exit_strategy():
    partnership = PartnershipFactory(status=Status.EXITING)
    return ExitStrategy.objects.create(partnership=partnership)


@pytest.fixture
def world(officer, other_officer, sponsor, approver, democratic_services, read_only):
    """Work for each role, with as much that is not theirs, or not due yet, beside it."""
    person = PersonFactory(user=officer, name="Olivia Okafor")
    # Registrations: two drafts and one returned for the officer; another's draft; a live one.
    PartnershipFactory(author=officer, name="First draft")
    PartnershipFactory(author=officer, name="Second draft")
    returned = PartnershipFactory(author=officer, status=Status.RETURNED, name="Sent back")
    ApprovalDecision.objects.create(
        partnership=returned,
        decision=ApprovalDecision.Decision.RETURNED,
        decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
        decided_on=days(-2),
        reason="Add the governing document.",
        recorded_by=democratic_services,
    )
    PartnershipFactory(author=other_officer, name="Someone else's draft")
    active_partnership(author=officer, next_review_due=days(365))
    # Submissions: the sponsor may decide only the one they sponsor that is not significant.
    submitted(sponsor)
    submitted(sponsor, significant=True)
    submitted(UserFactory())
    # Annual reviews: two of the sponsor's due (one overdue), one far off; another's overdue.
    active_partnership(sponsoring_officer=sponsor, next_review_due=days(-10))
    active_partnership(sponsoring_officer=sponsor, next_review_due=days(20))
    active_partnership(sponsoring_officer=sponsor, next_review_due=days(200))
    active_partnership(sponsoring_officer=UserFactory(), next_review_due=days(-30))
    # Risks: the officer owns one overdue, one due soon, one far off; one of the sponsor's
    # partnerships has a risk owned by someone else that is due soon.
    sponsored = active_partnership(sponsoring_officer=sponsor, next_review_due=days(300))
    RiskFactory(owner=person, next_review_due=days(-5), title="Overdue risk")
    RiskFactory(owner=person, next_review_due=days(10), title="Soon risk")
    RiskFactory(owner=person, next_review_due=days(100), title="Later risk")
    RiskFactory(partnership=sponsored, next_review_due=days(3), title="Sponsored risk")
    # Risk actions: the officer owns one overdue, one due soon, one far off and one complete.
    ActionFactory(owner=person, estimated_completion=days(-3))
    ActionFactory(owner=person, estimated_completion=days(10))
    ActionFactory(owner=person, estimated_completion=days(90))
    ActionFactory(
        owner=person, estimated_completion=days(-20), status="complete", completed_on=days(-1)
    )
    # Exit actions: the officer owns one overdue, one due soon and one far off.
    strategy = exit_strategy()
    ExitActionFactory(strategy=strategy, owner=person, due_date=days(-2))
    ExitActionFactory(strategy=strategy, owner=person, due_date=days(5))
    ExitActionFactory(strategy=strategy, owner=person, due_date=days(100))
    ExitActionFactory(strategy=strategy, due_date=days(1))
    return {"person": person}


def list_count(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, url
    return response.context["paginator"].count


# What each person sees ------------------------------------------------------------------------


def test_an_officer_sees_their_drafts_and_what_was_returned_with_the_reason(officer, world):
    context = home(officer).context
    assert sorted(p.name for p in context["drafts"].items) == ["First draft", "Second draft"]
    assert context["drafts"].count == 2
    [returned] = context["returned"].items
    assert returned.name == "Sent back"
    assert returned.returned_reason == "Add the governing document."
    assert "Add the governing document." in home(officer).content.decode()


def test_an_officer_sees_their_risks_actions_and_exit_actions_due_in_30_days_or_overdue(
    officer, world
):
    context = home(officer).context
    assert sorted(r.title for r in context["risks"].items) == ["Overdue risk", "Soon risk"]
    assert context["risks"].list_count == 1
    assert context["actions"].count == 2
    assert context["exit_actions"].count == 2
    assert context["exit_actions"].list_count == 3
    assert context["approvals"].count == 0
    assert context["reviews"].count == 0


def test_a_sponsor_sees_their_reviews_the_risks_of_their_partnerships_and_their_approvals(
    sponsor, world
):
    context = home(sponsor).context
    assert context["reviews"].count == 2
    assert context["reviews_overdue"] == 1
    assert [r.title for r in context["risks"].items] == ["Sponsored risk"]
    assert context["approvals"].count == 1
    assert not context["approvals"].items[0].is_significant


def test_democratic_services_see_every_submission_and_every_review_due(democratic_services, world):
    context = home(democratic_services).context
    assert context["approvals"].count == 3
    assert context["reviews"].count == 3
    assert context["reviews_overdue"] == 2


def test_an_approver_sees_every_submission_waiting(approver, world):
    context = home(approver).context
    assert context["approvals"].count == 3
    assert "Approvals waiting for you" in home(approver).content.decode()


def test_a_read_only_user_is_told_nothing_waits_for_them(read_only, world):
    response = home(read_only)
    assert "approvals" not in response.context
    assert "Nothing waits for you to act on" in response.content.decode()
    assert "Registrations to finish" not in response.content.decode()


@pytest.mark.parametrize(
    "role", ["officer", "other_officer", "sponsor", "approver", "democratic_services", "read_only"]
)
def test_approvals_waiting_are_exactly_the_submissions_the_person_may_decide(role, request, world):
    user = request.getfixturevalue(role)
    may_decide = {
        p.pk
        for p in Partnership.objects.with_significance()
        if user.has_perm("register.decide_partnership", p)
    }
    assert set(decidable_by(user).values_list("pk", flat=True)) == may_decide


# The counts match the lists they link to ---------------------------------------------------------


@pytest.mark.parametrize("busy", [False, True], ids=["few", "more than the page lists"])
@pytest.mark.parametrize("role", ["officer", "sponsor", "approver", "democratic_services"])
def test_every_count_matches_the_list_it_links_to(role, busy, request, officer, sponsor, world):
    if busy:
        grow(officer, sponsor, world["person"])()
    user = request.getfixturevalue(role)
    context = home(user).context
    counted = [
        context[name]
        for name in ("approvals", "reviews", "risks", "exit_actions")
        if context[name].list_count is not None
    ]
    assert counted, "each role has at least one section that counts the list it links to"
    for section in counted:
        assert list_count(user, section.list_url) == section.list_count, section.list_url
    assert context["reviews"].list_count == context["reviews"].count
    if busy:
        assert any(section.list_count > SECTION_LIMIT for section in counted)


@pytest.mark.parametrize(
    ("role", "name", "link"),
    [
        ("officer", "drafts", "See the drafts in the register"),
        ("officer", "returned", "See the returned registrations in the register"),
        ("sponsor", "approvals", "See the submissions in the register"),
    ],
)
def test_a_section_without_a_list_of_its_own_links_to_a_wider_list_without_a_number(
    role, name, link, request, officer, sponsor, world
):
    grow(officer, sponsor, world["person"])()
    user = request.getfixturevalue(role)
    response = home(user)
    section = response.context[name]
    assert section.is_capped
    assert section.list_count is None
    assert f'href="{escape(section.list_url)}">{link}</a>' in response.content.decode()
    # The wider list holds at least every item of the section.
    assert list_count(user, section.list_url) >= section.count


def test_the_officers_overdue_risks_link_lists_exactly_their_overdue_risks(officer, world):
    context = home(officer).context
    response = client_for(officer).get(context["risks"].list_url)
    assert [risk.title for risk in response.context["object_list"]] == ["Overdue risk"]


def test_the_page_shows_the_counts_and_links(officer, world):
    html = home(officer).content.decode()
    assert 'data-testid="drafts-count">2<' in html
    assert 'data-testid="actions-count">2<' in html
    assert 'data-testid="exit-actions-open-count">3<' in html
    assert reverse("reviews:exit_action_list") in html


# How much each section lists ---------------------------------------------------------------------


def work(name, officer, approver, count):
    """`count` items of one section's work, in the order the home page lists them, and whose."""
    person = PersonFactory(user=officer)
    if name in ("drafts", "returned"):
        status = Status.DRAFT if name == "drafts" else Status.RETURNED
        items = [PartnershipFactory(author=officer, status=status) for _ in range(count)]
        for hours, partnership in enumerate(items):
            Partnership.objects.filter(pk=partnership.pk).update(
                updated_at=timezone.now() - timedelta(hours=hours)
            )
        return officer, items
    if name == "approvals":
        items = [
            PartnershipFactory(
                status=Status.SUBMITTED, submitted_at=timezone.now() - timedelta(days=count - n)
            )
            for n in range(count)
        ]
        return approver, items
    partnership = PartnershipFactory(status=Status.ACTIVE)
    if name == "risks":
        items = [
            RiskFactory(partnership=partnership, owner=person, next_review_due=days(n - 5))
            for n in range(count)
        ]
    elif name == "actions":
        risk = RiskFactory(partnership=partnership, next_review_due=days(300))
        items = [
            ActionFactory(risk=risk, owner=person, estimated_completion=days(n - 5))
            for n in range(count)
        ]
    else:
        strategy = exit_strategy()
        items = [
            ExitActionFactory(strategy=strategy, owner=person, due_date=days(n - 5))
            for n in range(count)
        ]
    return officer, items


CAPPED = {
    "drafts": "You have 15 registrations in progress; the 10 saved most recently are shown.",
    "returned": "15 registrations have been returned to you; the 10 saved most recently are shown.",
    "approvals": "15 submissions are waiting for your decision; the 10 waiting longest are shown.",
    "risks": "15 risks are due for review in the next 30 days or overdue; "
    "the 10 due soonest are shown.",
    "actions": "15 of your risk actions are due in the next 30 days or overdue; "
    "the 10 due soonest are shown.",
    "exit_actions": "15 of your exit actions are due in the next 30 days or overdue; "
    "the 10 due soonest are shown.",
}


@pytest.mark.parametrize("name", CAPPED)
def test_a_section_with_15_items_lists_the_10_soonest_and_says_there_are_15(
    name, officer, approver
):
    user, items = work(name, officer, approver, 15)
    response = home(user)
    section = response.context[name]
    assert section.count == 15
    assert [item.pk for item in section.items] == [item.pk for item in items[:SECTION_LIMIT]]
    html = response.content.decode()
    assert f'data-testid="{name.replace("_", "-")}-count">15<' in html
    assert CAPPED[name] in html


@pytest.mark.parametrize("name", CAPPED)
def test_a_section_with_10_items_lists_them_all_without_a_word_about_the_rest(
    name, officer, approver
):
    user, items = work(name, officer, approver, SECTION_LIMIT)
    response = home(user)
    section = response.context[name]
    assert section.count == SECTION_LIMIT
    assert [item.pk for item in section.items] == [item.pk for item in items]
    assert not section.is_capped
    html = response.content.decode()
    assert f'data-testid="{name.replace("_", "-")}-capped"' not in html
    assert "are shown." not in html


@pytest.mark.parametrize(("due", "later"), [(3, 12), (12, 5)])
def test_exit_actions_due_soon_are_counted_apart_from_the_open_ones_the_list_shows(
    due, later, officer
):
    person = PersonFactory(user=officer)
    strategy = exit_strategy()
    for n in range(due):
        ExitActionFactory(strategy=strategy, owner=person, due_date=days(n))
    for n in range(later):
        ExitActionFactory(strategy=strategy, owner=person, due_date=days(60 + n))
    section = home(officer).context["exit_actions"]
    assert section.count == due
    assert len(section.items) == min(due, SECTION_LIMIT)
    assert all(action.due_date <= days(30) for action in section.items)
    assert section.list_count == due + later == list_count(officer, section.list_url)


# Queries ----------------------------------------------------------------------------------------


def grow(officer, sponsor, person):
    """More of every kind of work than the home page lists, for the officer and the sponsor."""

    def add():
        strategy = exit_strategy()
        for _ in range(SECTION_LIMIT + 5):
            PartnershipFactory(author=officer)
            PartnershipFactory(author=officer, status=Status.RETURNED)
            submitted(sponsor)
            sponsored = active_partnership(sponsoring_officer=sponsor, next_review_due=days(-1))
            risk = RiskFactory(partnership=sponsored, owner=person, next_review_due=days(-2))
            ActionFactory(risk=risk, owner=person, estimated_completion=days(-1))
            ExitActionFactory(strategy=strategy, owner=person, due_date=days(2))
            ExitActionFactory(strategy=strategy, owner=person, due_date=days(100))

    return add


@pytest.mark.parametrize(
    ("role", "queries", "capped"),
    [
        ("officer", 9, ["drafts", "returned", "risks", "actions", "exit_actions"]),
        ("sponsor", 9, ["approvals", "risks"]),
        ("approver", 9, ["approvals"]),
        ("democratic_services", 9, ["approvals"]),
        ("read_only", 2, []),
    ],
)
def test_the_home_page_runs_a_fixed_number_of_queries(
    role, queries, capped, request, officer, sponsor, world
):
    user = request.getfixturevalue(role)
    grown = grow(officer, sponsor, world["person"])
    assert assert_queries_fixed(client_for(user), reverse("home"), grown, most=queries) == queries
    context = home(user).context
    assert [name for name in capped if context[name].is_capped] == capped
