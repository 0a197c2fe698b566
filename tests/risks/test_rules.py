"""Who may read and change a partnership's risks."""

import pytest
from django.utils import timezone

from register import roles
from register.models import Partnership
from tests.factories import (
    ActionFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MANAGE = ["risks.change_risk", "risks.review_risk", "risks.close_risk", "risks.escalate_risk"]


@pytest.fixture
def risk(partnership, owner):
    return RiskFactory(partnership=partnership, owner=owner)


def test_the_sponsoring_officer_manages_the_partnerships_risks(sponsor, partnership, risk):
    assert sponsor.has_perm("risks.add_risk", partnership)
    for permission in MANAGE:
        assert sponsor.has_perm(permission, risk), permission


def test_democratic_services_manage_every_partnerships_risks(democratic_services, risk):
    assert democratic_services.has_perm("risks.add_risk", risk.partnership)
    for permission in MANAGE:
        assert democratic_services.has_perm(permission, risk), permission


def test_the_risk_owner_may_review_and_edit_but_not_close_or_escalate(owner_user, risk):
    assert owner_user.has_perm("risks.view_risk", risk)
    assert owner_user.has_perm("risks.change_risk", risk)
    assert owner_user.has_perm("risks.review_risk", risk)
    assert not owner_user.has_perm("risks.close_risk", risk)
    assert not owner_user.has_perm("risks.escalate_risk", risk)
    assert not owner_user.has_perm("risks.add_risk", risk.partnership)


def test_an_action_owner_may_update_only_their_action(risk):
    action_user = UserFactory(role=roles.OFFICER)
    theirs = ActionFactory(risk=risk, owner=PersonFactory(user=action_user))
    other = ActionFactory(risk=risk)
    assert action_user.has_perm("risks.change_action", theirs)
    assert not action_user.has_perm("risks.change_action", other)
    assert not action_user.has_perm("risks.change_risk", risk)


def test_everyone_signed_in_reads_live_partnerships_risks_but_changes_nothing(officer, risk):
    assert officer.has_perm("risks.view_risk", risk)
    assert not officer.has_perm("risks.add_risk", risk.partnership)
    for permission in MANAGE:
        assert not officer.has_perm(permission, risk), permission


def test_read_only_sees_every_risk_and_changes_none(read_only):
    draft = RiskFactory(partnership=PartnershipFactory(status=Partnership.Status.DRAFT))
    assert read_only.has_perm("risks.view_risk", draft)
    read_only.person = None
    owned = RiskFactory(owner=PersonFactory(user=read_only))
    for permission in MANAGE:
        assert not read_only.has_perm(permission, owned), permission


def test_a_drafts_risks_are_hidden_from_officers_not_involved(officer, sponsor):
    draft = PartnershipFactory(status=Partnership.Status.DRAFT, sponsoring_officer=sponsor)
    risk = RiskFactory(partnership=draft)
    assert not officer.has_perm("risks.view_risk", risk)
    assert sponsor.has_perm("risks.view_risk", risk)
    assert sponsor.has_perm("risks.change_risk", risk)


@pytest.mark.parametrize("status", [Partnership.Status.CLOSED, Partnership.Status.REJECTED])
def test_a_closed_partnerships_risks_are_read_only(sponsor, democratic_services, owner, status):
    partnership = PartnershipFactory(status=status, sponsoring_officer=sponsor)
    risk = RiskFactory(partnership=partnership, owner=owner)
    action = ActionFactory(risk=risk, owner=owner)
    for user in [sponsor, democratic_services, owner.user]:
        assert user.has_perm("risks.view_risk", risk)
        assert not user.has_perm("risks.add_risk", partnership)
        assert not user.has_perm("risks.change_action", action)
        for permission in MANAGE:
            assert not user.has_perm(permission, risk), permission


def test_a_closed_risk_is_no_longer_changed(sponsor, owner_user, risk):
    risk.status, risk.closed_reason, risk.closed_on = "closed", "Passed.", timezone.localdate()
    risk.save()
    action = ActionFactory(risk=risk, owner=risk.owner)
    for user in [sponsor, owner_user]:
        assert user.has_perm("risks.view_risk", risk)
        assert not user.has_perm("risks.change_risk", risk)
        assert not user.has_perm("risks.change_action", action)


def test_owners_read_their_own_risk_and_action_on_a_draft_partnership(owner, owner_user, officer):
    draft = PartnershipFactory(status=Partnership.Status.DRAFT)
    risk = RiskFactory(partnership=draft, owner=owner)
    action_user = UserFactory(role=roles.OFFICER)
    action = ActionFactory(
        risk=RiskFactory(partnership=draft), owner=PersonFactory(user=action_user)
    )
    assert owner_user.has_perm("risks.view_risk", risk)
    assert owner_user.has_perm("risks.review_risk", risk)
    assert action_user.has_perm("risks.view_risk", action.risk)
    assert action_user.has_perm("risks.change_action", action)
    assert not owner_user.has_perm("risks.view_risk", draft)
    assert not officer.has_perm("risks.view_risk", risk)
