"""Every admin changelist runs a fixed number of queries, at most 8, whatever the data.

The app's own list and detail pages are pinned beside their other tests (grep `most=`); this
file covers Django admin, model by model, so a model newly registered there is pinned too.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from register import roles
from register.models import ChecklistConsideration, ReferenceCounter
from reviews import services as review_services
from tests.factories import (
    ActionFactory,
    ControlFactory,
    EscalationFactory,
    ExitActionFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
)
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

ADMIN_CHANGELIST_MOST = 8


def _withdraw(partnership, by):
    review = review_services.start_review(partnership=partnership, by=by)
    for alignment in review.alignments.all():
        alignment.aligned = "no"
        alignment.save()
    review.outcome, review.outcome_reasons = "withdraw", "No longer needed."
    review.agreed_by, review.agreed_on = "Cabinet", timezone.localdate()
    review_services.complete_review(review=review, by=by, expected_version=review.version)
    return review


def _add_records(number, sponsor, democratic_services):
    """A partnership with a risk, a moved review date, a withdrawal and its exit strategy."""
    partnership = active_partnership(sponsoring_officer=sponsor)
    owner = PersonFactory(user=UserFactory())
    risk = RiskFactory(partnership=partnership, owner=owner)
    ControlFactory(risk=risk, owner=owner)
    ActionFactory(risk=risk, owner=owner)
    EscalationFactory(risk=risk)
    review_services.set_next_review_date(
        partnership=partnership,
        by=democratic_services,
        next_review_due=timezone.localdate(),
        reason="Moved to meet the board's cycle.",
    )
    review = _withdraw(partnership, sponsor)
    ExitActionFactory(strategy=review.exit_strategies.get(), owner=owner)
    ReferenceCounter.objects.create(year=1900 + number, last_number=number)
    ChecklistConsideration.objects.create(section="general", question=f"Question {number}?")


def test_every_admin_changelist_runs_at_most_8_queries_on_small_and_large_data(
    client, sponsor, democratic_services
):
    superuser = UserFactory(username="superuser", is_staff=True, is_superuser=True)
    keeper = democratic_services
    pages = {}
    for model, model_admin in admin.site._registry.items():
        # Democratic Services keep the register; what only a superuser may see, they see.
        user = keeper if model_admin.has_view_permission(_request_for(keeper)) else superuser
        info = (model._meta.app_label, model._meta.model_name)
        pages[reverse("admin:{}_{}_changelist".format(*info))] = user
    assert len(pages) >= 14, "every model registered in admin is measured"

    def measure():
        counts = {}
        for url, user in pages.items():
            client.force_login(user)
            counts[url] = count_queries(client, url)
        return counts

    _add_records(0, sponsor, democratic_services)
    small = measure()
    for number in range(1, 8):
        _add_records(number, sponsor, democratic_services)
    User.objects.bulk_create(User(username=f"bulk{n}") for n in range(60))
    large = measure()

    assert small == large, {
        url: (small[url], large[url]) for url in small if small[url] != large[url]
    }
    over = {url: count for url, count in large.items() if count > ADMIN_CHANGELIST_MOST}
    assert not over, f"admin changelists over {ADMIN_CHANGELIST_MOST} queries: {over}"


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# What every signed-in page pays: two queries, the session and the user -------------------------


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if 'UPDATE "django_session"' in q["sql"]]


def test_a_page_reads_the_session_and_the_user_and_nothing_more_for_them(officer_client):
    with CaptureQueriesContext(connection) as captured:
        officer_client.get(reverse("register:partnership_list"))
    sql = [query["sql"] for query in captured.captured_queries]
    assert "django_session" in sql[0]
    assert '"auth_user"' in sql[1] and '"auth_group"' in sql[1]
    assert '"auth_group_permissions"' in sql[1] and '"auth_user_user_permissions"' in sql[1]
    assert not any('"auth_group"' in query or "django_session" in query for query in sql[2:])


def test_the_session_is_renewed_at_most_once_a_minute_and_still_ends_after_30_idle_minutes(
    client, officer
):
    home = reverse("home")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(officer)
        assert _session_writes(client, home) == []
        traveller.shift(timedelta(seconds=59))
        assert _session_writes(client, home) == []
        traveller.shift(timedelta(seconds=2))
        assert len(_session_writes(client, home)) == 1  # renewed: 30 idle minutes from now
        assert _session_writes(client, home) == []
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert client.get(home).status_code == 302


def test_a_change_of_role_applies_from_the_next_page(client, officer, democratic_services):
    client.force_login(democratic_services)
    admin_page = reverse("admin:register_partnership_changelist")
    assert client.get(reverse("register:overview")).status_code == 200
    assert client.get(admin_page).status_code == 200
    democratic_services.groups.clear()
    assert client.get(reverse("register:overview")).status_code == 403
    assert client.get(admin_page).status_code == 403
    democratic_services.groups.add(Group.objects.get(name=roles.DEMOCRATIC_SERVICES))
    assert client.get(admin_page).status_code == 200
    democratic_services.is_active = False
    democratic_services.save(update_fields=["is_active"])
    assert client.get(admin_page).status_code == 302  # signed out


def test_a_person_without_a_profile_still_sees_their_home_page(client):
    user = UserFactory(username="no_profile", profile=None)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["profile"] is None
