"""Assignment notices: whoever is named as an owner, sponsor or representative is told once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse

from register.models import Partnership, Person, Representation
from reviews import services as review_services
from reviews.models import ExitAction, ExitStrategy
from risks import services as risk_services
from risks.models import Action, Risk
from tests.factories import (
    ActionFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    RiskFactory,
    UserFactory,
    complete_partnership,
)
from tests.helpers import split_dates, today
from tests.register.registration_helpers import error_summary, fill, section_url
from tests.register.test_admin import change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor_client(client, sponsor):
    client.force_login(sponsor)
    return client


@pytest.fixture
def partnership(sponsor):
    return PartnershipFactory(
        name="Homelessness Prevention Forum",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=sponsor,
    )


@pytest.fixture
def owner(db):
    return PersonFactory(name="Rita Owens", email="rita.owens@example.gov.uk")


def risk_post(owner, **overrides):
    data = {
        "title": "Loss of a key partner",
        "category": "governance",
        "cause": "A partner's board reviews its commitments.",
        "event": "The partner leaves the partnership.",
        "impact": "Services to rough sleepers stop.",
        "owner": owner.pk,
        "raised_on": today() - timedelta(days=5),
        "inherent": "4-5",
        "actual": "3-4",
        "residual": "2-3",
        "controls-TOTAL_FORMS": "0",
        "controls-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return split_dates(data)


def action_row(index, owner, **fields):
    values = {
        "description": f"Action {index}",
        "owner": owner.pk,
        "status": "not_started",
        "estimated_completion": today() + timedelta(days=30),
    }
    values.update(fields)
    return split_dates({f"actions-{index}-{key}": value for key, value in values.items()})


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


# The email itself --------------------------------------------------------------------------------


def test_a_new_risk_owner_is_told_after_commit_with_a_link_and_the_council_named(
    sponsor_client, partnership, owner, django_capture_on_commit_callbacks
):
    url = reverse("risks:risk_create", args=[partnership.reference])
    with django_capture_on_commit_callbacks() as callbacks:
        response = sponsor_client.post(url, risk_post(owner))
        assert response.status_code == 302
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    risk = Risk.objects.get()
    [message] = mail.outbox
    assert message.to == ["rita.owens@example.gov.uk"]
    assert "risk owner" in message.subject
    assert settings.COUNCIL_NAME in message.body
    assert f"{settings.SITE_URL}{risk.get_absolute_url()}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{settings.SITE_URL}{risk.get_absolute_url()}"' in html
    assert '<html lang="en-GB">' in html


def test_a_rolled_back_save_tells_nobody(partnership, owner, django_capture_on_commit_callbacks):
    risk = RiskFactory.build(partnership=partnership, owner=owner, reference="")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        risk_services.save_risk(risk=risk)
        raise RuntimeError("the rest of the change failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Risk.objects.exists()


# Risk owners and action owners ------------------------------------------------------------------


def test_changing_the_risk_owner_tells_only_the_new_owner(
    partnership, owner, django_capture_on_commit_callbacks
):
    risk = RiskFactory(partnership=partnership, owner=owner)
    newcomer = PersonFactory(email="new.owner@example.gov.uk")
    risk.owner = newcomer
    with django_capture_on_commit_callbacks(execute=True):
        risk_services.save_risk(risk=risk, expected_version=1)
    assert recipients() == ["new.owner@example.gov.uk"]


def test_saving_a_risk_with_the_same_owner_sends_nothing(
    partnership, owner, django_capture_on_commit_callbacks
):
    risk = RiskFactory(partnership=partnership, owner=owner)
    risk.title = "Funding cut by half"
    with django_capture_on_commit_callbacks(execute=True):
        risk_services.save_risk(risk=risk, expected_version=1)
    assert mail.outbox == []


def test_naming_yourself_or_someone_without_an_email_sends_nothing(
    partnership, sponsor, django_capture_on_commit_callbacks
):
    myself = PersonFactory(user=sponsor, email=sponsor.email)
    no_address = PersonFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        for person in [myself, no_address]:
            risk = RiskFactory.build(partnership=partnership, owner=person, reference="")
            risk_services.save_risk(risk=risk, by=sponsor)
    assert Risk.objects.count() == 2
    assert mail.outbox == []


def test_new_and_reassigned_action_owners_are_told_but_unchanged_ones_are_not(
    sponsor_client, partnership, owner, django_capture_on_commit_callbacks
):
    stays = PersonFactory(email="stays@example.gov.uk")
    risk = RiskFactory(partnership=partnership, owner=owner)
    kept = Action.objects.create(
        risk=risk, description="Kept", owner=stays, estimated_completion=today()
    )
    moved = Action.objects.create(
        risk=risk, description="Moved", owner=stays, estimated_completion=today()
    )
    taker = PersonFactory(email="taker@example.gov.uk")
    newcomer = PersonFactory(email="newcomer@example.gov.uk")
    data = risk_post(owner, version="1")
    data.update({"actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "2"})
    data.update(action_row(0, stays, id=str(kept.pk), description="Kept, reworded"))
    data.update(action_row(1, taker, id=str(moved.pk), description="Moved"))
    data.update(action_row(2, newcomer, description="New"))
    url = reverse("risks:risk_update", args=[partnership.reference, risk.reference])
    with django_capture_on_commit_callbacks(execute=True):
        response = sponsor_client.post(url, data)
    assert response.status_code == 302
    assert Action.objects.get(pk=kept.pk).description == "Kept, reworded"
    assert recipients() == ["newcomer@example.gov.uk", "taker@example.gov.uk"]
    assert all("action owner" in message.subject for message in mail.outbox)


# Exit actions ----------------------------------------------------------------------------------


def test_an_exit_action_owner_is_told_once_and_not_again_on_the_next_save(
    sponsor, django_capture_on_commit_callbacks
):
    partnership = complete_partnership(
        sponsoring_officer=sponsor, status=Partnership.Status.EXITING
    )
    strategy = ExitStrategy.objects.create(partnership=partnership)
    owner = PersonFactory(email="exit.owner@example.gov.uk")
    action = ExitAction(description="Give notice", owner=owner, due_date=today())
    with django_capture_on_commit_callbacks(execute=True):
        review_services.save_exit_strategy(
            strategy=strategy, actions=[action], by=sponsor, expected_version=1
        )
    strategy.refresh_from_db()
    action.description = "Give six months' notice"
    with django_capture_on_commit_callbacks(execute=True):
        review_services.save_exit_strategy(
            strategy=strategy, actions=[action], by=sponsor, expected_version=strategy.version
        )
    [message] = mail.outbox
    assert message.to == ["exit.owner@example.gov.uk"]
    assert "exit action owner" in message.subject
    assert today().strftime("%-d %B %Y") in message.body
    update_url = reverse("reviews:exit_action_update", args=[partnership.reference, action.pk])
    assert f"{settings.SITE_URL}{update_url}" in message.body


# Sponsoring officers and representatives, on the registration form ------------------------------


def test_a_new_sponsoring_officer_is_told_but_saving_again_tells_nobody(
    officer_client, officer, django_capture_on_commit_callbacks
):
    partnership = PartnershipFactory(author=officer)
    head = UserFactory(username="head", email="head.of.service@example.gov.uk")
    url = section_url(partnership, "partnership")
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(officer_client, url, sponsoring_officer=str(head.pk))
    assert response.status_code == 302, error_summary(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(officer_client, url, purpose="Reworded purpose.")
    assert response.status_code == 302, error_summary(response)
    assert recipients() == ["head.of.service@example.gov.uk"]
    assert "sponsoring officer" in mail.outbox[0].subject
    assert partnership.reference in mail.outbox[0].subject


def test_a_new_representative_is_told_and_an_unchanged_one_is_not(
    officer_client, officer, django_capture_on_commit_callbacks
):
    partnership = PartnershipFactory(author=officer)
    sitting = Person.objects.create(
        name="Cllr Pat Jones", kind=Person.Kind.COUNCILLOR, email="pat.jones@example.gov.uk"
    )
    RepresentationFactory(partnership=partnership, person=sitting)
    Person.objects.create(
        name="Sam Patel", kind=Person.Kind.OFFICER, email="sam.patel@example.gov.uk"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = fill(
            officer_client,
            section_url(partnership, "council_role"),
            {
                "council_role": "representative",
                "representations-TOTAL_FORMS": "2",
                "representations-1-person_name": "Sam Patel",
                "representations-1-person_kind": "officer",
                "representations-1-role": "substitute",
            }.items(),
        )
    assert response.status_code == 302, error_summary(response)
    assert Representation.objects.filter(partnership=partnership).count() == 2
    assert recipients() == ["sam.patel@example.gov.uk"]
    assert "substitute" in mail.outbox[0].subject


def test_democratic_services_changing_the_sponsor_in_admin_tells_the_new_sponsor(
    democratic_client, django_capture_on_commit_callbacks
):
    partnership = complete_partnership()
    head = UserFactory(username="head", email="head.of.service@example.gov.uk")
    url = reverse("admin:register_partnership_change", args=[partnership.pk])
    data = change_form_data(democratic_client.get(url))
    data["sponsoring_officer"] = str(head.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = democratic_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert recipients() == ["head.of.service@example.gov.uk"]


def test_replacing_a_representative_in_an_admin_inline_tells_the_new_one(
    democratic_client, django_capture_on_commit_callbacks
):
    partnership = complete_partnership()
    newcomer = PersonFactory(name="Nadia Khan", email="nadia.khan@example.gov.uk")
    url = reverse("admin:register_partnership_change", args=[partnership.pk])
    data = change_form_data(democratic_client.get(url))
    data["representations-0-person"] = str(newcomer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = democratic_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert partnership.representations.get().person == newcomer
    assert recipients() == ["nadia.khan@example.gov.uk"]


def test_an_unchanged_admin_save_tells_nobody(
    democratic_client, django_capture_on_commit_callbacks
):
    partnership = complete_partnership()
    url = reverse("admin:register_partnership_change", args=[partnership.pk])
    data = change_form_data(democratic_client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = democratic_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert recipients() == []


def test_changing_an_action_owner_in_admin_tells_the_new_owner(
    democratic_client, django_capture_on_commit_callbacks
):
    action = ActionFactory()
    newcomer = PersonFactory(name="Owen Price", email="owen.price@example.gov.uk")
    url = reverse("admin:risks_risk_change", args=[action.risk.pk])
    data = change_form_data(democratic_client.get(url))
    prefix = next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.endswith("-id") and value == str(action.pk)
    )
    data[f"{prefix}-owner"] = str(newcomer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = democratic_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert action.owner == newcomer
    assert recipients() == ["owen.price@example.gov.uk"]
    assert "action owner" in mail.outbox[0].subject
