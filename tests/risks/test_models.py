"""Scores, bands, cadences, overdue rules and escalation, on the seeded and a changed matrix."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import (
    Action,
    Control,
    Matrix,
    Risk,
    RiskMatrix,
    ScoreBand,
    contrast_ratio,
)
from tests.factories import (
    ActionFactory,
    EscalationFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
)
from tests.helpers import today

pytestmark = pytest.mark.django_db


# The matrix ------------------------------------------------------------------------------------


def test_the_seeded_matrix_is_five_by_five_with_four_bands():
    matrix = Matrix.load()
    assert matrix.size == 5
    assert matrix.escalation_threshold == 15
    assert [str(level) for level in matrix.likelihoods] == [
        "1 Rare",
        "2 Unlikely",
        "3 Possible",
        "4 Likely",
        "5 Almost certain",
    ]
    assert [str(level) for level in matrix.impacts][-1] == "5 Critical"
    assert [(b.name, b.min_score, b.max_score, b.review_cadence_months) for b in matrix.bands] == [
        ("Low", 1, 4, 12),
        ("Medium", 5, 9, 6),
        ("High", 10, 15, 3),
        ("Very high", 16, 25, 1),
    ]


def test_the_matrix_loads_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        Matrix.load()


@pytest.mark.parametrize(
    ("likelihood", "impact", "value", "band"),
    [(1, 1, 1, "Low"), (2, 2, 4, "Low"), (1, 5, 5, "Medium"), (3, 3, 9, "Medium"),
     (2, 5, 10, "High"), (3, 5, 15, "High"), (4, 4, 16, "Very high"), (5, 5, 25, "Very high")],
)  # fmt: skip
def test_a_score_is_likelihood_times_impact_in_its_band(likelihood, impact, value, band):
    score = Matrix.load().score(likelihood, impact)
    assert score.value == value
    assert score.band.name == band
    assert str(score) == f"{value} {band}"


def test_a_score_describes_itself_in_the_councils_words():
    assert Matrix.load().score(4, 5).description == (
        "Likelihood 4 Likely, impact 5 Critical: score 20, Very high"
    )


def test_a_changed_matrix_changes_levels_bands_and_threshold(four_by_four):
    matrix = Matrix.load()
    assert matrix.size == 4
    assert [str(level) for level in matrix.likelihoods] == [
        "1 Remote",
        "2 Possible",
        "3 Probable",
        "4 Expected",
    ]
    assert matrix.score(2, 2).band.name == "Significant"
    assert matrix.score(3, 3).band.name == "Severe"
    assert matrix.score(1, 3).band.name == "Tolerable"
    assert matrix.is_flagged(9) and not matrix.is_flagged(8)
    assert not matrix.contains(5)


def test_a_band_may_not_have_text_that_is_hard_to_read():
    band = ScoreBand(
        name="Pale", min_score=1, max_score=2, colour="#ffdd00", text_colour="#ffffff",
        review_cadence_months=3,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        band.full_clean(exclude=["matrix"])
    assert "contrasts only" in str(error.value)


def test_the_seeded_bands_have_readable_text():
    for band in ScoreBand.objects.all():
        assert contrast_ratio(band.colour, band.text_colour) >= 4.5, band.name


def test_there_is_only_one_risk_matrix():
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskMatrix.objects.bulk_create([RiskMatrix(pk=2)])


def test_the_matrix_cannot_shrink_below_the_scores_in_use():
    RiskFactory(inherent_likelihood=5, inherent_impact=5)
    matrix = RiskMatrix.current()
    matrix.size = 4
    with pytest.raises(ValidationError) as error:
        matrix.full_clean()
    assert "1 risk(s) have a likelihood or impact above 4" in str(error.value)


# Risks -----------------------------------------------------------------------------------------


def test_risk_references_run_on_within_each_partnership():
    first, other = PartnershipFactory(status="active"), PartnershipFactory(status="active")
    a = RiskFactory(partnership=first)
    b = RiskFactory(partnership=first)
    c = RiskFactory(partnership=other)
    assert [a.reference, b.reference, c.reference] == ["R1", "R2", "R1"]
    for _ in range(9):
        RiskFactory(partnership=first)
    assert RiskFactory(partnership=first).reference == "R12"


def test_a_partnership_cannot_have_two_risks_with_one_reference():
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(partnership=risk.partnership, reference=risk.reference)


def test_scores_are_annotated_from_likelihood_and_impact():
    RiskFactory()
    risk = Risk.objects.with_scores().get()
    assert (risk.inherent_score, risk.actual_score, risk.residual_score) == (20, 12, 6)


@pytest.mark.parametrize("value", [0, 11])
def test_the_database_refuses_a_score_outside_any_matrix(value):
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(actual_likelihood=value)


def test_the_database_refuses_a_score_outside_the_councils_matrix():
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(actual_impact=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(partnership=risk.partnership, residual_likelihood=1, inherent_likelihood=6)
    assert Risk.objects.count() == 1


def test_a_larger_matrix_allows_larger_scores():
    matrix = RiskMatrix.current()
    matrix.size = 6
    matrix.save()
    risk = RiskFactory(inherent_likelihood=6, inherent_impact=6)
    assert Risk.objects.with_scores().get(pk=risk.pk).inherent_score == 36


def test_validation_names_a_score_off_the_matrix(four_by_four):
    risk = RiskFactory.build(
        partnership=PartnershipFactory(), owner=PersonFactory(), inherent_impact=4,
        actual_likelihood=5,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        risk.full_clean(exclude=["reference"])
    assert "choose from 1 to 4, on the 4 x 4 risk matrix" in str(error.value)


def test_the_residual_score_may_not_exceed_the_inherent_score():
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(residual_likelihood=5, residual_impact=5)
    risk.residual_likelihood, risk.residual_impact = 5, 5
    with pytest.raises(ValidationError) as error:
        risk.full_clean()
    assert "residual score cannot be higher than the inherent score" in str(error.value)


def test_actual_above_inherent_is_allowed_and_noticed():
    risk = RiskFactory(actual_likelihood=5, actual_impact=5)
    assert risk.actual_above_inherent


def test_a_closed_risk_needs_a_reason_and_a_date():
    risk = RiskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(status="closed", closed_on=today())
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(status="closed", closed_reason="Passed.")
    Risk.objects.filter(pk=risk.pk).update(
        status="closed", closed_reason="Passed.", closed_on=today()
    )


def test_a_review_is_overdue_once_its_date_has_passed():
    assert RiskFactory(next_review_due=today() - timedelta(days=1)).review_is_overdue
    assert not RiskFactory(next_review_due=today()).review_is_overdue
    assert list(Risk.objects.review_overdue().values_list("next_review_due", flat=True)) == [
        today() - timedelta(days=1)
    ]


# Controls and actions --------------------------------------------------------------------------


def test_an_action_is_overdue_when_unfinished_past_its_date():
    late = ActionFactory(estimated_completion=today() - timedelta(days=1))
    due_today = ActionFactory(estimated_completion=today())
    done_late = ActionFactory(
        estimated_completion=today() - timedelta(days=10), status="complete", completed_on=today()
    )
    assert late.is_overdue
    assert not due_today.is_overdue
    assert not done_late.is_overdue
    assert list(Action.objects.overdue()) == [late]
    assert list(Risk.objects.with_overdue_actions()) == [late.risk]


def test_a_complete_action_needs_its_completion_date():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status="complete")
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(completed_on=today())
    action.status = "complete"
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "Enter the date it was completed." in str(error.value)


def test_an_action_due_before_the_risk_was_raised_is_invalid():
    action = ActionFactory.build(risk=RiskFactory(), owner=PersonFactory())
    action.estimated_completion = action.risk.raised_on - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert "cannot be before the date the risk was raised" in str(error.value)


def test_a_control_need_not_have_a_completion_date():
    risk = RiskFactory()
    control = Control(risk=risk, description="Monthly budget monitoring", owner=risk.owner)
    control.full_clean()
    control.save()
    assert not control.is_overdue


# Escalation ------------------------------------------------------------------------------------


def test_risks_at_or_over_the_threshold_are_flagged_for_the_board():
    matrix = Matrix.load()
    at = RiskFactory(actual_likelihood=3, actual_impact=5)  # 15
    over = RiskFactory(actual_likelihood=4, actual_impact=5)  # 20
    RiskFactory(actual_likelihood=2, actual_impact=5)  # 10
    closed = RiskFactory(
        actual_likelihood=5, actual_impact=4, status="closed", closed_reason="Gone",
        closed_on=today(),
    )  # fmt: skip
    assert set(Risk.objects.flagged(matrix)) == {at, over}
    assert closed not in Risk.objects.flagged(matrix)


def test_a_flagged_risk_awaits_a_report_until_one_is_recorded():
    matrix = Matrix.load()
    risk = RiskFactory(actual_likelihood=4, actual_impact=4)
    assert list(Risk.objects.awaiting_report(matrix)) == [risk]
    EscalationFactory(risk=risk)
    assert list(Risk.objects.awaiting_report(matrix)) == []
    assert list(Risk.objects.escalated()) == [risk]


def test_the_threshold_follows_the_changed_matrix(four_by_four):
    matrix = Matrix.load()
    nine = RiskFactory(
        inherent_likelihood=4, inherent_impact=4, actual_likelihood=3, actual_impact=3,
        residual_likelihood=1, residual_impact=1,
    )  # fmt: skip
    RiskFactory(
        inherent_likelihood=4, inherent_impact=4, actual_likelihood=2, actual_impact=4,
        residual_likelihood=1, residual_impact=1,
    )  # fmt: skip
    assert list(Risk.objects.flagged(matrix)) == [nine]
