"""What changed since the last review: resources, representatives and risks.

These tests commit each change as it happens, as the site does, because the audit history
timestamps each change with the time of its transaction.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from register.models import FinancialContribution, OfficerTime
from reviews import services
from tests.factories import (
    InKindContributionFactory,
    PersonFactory,
    RepresentationFactory,
    RiskFactory,
    active_partnership,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_review_shows_what_changed_since_approval(sponsor):
    today = timezone.localdate()
    partnership = active_partnership(
        sponsoring_officer=sponsor, approved_on=today - timedelta(days=300)
    )
    old_risk = RiskFactory(partnership=partnership, raised_on=today - timedelta(days=400))
    officer_time = OfficerTime.objects.create(
        partnership=partnership, person=PersonFactory(name="Priya Shah"), hours_per_month=8
    )
    # Approval comes after the rows above, as it would for a real registration.
    partnership.status_changes.update(changed_at=timezone.now())

    money = partnership.financial_contributions.get()
    money.amount = Decimal("30000.00")
    money.save()
    InKindContributionFactory(partnership=partnership, estimated_value=Decimal("1500.00"))
    officer_time.delete()
    RepresentationFactory(
        partnership=partnership,
        person=PersonFactory(name="Kwame Mensah"),
        appointed_from=today - timedelta(days=10),
    )
    RepresentationFactory(
        partnership=partnership,
        person=PersonFactory(name="Helen Carter"),
        appointed_from=today - timedelta(days=800),
        appointed_to=today - timedelta(days=5),
    )
    new_risk = RiskFactory(
        partnership=partnership, title="Data breach", raised_on=today - timedelta(days=5)
    )
    old_risk.status, old_risk.closed_on = "closed", today - timedelta(days=3)
    old_risk.closed_reason = "The funding is now secured."
    old_risk.save()

    changes = services.changes_since_last_review(partnership)

    assert changes.since_label == "it was approved"
    assert changes.since_date == today - timedelta(days=300)
    assert [(c.kind, c.change, c.before, c.after) for c in changes.resources] == [
        ("Money", "Changed", "£25,000.00 grant, 2026/27", "£30,000.00 grant, 2026/27"),
        ("Officer time", "Removed", "Priya Shah: 8.0 hours a month", ""),
        ("In kind", "Added", "", "Office accommodation: £1,500.00"),
    ]
    assert [(c.person, c.change) for c in changes.representatives] == [
        ("Helen Carter", "Appointment ended"),
        ("Kwame Mensah", "Appointed"),
    ]
    assert changes.new_risks == [new_risk]
    assert changes.closed_risks == [old_risk]


def test_a_later_review_shows_only_what_changed_since_the_last_one(sponsor):
    partnership = active_partnership(sponsoring_officer=sponsor)
    FinancialContribution.objects.create(
        partnership=partnership, amount=Decimal("500.00"), form="grant", financial_year=2025
    )
    review = services.start_review(partnership=partnership, by=sponsor)
    for alignment in review.alignments.all():
        alignment.aligned = "yes"
        alignment.save()
    review.outcome, review.outcome_reasons = "continue", "Fine."
    review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
    services.complete_review(review=review, by=sponsor, expected_version=review.version)

    assert services.changes_since_last_review(partnership).nothing_changed

    FinancialContribution.objects.create(
        partnership=partnership, amount=Decimal("700.00"), form="pooled", financial_year=2026
    )
    changes = services.changes_since_last_review(partnership)
    assert changes.since_label == "the last review"
    assert [(c.change, c.after) for c in changes.resources] == [
        ("Added", "£700.00 pooled budget, 2026/27")
    ]
