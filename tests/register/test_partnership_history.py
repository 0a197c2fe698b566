"""A partnership's history of changes: every recorded change, 50 to a page, newest first."""

from html import unescape

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from register.models import Partnership
from tests.factories import PartnershipFactory, RepresentationFactory, complete_partnership
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db


def history_url(partnership, page=None):
    url = reverse("register:partnership_history", args=[partnership.reference])
    return f"{url}?page={page}" if page is not None else url


def rename(partnership, times):
    """Rename the partnership `times` times ("Renamed 0" first), each rename a recorded change."""
    for number in range(times):
        Partnership.objects.filter(pk=partnership.pk).update(name=f"Renamed {number}")


def names_shown(response):
    """The names the partnership was given by the changes on one page of its history, in order."""
    return [
        change.after
        for entry in response.context["history"]
        for change in entry.changes
        if entry.what == "Changed" and change.field == "Name of partnership"
    ]


def test_the_history_says_who_changed_what_when_from_what_to_what(
    democratic_client, democratic_services
):
    partnership = PartnershipFactory(name="Safer Streets", status=Partnership.Status.ACTIVE)
    with pghistory.context(user=democratic_services.pk):
        partnership.name = "Safer Streets Partnership"
        partnership.save()

    response = democratic_client.get(history_url(partnership))

    assert response.status_code == 200
    newest, created = response.context["history"]
    assert (newest.what, newest.record, newest.who) == (
        "Changed",
        f"Partnership: {partnership.reference}",
        democratic_services.get_full_name(),
    )
    assert ("Name of partnership", "Safer Streets", "Safer Streets Partnership") in [
        (change.field, change.before, change.after) for change in newest.changes
    ]
    assert created.what == "Created"
    html = response.content.decode()
    title = f"History of changes: {partnership.reference} Safer Streets Partnership"
    assert f"<title>{title} – " in html
    assert f'<h1 class="govuk-heading-l">{title}</h1>' in html
    assert f"{timezone.localtime(newest.when):%-d %B %Y, %H:%M}</time> by" in html
    assert democratic_services.get_full_name() in unescape(html)  # O'Sullivan, say
    assert f'href="{partnership.get_absolute_url()}"' in html
    # One page of changes: no page links.
    assert "govuk-pagination" not in html


def test_every_one_of_more_than_200_changes_is_on_a_page_newest_first(officer_client):
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)
    rename(partnership, 210)

    pages = [officer_client.get(history_url(partnership, page)) for page in range(1, 6)]

    # The partnership was created, then renamed 210 times: 211 changes, 50 to a page.
    assert [len(page.context["history"]) for page in pages] == [50, 50, 50, 50, 11]
    names = [name for page in pages for name in names_shown(page)]
    assert names == [f"Renamed {number}" for number in reversed(range(210))]
    last = pages[-1]
    assert last.context["history"][-1].what == "Created"
    html = last.content.decode()
    assert "Page 5 of 5." in html
    assert 'href="?page=4" rel="prev"' in html
    assert 'aria-current="page">5</a>' in html
    assert 'rel="next"' not in html
    assert 'href="?page=2" rel="next"' in pages[0].content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("", 1), ("1.5", 1), ("0", 2), ("-1", 2), ("99999", 2), ("2", 2)],
)
def test_a_page_number_that_is_not_a_page_shows_the_first_or_last_page(officer_client, page, shown):
    """As on the register: not a number shows the first page, out of range the last."""
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)
    rename(partnership, 60)

    response = officer_client.get(history_url(partnership, page))

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_a_partnership_with_no_recorded_changes_says_so(officer_client):
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)
    Partnership.pgh_event_model.objects.filter(pgh_obj=partnership).delete()

    response = officer_client.get(history_url(partnership))

    assert response.status_code == 200
    assert "No changes have been recorded yet." in response.content.decode()


def test_an_officer_of_another_directorate_gets_404_on_a_drafts_history(
    client, officer, other_officer
):
    draft = complete_partnership(author=officer)
    client.force_login(other_officer)

    response = client.get(history_url(draft))

    assert response.status_code == 404
    assert draft.name not in response.content.decode()


def test_signing_in_is_needed_to_read_a_history(client):
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)

    response = client.get(history_url(partnership))

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


def test_the_history_cannot_be_posted_to(officer_client):
    partnership = PartnershipFactory(status=Partnership.Status.ACTIVE)
    assert officer_client.post(history_url(partnership)).status_code == 405


@pytest.mark.parametrize("page", [1, 2])
def test_the_history_runs_a_fixed_number_of_queries(
    democratic_client, democratic_services, officer, page
):
    partnership = complete_partnership(author=officer)
    url = history_url(partnership, page)
    # Both measurements name who made the changes, as for changes made through the site.
    with pghistory.context(user=democratic_services.pk):
        rename(partnership, 60)

    def grow():
        with pghistory.context(user=democratic_services.pk):
            for _ in range(25):
                RepresentationFactory(partnership=partnership)
            rename(partnership, 300)

    # The session, the user, the partnership, the count, the page of changes and the names
    # of the records and people they refer to.
    assert assert_queries_fixed(democratic_client, url, grow, most=6) == 6
