from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from pghistory.models import Events

from register import roles
from register.management.commands.seed_demo import DEMO_PASSWORD
from register.models import Directorate, Partnership, Profile, StatusChange

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_who_can_sign_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    for username, role in [
        ("officer", roles.OFFICER),
        ("sponsor", roles.SPONSORING_OFFICER),
        ("democratic", roles.DEMOCRATIC_SERVICES),
        ("approver", roles.APPROVER),
        ("readonly", roles.READ_ONLY),
    ]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.profile.directorate is not None
        assert user.check_password(DEMO_PASSWORD)


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    counts = (
        User.objects.count(),
        Profile.objects.count(),
        Directorate.objects.count(),
        Partnership.objects.count(),
        StatusChange.objects.count(),
        Events.objects.across("register.ProfileEvent", "register.DirectorateEvent").count(),
    )
    passwords = dict(User.objects.values_list("username", "password"))
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        User.objects.count(),
        Profile.objects.count(),
        Directorate.objects.count(),
        Partnership.objects.count(),
        StatusChange.objects.count(),
        Events.objects.across("register.ProfileEvent", "register.DirectorateEvent").count(),
    )
    assert passwords == dict(User.objects.values_list("username", "password"))


def test_demo_password_is_never_set_with_debug_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", stdout=StringIO())
    officer = User.objects.get(username="officer")
    assert not officer.has_usable_password()
    assert not officer.check_password(DEMO_PASSWORD)


def test_seed_demo_fills_a_realistic_register(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    partnerships = Partnership.objects.with_significance()
    assert partnerships.count() >= 40
    assert set(partnerships.values_list("status", flat=True)) == set(Partnership.Status.values)
    assert partnerships.values("directorate").distinct().count() >= 5
    assert partnerships.filter(is_significant=True).exists()
    assert partnerships.filter(is_significant=False).exists()
    active = partnerships.filter(status=Partnership.Status.ACTIVE)
    assert all(p.next_review_due and p.approved_on for p in active)
    assert all(p.partners.exists() and p.representations.exists() for p in partnerships)


@pytest.mark.django_db(transaction=True)
def test_seed_demo_emails_nobody(settings, mailoutbox):
    """The services it goes through email the people they name, but demo records tell nobody.

    A transactional test, so the emails queued for after commit really would be sent.
    """
    settings.DEBUG = False
    call_command("seed_demo", stdout=StringIO())
    assert Partnership.objects.exists()
    assert mailoutbox == []
