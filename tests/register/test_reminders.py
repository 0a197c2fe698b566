"""send_reminders: each person's digest of what is due, the sponsor's weekly overdue summary, and
never the same reminder twice."""

import threading
from datetime import date, datetime, time, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from register import reminders
from register.models import Partnership, Person, Profile, SentReminder
from reviews.models import ExitStrategy
from risks.models import Action, Risk
from tests.factories import (
    ActionFactory,
    ExitActionFactory,
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
THURSDAY = date(2026, 11, 26)
FRIDAY = THURSDAY + timedelta(days=1)
NEXT_MONDAY = date(2026, 11, 30)


def at(day):
    return datetime.combine(day, time(7, 0), tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(at(THURSDAY), tick=False) as traveller:
        yield traveller


def run():
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115


def sent_to(address, kind="digest"):
    """The messages sent to an address, a digest or an overdue summary."""
    marker = "Overdue in your partnerships" if kind == "overdue_summary" else "Due soon"
    return [m for m in mail.outbox if m.to == [address] and m.subject.startswith(marker)]


@pytest.fixture
def head(db):
    return UserFactory(username="head", first_name="Hana", last_name="Head")


@pytest.fixture
def world(clock, head):
    """Something of each kind due soon, overdue, or not yet due, across four people."""
    today = THURSDAY
    soon = PartnershipFactory(
        name="Soon Forum",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=head,
        next_review_due=today + timedelta(days=20),
    )
    late = PartnershipFactory(
        name="Late Board",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=head,
        next_review_due=today - timedelta(days=5),
    )
    PartnershipFactory(
        name="Far Off Trust",
        status=Partnership.Status.ACTIVE,
        sponsoring_officer=head,
        next_review_due=today + timedelta(days=60),
    )
    rita = PersonFactory(name="Rita Owens", email="rita@example.gov.uk")
    sam = PersonFactory(name="Sam Patel", email="sam@example.gov.uk")
    pat = PersonFactory(name="Pat Jones", email="pat@example.gov.uk")
    risk = RiskFactory(
        partnership=soon,
        owner=rita,
        title="Funding withdrawn",
        next_review_due=today + timedelta(days=10),
    )
    RiskFactory(
        partnership=soon,
        owner=rita,
        title="Not yet due",
        next_review_due=today + timedelta(days=20),
    )
    ActionFactory(
        risk=risk,
        owner=sam,
        description="Agree a funding plan",
        estimated_completion=today - timedelta(days=3),
    )
    ActionFactory(
        risk=risk,
        owner=sam,
        description="Far off action",
        estimated_completion=today + timedelta(days=40),
    )
    ActionFactory(
        risk=risk,
        owner=sam,
        description="Done already",
        estimated_completion=today - timedelta(days=10),
        status=Action.Status.COMPLETE,
        completed_on=today - timedelta(days=11),
    )
    exiting = PartnershipFactory(
        name="Leaving Trust", status=Partnership.Status.EXITING, sponsoring_officer=None
    )
    strategy = ExitStrategy.objects.create(partnership=exiting)
    ExitActionFactory(
        strategy=strategy,
        owner=pat,
        description="Return the shared data",
        due_date=today + timedelta(days=7),
    )
    return {"soon": soon, "late": late, "risk": risk, "head": head}


# Who gets what -----------------------------------------------------------------------------------


def test_each_person_gets_one_digest_of_only_their_own_items(world):
    run()
    [head_digest] = sent_to("head@example.gov.uk")
    assert "Annual review of " + str(world["soon"]) in head_digest.body
    assert "Annual review of " + str(world["late"]) in head_digest.body
    assert "Far Off Trust" not in head_digest.body
    [rita_digest] = sent_to("rita@example.gov.uk")
    assert "Funding withdrawn" in rita_digest.body
    assert "Not yet due" not in rita_digest.body
    [sam_digest] = sent_to("sam@example.gov.uk")
    assert "Agree a funding plan" in sam_digest.body
    assert "OVERDUE: was due 23 November 2026" in sam_digest.body
    assert "Far off action" not in sam_digest.body
    assert "Done already" not in sam_digest.body
    [pat_digest] = sent_to("pat@example.gov.uk")
    assert "Return the shared data" in pat_digest.body
    assert "Due 3 December 2026" in pat_digest.body
    assert len(mail.outbox) == 5  # four digests and the head's overdue summary


def test_a_digest_names_the_council_and_links_to_each_item(world):
    run()
    [message] = sent_to("rita@example.gov.uk")
    risk_url = f"{settings.SITE_URL}{world['risk'].get_absolute_url()}"
    assert settings.COUNCIL_NAME in message.body
    assert risk_url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{risk_url}">' in html
    assert settings.COUNCIL_NAME in html
    assert "/preferences/" not in message.body  # Rita has no sign-in to set preferences with
    [head_digest] = sent_to("head@example.gov.uk")
    assert f"{settings.SITE_URL}/preferences/" in head_digest.body


def test_the_sponsor_also_gets_a_summary_of_what_is_overdue_in_their_partnerships(world):
    run()
    [summary] = sent_to("head@example.gov.uk", "overdue_summary")
    assert "Annual review of " + str(world["late"]) in summary.body
    assert "Agree a funding plan" in summary.body
    assert "Owner: Sam Patel" in summary.body
    assert "Soon Forum" not in summary.body.split("Risk actions")[0]
    assert "Return the shared data" not in summary.body
    assert SentReminder.objects.filter(
        recipient="head@example.gov.uk", kind="overdue_summary", period="2026-W48"
    ).exists()


# Never the same reminder twice -----------------------------------------------------------------


def test_a_second_run_the_same_day_sends_nothing(world):
    run()
    first = len(mail.outbox)
    run()
    assert first == 5
    assert len(mail.outbox) == first
    assert SentReminder.objects.count() == 5


def test_the_next_day_brings_a_new_digest_but_the_overdue_summary_waits_for_next_week(world, clock):
    run()
    clock.move_to(at(FRIDAY))
    mail.outbox.clear()
    run()
    assert len(sent_to("head@example.gov.uk")) == 1
    assert sent_to("head@example.gov.uk", "overdue_summary") == []
    clock.move_to(at(NEXT_MONDAY))
    mail.outbox.clear()
    run()
    assert len(sent_to("head@example.gov.uk", "overdue_summary")) == 1


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again(world, monkeypatch):
    real_send = reminders.send_email

    def refuse(**kwargs):
        raise SMTPException("mail server down")

    monkeypatch.setattr(reminders, "send_email", refuse)
    with pytest.raises(CommandError, match="could not be sent"):
        run()
    assert SentReminder.objects.count() == 0
    monkeypatch.setattr(reminders, "send_email", real_send)
    run()
    assert len(mail.outbox) == 5


# Preferences ------------------------------------------------------------------------------------


def test_a_weekly_digest_is_sent_once_a_week(world, clock, head):
    Profile.objects.filter(user=head).update(digest_frequency=Profile.DigestFrequency.WEEKLY)
    run()
    assert len(sent_to("head@example.gov.uk")) == 1
    assert SentReminder.objects.get(recipient="head@example.gov.uk", kind="digest").period == (
        "2026-W48"
    )
    clock.move_to(at(FRIDAY))
    mail.outbox.clear()
    run()
    assert sent_to("head@example.gov.uk") == []
    assert len(sent_to("rita@example.gov.uk")) == 1  # daily, as nobody chose otherwise
    clock.move_to(at(NEXT_MONDAY))
    run()
    assert len(sent_to("head@example.gov.uk")) == 1


def test_digests_switched_off_are_not_sent_but_the_sponsors_overdue_summary_still_is(world, head):
    Profile.objects.filter(user=head).update(digest_frequency=Profile.DigestFrequency.OFF)
    run()
    assert sent_to("head@example.gov.uk") == []
    assert len(sent_to("head@example.gov.uk", "overdue_summary")) == 1


def test_a_person_named_without_their_sign_in_still_gets_their_chosen_frequency(world):
    rita_login = UserFactory(username="rita", email="RITA@example.gov.uk")
    Profile.objects.filter(user=rita_login).update(digest_frequency=Profile.DigestFrequency.OFF)
    assert Person.objects.get(name="Rita Owens").user is None
    run()
    assert sent_to("rita@example.gov.uk") == []


def test_a_person_with_no_email_is_skipped(world):
    Person.objects.filter(name="Sam Patel").update(email="")
    run()
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "head@example.gov.uk",
        "head@example.gov.uk",
        "pat@example.gov.uk",
        "rita@example.gov.uk",
    ]


def test_closed_risks_are_left_out(world):
    Risk.objects.filter(pk=world["risk"].pk).update(
        status=Risk.Status.CLOSED, closed_on=THURSDAY, closed_reason="Gone away"
    )
    run()
    assert sent_to("rita@example.gov.uk") == []
    assert sent_to("sam@example.gov.uk") == []


# Two servers at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(clock):
    head = UserFactory(username="head")
    for days in [-5, 3, 20]:
        PartnershipFactory(
            status=Partnership.Status.ACTIVE,
            sponsoring_officer=head,
            next_review_due=THURSDAY + timedelta(days=days),
        )
    strategy = ExitStrategy.objects.create(
        partnership=PartnershipFactory(status=Partnership.Status.EXITING, sponsoring_officer=head)
    )
    for number in range(5):
        ExitActionFactory(
            strategy=strategy,
            owner=PersonFactory(email=f"owner{number}@example.gov.uk"),
            due_date=THURSDAY - timedelta(days=1),
        )
    start = threading.Barrier(2)
    errors = []

    def server():
        try:
            start.wait()
            reminders.send_reminders(THURSDAY)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert len(sent) == len(set(sent)) == 7  # five owners, the head's digest and summary
    assert SentReminder.objects.count() == 7
