from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from register import services
from register.models import ApprovalDecision, Partnership, SignificanceThreshold
from tests.factories import FinancialContributionFactory, complete_partnership

pytestmark = pytest.mark.django_db


def test_references_are_unique_and_numbered_by_year(officer):
    first = services.start_registration(author=officer, name="First")
    second = services.start_registration(author=officer, name="Second")
    assert first.reference != second.reference
    year = first.created_at.year
    assert first.reference.startswith(f"P-{year}-")
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


def test_a_repeated_creation_token_returns_the_same_draft(officer):
    import uuid

    token = uuid.uuid4()
    first = services.start_registration(author=officer, name="Once", creation_token=token)
    again = services.start_registration(author=officer, name="Once", creation_token=token)
    assert first.pk == again.pk
    assert Partnership.objects.filter(name="Once").count() == 1


def test_draft_is_prefilled_from_the_profile(officer):
    draft = services.start_registration(author=officer, name="Prefilled")
    assert draft.completed_by_name == officer.get_full_name()
    assert draft.completed_by_directorate == "Housing and Wellbeing"
    assert draft.checklist_answers.count() > 20


def test_incomplete_draft_cannot_be_submitted(officer):
    draft = services.start_registration(author=officer, name="Half done")
    with pytest.raises(ValidationError) as error:
        services.submit(partnership=draft, by=officer)
    assert "Enter the purpose of the partnership" in error.value.messages
    draft.refresh_from_db()
    assert draft.status == Partnership.Status.DRAFT


def test_submission_emails_democratic_services_after_commit(
    officer, django_capture_on_commit_callbacks
):
    draft = complete_partnership(author=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(partnership=draft, by=officer)
    draft.refresh_from_db()
    assert draft.status == Partnership.Status.SUBMITTED
    assert draft.status_changes.first().to_status == Partnership.Status.SUBMITTED
    assert len(mail.outbox) == 1
    assert draft.reference in mail.outbox[0].subject


def test_significance_follows_the_threshold_set_in_admin(officer):
    partnership = complete_partnership(author=officer)
    FinancialContributionFactory(partnership=partnership, amount=60000, financial_year=2026)
    # 25,000 + 60,000 = 85,000 in 2026/27: below the default £100,000.
    assert not Partnership.objects.with_significance().get(pk=partnership.pk).is_significant
    threshold = SignificanceThreshold.current()
    threshold.annual_financial_commitment = 80000
    threshold.save()
    annotated = Partnership.objects.with_significance().get(pk=partnership.pk)
    assert annotated.is_significant
    assert "£85,000.00" in annotated.significance_reasons()[0]


def test_significant_partnership_needs_cabinet_or_chief_executive(officer, democratic_services):
    partnership = complete_partnership(author=officer, material_service_delivery=True)
    services.submit(partnership=partnership, by=officer)
    with pytest.raises(ValidationError):
        services.decide(
            partnership=partnership,
            by=democratic_services,
            decision=ApprovalDecision.Decision.APPROVED,
            decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
            decided_on=date(2026, 11, 20),
        )
    services.decide(
        partnership=partnership,
        by=democratic_services,
        decision=ApprovalDecision.Decision.APPROVED,
        decision_body=ApprovalDecision.Body.CABINET,
        decided_on=date(2026, 11, 20),
        decision_reference="Cabinet minute 45/2026",
    )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.ACTIVE
    assert partnership.next_review_due == date(2027, 11, 20)
    assert partnership.decisions.get().was_significant


def test_returning_needs_a_reason(officer, democratic_services):
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    with pytest.raises(ValidationError):
        services.decide(
            partnership=partnership,
            by=democratic_services,
            decision=ApprovalDecision.Decision.RETURNED,
            decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
            decided_on=date(2026, 11, 20),
        )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert not partnership.decisions.exists()


def test_stale_version_is_refused(officer):
    partnership = complete_partnership(author=officer)
    first, second = (Partnership.objects.get(pk=partnership.pk) for _ in range(2))
    first.name = "First editor's name"
    services.save_with_version(first, expected_version=1, update_fields=["name"])
    second.name = "Second editor's name"
    with pytest.raises(services.ConflictError):
        services.save_with_version(second, expected_version=1, update_fields=["name"])
    partnership.refresh_from_db()
    assert partnership.name == "First editor's name"
    assert partnership.version == 2
