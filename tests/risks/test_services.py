"""Recording reviews, saving and closing risks: next review dates follow the band's cadence."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from partnerships_site.dates import add_months
from risks import services
from risks.models import Matrix, Risk, RiskReview
from tests.factories import PersonFactory, RiskFactory, UserFactory
from tests.helpers import today

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("likelihood", "impact", "months"),
    [(1, 4, 12), (3, 3, 6), (3, 5, 3), (4, 4, 1), (5, 5, 1)],
)
def test_the_next_review_falls_due_by_the_bands_cadence(likelihood, impact, months):
    risk = RiskFactory(inherent_likelihood=5, inherent_impact=5)
    reviewed_on = today() - timedelta(days=3)
    review = services.record_review(
        risk=risk,
        by=UserFactory(),
        reviewed_on=reviewed_on,
        actual_likelihood=likelihood,
        actual_impact=impact,
    )
    risk.refresh_from_db()
    assert risk.next_review_due == add_months(reviewed_on, months)
    assert review.next_review_due == risk.next_review_due


def test_cadence_comes_from_the_changed_matrix(four_by_four):
    risk = RiskFactory(
        inherent_likelihood=4, inherent_impact=4, actual_likelihood=1, actual_impact=1,
        residual_likelihood=1, residual_impact=1,
    )  # fmt: skip
    matrix = Matrix.load()
    by = UserFactory()
    for (likelihood, impact), months in [((1, 3), 9), ((2, 4), 2), ((3, 3), 1)]:
        services.record_review(
            risk=risk, by=by, reviewed_on=today(), actual_likelihood=likelihood,
            actual_impact=impact, matrix=matrix,
        )  # fmt: skip
        risk.refresh_from_db()
        assert risk.next_review_due == add_months(today(), months)


def test_a_review_records_the_scores_and_updates_the_risk():
    risk = RiskFactory()
    reviewer = UserFactory()
    review = services.record_review(
        risk=risk,
        by=reviewer,
        reviewed_on=today(),
        actual_likelihood=4,
        actual_impact=4,
        residual_likelihood=2,
        residual_impact=2,
        notes="The funding gap has widened.",
        expected_version=1,
    )
    risk.refresh_from_db()
    assert (risk.actual_likelihood, risk.actual_impact) == (4, 4)
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 5)
    assert (risk.residual_likelihood, risk.residual_impact) == (2, 2)
    assert risk.version == 2
    saved = RiskReview.objects.get()
    assert saved == review
    assert (saved.reviewer, saved.notes) == (reviewer, "The funding gap has widened.")
    assert [saved.inherent_likelihood, saved.inherent_impact, saved.actual_likelihood,
            saved.actual_impact, saved.residual_likelihood, saved.residual_impact] == [
        4, 5, 4, 4, 2, 2]  # fmt: skip


def test_a_review_of_an_out_of_date_risk_is_refused():
    risk = RiskFactory()
    with pytest.raises(services.ConflictError):
        services.record_review(
            risk=risk, by=UserFactory(), reviewed_on=today(), actual_likelihood=1,
            actual_impact=1, expected_version=7,
        )  # fmt: skip
    assert not RiskReview.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-400, "cannot be before the risk was raised")],
)
def test_a_review_date_must_be_real(days, message):
    risk = RiskFactory(raised_on=today() - timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        services.record_review(
            risk=risk, by=UserFactory(), reviewed_on=today() + timedelta(days=days),
            actual_likelihood=1, actual_impact=1,
        )  # fmt: skip
    assert message in str(error.value)
    assert not RiskReview.objects.exists()


def test_a_review_cannot_raise_the_residual_above_the_inherent():
    risk = RiskFactory()
    with pytest.raises(ValidationError):
        services.record_review(
            risk=risk, by=UserFactory(), reviewed_on=today(), actual_likelihood=3,
            actual_impact=3, residual_likelihood=5, residual_impact=5,
        )  # fmt: skip
    risk.refresh_from_db()
    assert (risk.actual_likelihood, risk.actual_impact) == (3, 4)
    assert not RiskReview.objects.exists()


def test_a_closed_risk_cannot_be_reviewed():
    risk = RiskFactory(status="closed", closed_reason="It passed.", closed_on=today())
    with pytest.raises(ValidationError):
        services.record_review(
            risk=risk, by=UserFactory(), reviewed_on=today(), actual_likelihood=1, actual_impact=1
        )


def test_a_new_risk_gets_its_first_review_from_its_band():
    partnership = RiskFactory().partnership
    raised_on = today() - timedelta(days=10)
    risk = Risk(
        partnership=partnership,
        title="Data breach",
        cause="Shared case files",
        event="Personal data is disclosed",
        impact="Harm to residents and a fine",
        category="information",
        owner=PersonFactory(),
        raised_on=raised_on,
        inherent_likelihood=4,
        inherent_impact=4,
        actual_likelihood=3,
        actual_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    )
    services.save_risk(risk=risk)
    assert risk.reference == "R2"
    assert risk.next_review_due == add_months(raised_on, 3)  # 12: High, quarterly


def test_a_risk_rising_into_a_busier_band_is_reviewed_sooner():
    risk = RiskFactory(
        raised_on=today() - timedelta(days=20), next_review_due=today() + timedelta(200)
    )
    risk.actual_likelihood, risk.actual_impact = 4, 5
    services.save_risk(risk=risk, expected_version=1)
    risk.refresh_from_db()
    assert risk.next_review_due == add_months(today() - timedelta(days=20), 1)
    assert risk.version == 2


def test_a_risk_falling_into_a_quieter_band_keeps_its_review_date():
    due = today() + timedelta(days=5)
    risk = RiskFactory(next_review_due=due)
    risk.actual_likelihood, risk.actual_impact = 1, 1
    services.save_risk(risk=risk, expected_version=1)
    risk.refresh_from_db()
    assert risk.next_review_due == due


def test_a_second_save_from_the_same_version_is_refused():
    risk = RiskFactory()
    first, second = Risk.objects.get(pk=risk.pk), Risk.objects.get(pk=risk.pk)
    first.title = "First title"
    services.save_risk(risk=first, expected_version=1)
    second.title = "Second title"
    with pytest.raises(services.ConflictError):
        services.save_risk(risk=second, expected_version=1)
    risk.refresh_from_db()
    assert risk.title == "First title"


def test_closing_a_risk_keeps_it_with_its_reason():
    risk = RiskFactory()
    services.close_risk(risk=risk, reason="The funding is now secured.", expected_version=1)
    risk.refresh_from_db()
    assert (risk.status, risk.closed_reason, risk.closed_on) == (
        "closed",
        "The funding is now secured.",
        today(),
    )
    with pytest.raises(ValidationError):
        services.close_risk(risk=risk, reason="Again", expected_version=2)
