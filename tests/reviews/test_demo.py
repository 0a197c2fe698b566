from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from register.models import Partnership, StatusChange
from reviews.models import AnnualReview, ExitAction, ExitStrategy, due_for_review

pytestmark = pytest.mark.django_db

Status = Partnership.Status


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_demo_reviews_are_due_overdue_and_completed(demo):
    today = timezone.localdate()
    due = due_for_review(Partnership.objects.filter(status=Status.ACTIVE))
    assert due.filter(next_review_due__lt=today).exists()
    assert due.filter(next_review_due__gte=today).exists()
    completed = AnnualReview.objects.completed().filter(partnership__status=Status.ACTIVE)
    assert completed.filter(outcome="continue").exists()
    assert completed.filter(outcome="continue_with_changes").exists()
    for review in completed.select_related("partnership"):
        assert review.partnership.next_review_due > today


def test_demo_partnerships_under_review_exiting_and_closed_have_their_records(demo):
    for partnership in Partnership.objects.filter(status=Status.UNDER_REVIEW):
        assert partnership.annual_reviews.drafts().count() == 1
    exiting = Partnership.objects.filter(status=Status.EXITING)
    assert exiting.exists()
    for partnership in exiting:
        strategy = ExitStrategy.objects.get(partnership=partnership, status="open")
        statuses = set(strategy.actions.values_list("status", flat=True))
        assert statuses == {ExitAction.Status.COMPLETE, ExitAction.Status.NOT_STARTED}
    closed = Partnership.objects.filter(status=Status.CLOSED)
    assert closed.exists()
    for partnership in closed:
        assert partnership.closed_on is not None
        assert ExitStrategy.objects.get(partnership=partnership).status == "completed"
        steps = list(partnership.status_changes.order_by("pk").values_list("to_status", flat=True))
        assert steps[-4:] == [Status.ACTIVE, Status.UNDER_REVIEW, Status.EXITING, Status.CLOSED]


def test_seeding_reviews_twice_changes_nothing(demo, settings):
    counts = (
        AnnualReview.objects.count(),
        ExitStrategy.objects.count(),
        ExitAction.objects.count(),
        StatusChange.objects.count(),
    )
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        AnnualReview.objects.count(),
        ExitStrategy.objects.count(),
        ExitAction.objects.count(),
        StatusChange.objects.count(),
    )
