"""seed_demo's risk registers: in every band, some overdue and escalated; safe to rerun."""

from io import StringIO

import pytest
from django.core.management import call_command

from risks.models import Action, Escalation, Matrix, Risk, RiskReview

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_risk_registers_to_live_partnerships(settings):
    settings.DEBUG = True
    output = StringIO()
    call_command("seed_demo", stdout=output)
    risks = list(Risk.objects.with_scores().select_related("partnership"))
    assert risks
    assert "demo risks to their risk registers" in output.getvalue()
    assert {risk.partnership.status for risk in risks} <= {"active", "under_review", "exiting"}
    matrix = Matrix.load()
    bands = {matrix.band_for(risk.actual_score).name for risk in risks}
    assert bands == {band.name for band in matrix.bands}
    assert Risk.objects.review_overdue().exists()
    assert Action.objects.overdue().exists()
    assert Escalation.objects.exists()
    assert Risk.objects.awaiting_report(matrix).exists()
    assert RiskReview.objects.exists()
    assert all(risk.next_review_due for risk in risks)
    assert Action.objects.filter(owner__user__username="officer").exists()


def test_seed_demo_twice_adds_no_more_risks(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (Risk.objects.count(), Action.objects.count(), RiskReview.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (Risk.objects.count(), Action.objects.count(), RiskReview.objects.count())
