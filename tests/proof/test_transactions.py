"""A fault part-way through a workflow leaves no partial rows.

Each test injects an error after the workflow has already written something (submitting a
registration, completing an annual review, importing a file in admin), then checks every table
in the database, audit history included, holds exactly what it held before; that the person sees
a clean error, not a half-done record; and that the same step succeeds once the fault is gone.
"""

from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from register import roles
from register.models import Partnership, StatusChange
from register.resources import PartnershipResource
from reviews import services as review_services
from reviews.models import AnnualReview, ExitStrategy
from tests.factories import (
    CorporatePriorityFactory,
    OrganisationFactory,
    UserFactory,
    active_partnership,
    complete_partnership,
)
from tests.register.test_import_export import confirm, csv_upload, preview, row
from tests.reviews.test_views import review_post

pytestmark = pytest.mark.django_db(transaction=True)

SORRY = "Sorry, there is a problem with the service"
# Sessions change with every request, whatever the workflow does.
IGNORED_TABLES = {"django_session"}


class InjectedFault(Exception):
    """The fault the tests inject part-way through a workflow."""


def snapshot():
    """Every table's row count and a checksum of all its rows."""
    tables = sorted(set(connection.introspection.table_names()) - IGNORED_TABLES)
    state = {}
    with connection.cursor() as cursor:
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
                f"FROM {name} t"
            )
            state[table] = cursor.fetchone()
    return state


def assert_unchanged(before):
    after = snapshot()
    changed = [table for table in before if before[table] != after.get(table)]
    assert not changed, f"rows left behind in {changed}"
    assert set(after) == set(before)


def assert_clean_error_page(response):
    assert response.status_code == 500
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{SORRY}</h1>' in page
    assert "If you were entering information, it may not have been saved." in page
    assert "Traceback" not in page and "InjectedFault" not in page


def signed_in(user):
    # As a browser sees it: an unhandled error is the error page, not an exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_fault_part_way_through_submitting_leaves_no_partial_rows():
    officer = UserFactory(username="officer", role=roles.OFFICER)
    partnership = complete_partnership(author=officer)
    client = signed_in(officer)
    url = reverse("register:partnership_check", args=[partnership.reference])
    before = snapshot()
    written_first = []

    def fail(self, *args, **kwargs):
        # The status change is already written when the partnership itself is saved.
        written_first.append(
            StatusChange.objects.filter(partnership=self, to_status="submitted").exists()
        )
        raise InjectedFault("the connection dropped")

    with mock.patch.object(Partnership, "save", fail):
        response = client.post(url)

    assert written_first == [True]
    assert_clean_error_page(response)
    assert_unchanged(before)
    assert mail.outbox == []
    # Nothing is half-submitted: the registration is still a draft with its answers, and
    # submitting it again works.
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "register:partnership_submitted", args=[partnership.reference]
    )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert StatusChange.objects.filter(partnership=partnership, to_status="submitted").count() == 1
    assert len(mail.outbox) == 1


def test_a_fault_part_way_through_completing_a_review_leaves_no_partial_rows():
    sponsor = UserFactory(username="sponsor")
    partnership = active_partnership(sponsoring_officer=sponsor)
    review = review_services.start_review(partnership=partnership, by=sponsor)
    client = signed_in(sponsor)
    url = reverse("reviews:review_update", args=[partnership.reference, review.pk])
    data = review_post(review, complete="", outcome="withdraw", outcome_reasons="Not needed.")
    before = snapshot()
    written_first = []

    def fail(self, *args, **kwargs):
        # The review is completed and the partnership moved on before its exit strategy opens.
        written_first.append(
            (
                AnnualReview.objects.get(pk=review.pk).status,
                Partnership.objects.get(pk=partnership.pk).status,
            )
        )
        raise InjectedFault("the disk filled up")

    with mock.patch.object(ExitStrategy, "save", fail):
        response = client.post(url, data)

    assert written_first == [(AnnualReview.Status.COMPLETED, Partnership.Status.EXITING)]
    assert_clean_error_page(response)
    assert_unchanged(before)
    assert mail.outbox == []
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.DRAFT
    # The review is still a draft that can be completed.
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "reviews:exit_strategy_update", args=[partnership.reference]
    )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.EXITING
    assert ExitStrategy.objects.filter(partnership=partnership, review=review).count() == 1
    assert len(mail.outbox) == 1


def test_a_fault_on_the_third_row_of_an_admin_import_leaves_no_partial_rows():
    keeper = UserFactory(username="keeper", role=roles.DEMOCRATIC_SERVICES, is_staff=True)
    UserFactory(username="sponsor")
    UserFactory(username="officer", profile__directorate__name="Housing and Wellbeing")
    CorporatePriorityFactory(name="Safer communities")
    CorporatePriorityFactory(name="Healthy lives")
    OrganisationFactory(name="Kent Police")
    client = signed_in(keeper)
    rows = [row(Name_of_partnership=f"Imported Partnership {n}") for n in range(1, 5)]
    previewed = preview(client, csv_upload(rows))
    assert previewed.status_code == 200
    assert previewed.context["result"].totals["new"] == 4
    before = snapshot()
    saved = []
    real_after_save = PartnershipResource.after_save_instance

    def fail_on_third(self, instance, row, **kwargs):
        # The third partnership row is already inserted when this runs.
        saved.append(instance.pk)
        if len(saved) == 3:
            raise InjectedFault("the connection dropped")
        return real_after_save(self, instance, row, **kwargs)

    with mock.patch.object(PartnershipResource, "after_save_instance", fail_on_third):
        response = confirm(client, previewed)

    # Every row was tried (the importer reports every row's errors), each one saved first.
    assert len(saved) == len(rows) and all(saved)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has been imported" in page
    assert "Nothing was imported: an error stopped the import part-way" in page
    assert "Row 4: the connection dropped" in page  # row 1 of the file is its headings
    assert "Traceback" not in page
    assert_unchanged(before)
    assert not LogEntry.objects.exists()

    # Imported again once the fault is gone, the whole file goes in.
    response = confirm(client, preview(client, csv_upload(rows)))
    assert response.status_code == 302
    assert Partnership.objects.filter(name__startswith="Imported Partnership").count() == 4
    assert StatusChange.objects.filter(reason="Added to the register by import.").count() == 4
