"""Reviews and exit strategies in Django admin: listed with filters, never deleted, locked once
completed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import AnnualReview, ExitStrategy
from tests.factories import ExitActionFactory, active_partnership
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db


def completed_review(partnership, by, outcome="continue"):
    review = services.start_review(partnership=partnership, by=by)
    for alignment in review.alignments.all():
        alignment.aligned = "yes"
        alignment.save()
    review.outcome, review.outcome_reasons = outcome, "Agreed."
    review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
    services.complete_review(review=review, by=by, expected_version=review.version)
    return review


def test_reviews_are_listed_with_their_filters(democratic_client, sponsor, partnership):
    completed_review(partnership, sponsor)
    changelist = reverse("admin:reviews_annualreview_changelist")
    response = democratic_client.get(changelist)
    assert response.status_code == 200
    assert partnership.reference in response.content.decode()
    for query in [
        {"outcome__exact": "continue"},
        {"status__exact": "completed"},
        {"partnership__directorate__id__exact": partnership.directorate_id},
        {"review_date__gte": "2020-01-01"},
    ]:
        response = democratic_client.get(changelist, query)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1, query


def test_the_review_list_in_admin_runs_a_fixed_number_of_queries(democratic_client, sponsor):
    completed_review(active_partnership(sponsoring_officer=sponsor), sponsor)

    def grow():
        for _ in range(8):
            completed_review(active_partnership(sponsoring_officer=sponsor), sponsor)

    assert_queries_fixed(
        democratic_client, reverse("admin:reviews_annualreview_changelist"), grow, most=8
    )


def test_a_completed_review_is_read_only_in_admin_and_nothing_is_deleted(
    democratic_client, sponsor, partnership
):
    review = completed_review(partnership, sponsor)
    change = reverse("admin:reviews_annualreview_change", args=[review.pk])
    response = democratic_client.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = democratic_client.post(change, {"outcome_reasons": "Rewritten"})
    assert response.status_code == 403
    assert AnnualReview.objects.get(pk=review.pk).outcome_reasons == "Agreed."
    delete = reverse("admin:reviews_annualreview_delete", args=[review.pk])
    assert democratic_client.post(delete, {"post": "yes"}).status_code == 403
    assert AnnualReview.objects.filter(pk=review.pk).exists()


def test_exit_strategies_are_listed_with_their_actions(democratic_client, sponsor, partnership):
    completed_review(partnership, sponsor, outcome="withdraw")
    strategy = ExitStrategy.objects.get(partnership=partnership)
    ExitActionFactory(strategy=strategy, description="Give notice")
    changelist = reverse("admin:reviews_exitstrategy_changelist")
    response = democratic_client.get(changelist, {"status__exact": "open"})
    assert response.context["cl"].result_count == 1
    page = democratic_client.get(reverse("admin:reviews_exitstrategy_change", args=[strategy.pk]))
    assert "Give notice" in page.content.decode()
    delete = reverse("admin:reviews_exitstrategy_delete", args=[strategy.pk])
    assert democratic_client.post(delete, {"post": "yes"}).status_code == 403


def test_read_only_users_see_reviews_in_admin_but_cannot_change_them(
    read_only_client, sponsor, partnership
):
    review = services.start_review(partnership=partnership, by=sponsor)
    response = read_only_client.get(reverse("admin:reviews_annualreview_changelist"))
    assert response.status_code == 200
    change = reverse("admin:reviews_annualreview_change", args=[review.pk])
    assert 'name="_save"' not in read_only_client.get(change).content.decode()
    assert read_only_client.post(change, {"performance": "x"}).status_code == 403
