"""Each role's home page and the Democratic Services overview, on the demo data, in a browser."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import expect

from partnerships_site.my_work import SECTION_LIMIT
from register.management.commands.seed_demo import DEMO_PASSWORD
from register.models import Partnership
from reviews.models import ExitAction, ExitStrategy, due_for_review
from risks.models import Action, Escalation, Risk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = Partnership.Status


@pytest.fixture
def demo(settings):
    # The demo users get the demo password only with DEBUG on.
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def expected_home_counts(user):
    """The counts each section should show, worked out from the database directly."""
    today = timezone.localdate()
    soon = today + timedelta(days=30)
    mine = Partnership.objects.filter(author=user)
    submitted = Partnership.objects.with_significance().filter(status=Status.SUBMITTED)
    reviews = due_for_review()
    if not user.groups.filter(name="Democratic Services").exists():
        reviews = reviews.filter(sponsoring_officer=user)
    return {
        "drafts-count": mine.filter(status=Status.DRAFT).count(),
        "returned-count": mine.filter(status=Status.RETURNED).count(),
        "approvals-count": sum(
            user.has_perm("register.decide_partnership", partnership) for partnership in submitted
        ),
        "reviews-count": reviews.count(),
        "risks-count": Risk.objects.visible_to(user)
        .filter(status=Risk.Status.OPEN, next_review_due__lte=soon)
        .filter(Q(owner__user=user) | Q(partnership__sponsoring_officer=user))
        .count(),
        "actions-count": Action.objects.filter(
            owner__user=user, estimated_completion__lte=soon, risk__status=Risk.Status.OPEN
        )
        .exclude(status=Action.Status.COMPLETE)
        .exclude(risk__partnership__status__in=[Status.CLOSED, Status.REJECTED])
        .count(),
        "exit-actions-count": ExitAction.objects.filter(
            owner__user=user,
            due_date__lte=soon,
            strategy__status=ExitStrategy.Status.OPEN,
        )
        .exclude(status=ExitAction.Status.COMPLETE)
        .count(),
    }


@pytest.mark.parametrize("username", ["officer", "sponsor", "democratic", "approver"])
def test_each_roles_home_page_shows_its_work_for_the_demo_data(
    demo, page, live_server, sign_in, axe, username
):
    user = User.objects.get(username=username)
    expected = expected_home_counts(user)
    sign_in(page, username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.get_full_name()}")
    expect(page).to_have_title(re.compile("^Your work"))
    axe(page, f"home page for {username}")
    for test_id, count in expected.items():
        if test_id == "approvals-count" and username in ("officer", "sponsor") and not count:
            expect(page.get_by_test_id(test_id)).to_have_count(0)
            continue
        expect(page.get_by_test_id(test_id)).to_have_text(str(count))
    # A table lists the soonest few, and says how many there are when that is not all of them.
    for section in ["risks", "actions", "exit-actions"]:
        count = expected[f"{section}-count"]
        expect(page.locator(f"#{section} tbody tr")).to_have_count(min(count, SECTION_LIMIT))
        capped = page.get_by_test_id(f"{section}-capped")
        expect(capped).to_have_count(1 if count > SECTION_LIMIT else 0)
        if count > SECTION_LIMIT:
            expect(capped).to_have_text(
                re.compile(rf"^\s*{count} .* the {SECTION_LIMIT} due soonest")
            )
    # The demo data gives every role something to do.
    assert any(expected.values())


def test_a_read_only_users_home_page_says_nothing_waits_for_them(
    demo, page, live_server, sign_in, axe
):
    sign_in(page, "readonly", DEMO_PASSWORD)
    expect(page.get_by_text("Nothing waits for you to act on")).to_be_visible()
    axe(page, "home page for read-only")
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Overview of the council's partnerships"
    )
    axe(page, "overview for read-only")


def test_democratic_services_see_the_overview_with_the_demo_figures(
    demo, page, live_server, sign_in, axe
):
    sign_in(page, "democratic", DEMO_PASSWORD)
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Overview of the council's partnerships"
    )
    axe(page, "overview for Democratic Services")

    status_table = page.get_by_test_id("status-table")
    for value, label in Status.choices:
        count = Partnership.objects.filter(status=value).count()
        row = status_table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))
        expect(row.get_by_role("cell")).to_have_text(re.compile(rf"^\s*{count}(\D|$)"))

    significant = Partnership.objects.with_significance().filter(is_significant=True)
    expect(page.get_by_test_id("significant-count")).to_have_text(str(significant.count()))
    today = timezone.localdate()
    overdue_reviews = due_for_review().filter(next_review_due__lt=today).count()
    expect(page.get_by_test_id("reviews-overdue-count")).to_have_text(str(overdue_reviews))
    escalated = (
        Risk.objects.filter(status=Risk.Status.OPEN)
        .filter(pk__in=Escalation.objects.values("risk"))
        .count()
    )
    expect(page.get_by_test_id("escalated-count")).to_have_text(str(escalated))
    overdue_actions = (
        Action.objects.filter(estimated_completion__lt=today, risk__status=Risk.Status.OPEN)
        .exclude(status=Action.Status.COMPLETE)
        .count()
    )
    expect(page.get_by_test_id("overdue-actions-count")).to_have_text(str(overdue_actions))

    # A band's count leads to the same number of risks in the council-wide list.
    band_table = page.get_by_test_id("band-table")
    first_link = band_table.get_by_role("link").first
    shown = first_link.inner_text().split()[0]
    first_link.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page, "risks list from a band on the overview")
    expect(page.locator("main table tbody tr")).to_have_count(int(shown))
