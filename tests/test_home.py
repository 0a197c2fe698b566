"""My work: the home page after sign-in."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerships_site.my_work import decidable_by
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
    assert response.context["approvals"].count == 0
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


@pytest.mark.parametrize("role", ["officer", "sponsor", "approver", "democratic_services"])
def test_every_count_matches_the_list_it_links_to(role, request, world):
    user = request.getfixturevalue(role)
    context = home(user).context
    linked = [
        context[name]
        for name in ("approvals", "reviews", "risks", "exit_actions")
        if context[name].list_url
    ]
    assert linked, "each role has at least one section that links to a list"
    for section in linked:
        assert list_count(user, section.list_url) == section.list_count, section.list_url
    assert context["reviews"].list_count == context["reviews"].count


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


# Queries ----------------------------------------------------------------------------------------


def grow(officer, sponsor, person):
    def add():
        for _ in range(4):
            PartnershipFactory(author=officer)
            submitted(sponsor)
            active_partnership(sponsoring_officer=sponsor, next_review_due=days(-1))
            risk = RiskFactory(owner=person, next_review_due=days(-2))
            ActionFactory(risk=risk, owner=person, estimated_completion=days(-1))
            ExitActionFactory(strategy=exit_strategy(), owner=person, due_date=days(2))

    return add


@pytest.mark.parametrize(
    "role", ["officer", "sponsor", "approver", "democratic_services", "read_only"]
)
def test_the_home_page_runs_a_fixed_number_of_queries(role, request, officer, sponsor, world):
    user = request.getfixturevalue(role)
    assert_queries_fixed(
        client_for(user), reverse("home"), grow(officer, sponsor, world["person"]), most=10
    )
