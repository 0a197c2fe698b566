"""The preferences page: a signed-in person's choice of reminder digest frequency."""

import pytest
from django.urls import reverse

from register.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("register:preferences")


def test_the_page_shows_the_current_choice_and_what_cannot_be_switched_off(officer_client):
    response = officer_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["digest_frequency"].value() == "daily"
    assert "Emails you always get" in content
    assert "returned for changes" in content


def test_saving_a_choice_stores_it_and_says_so(officer_client, officer):
    response = officer_client.post(URL, {"digest_frequency": "off"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your preferences have been saved." in response.content.decode()
    assert Profile.objects.get(user=officer).digest_frequency == "off"


@pytest.mark.parametrize("value", ["", "hourly", "x" * 500])
def test_a_missing_or_forged_choice_is_refused_and_nothing_changes(officer_client, officer, value):
    response = officer_client.post(URL, {"digest_frequency": value})
    assert response.status_code == 200
    assert response.context["form"].errors["digest_frequency"]
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert Profile.objects.get(user=officer).digest_frequency == "daily"


def test_a_user_without_a_profile_gets_one_when_they_first_choose(client):
    user = UserFactory(username="newcomer", profile=None)
    client.force_login(user)
    assert client.get(URL).status_code == 200
    assert not Profile.objects.filter(user=user).exists()
    client.post(URL, {"digest_frequency": "weekly"})
    assert Profile.objects.get(user=user).digest_frequency == "weekly"


def test_the_page_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_page_links_to_the_preferences(officer_client):
    assert f'href="{URL}"' in officer_client.get(reverse("home")).content.decode()
