"""Lost updates and double submissions, with real concurrency.

Each test opens the same form in many threads (each with its own signed-in client and its own
database connection), holds them at a barrier so that every one of them has read the same
version, then lets them all post at once. Exactly one save may win; every other person must be
told their changes were not saved; the database and the audit history must hold exactly what
the winner was told was saved. Identical submissions posted at once must make one record.
"""

import threading
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from pghistory.models import Events

from register import roles
from register.models import Partnership, StatusChange
from reviews.models import AnnualReview
from risks.models import Risk
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
    complete_partnership,
)
from tests.register.registration_helpers import error_summary, form_data, section_url

# Twenty signed-in clients at once make these the slowest tests of the faults proof: they run
# once per CI run (marked "proof"), not again for the second database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.proof]

EDITORS = 20
DOUBLE_CLICKS = 10

APP_CONFLICT = "Someone else saved changes to this partnership since you opened this page"
RISK_CONFLICT = "Someone else saved this risk after you opened it, so your changes have not been"
ADMIN_CONFLICT = "Someone else changed this {thing} since you opened it, so your changes have not"


def together(count, prepare, act):
    """Run prepare(i) in `count` threads, wait until all are ready, then act(i, prepared) at once.

    Returns what each act returned, in thread order. Any exception in a thread fails the test.
    """
    barrier = threading.Barrier(count, timeout=120)
    results = [None] * count
    errors = []

    def run(index):
        try:
            prepared = prepare(index)
            barrier.wait()
            results[index] = act(index, prepared)
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's number
            errors.append((index, error))
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    assert not errors, f"threads failed: {errors}"
    return results


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def democratic_services_users(count, prefix):
    return [
        UserFactory(username=f"{prefix}{n}", role=roles.DEMOCRATIC_SERVICES, is_staff=True)
        for n in range(count)
    ]


def updates_of(obj):
    """The audit history's update events of this one record."""
    return Events.objects.tracks(obj).filter(pgh_label="update")


def assert_one_winner(responses, *, won, lost):
    """Exactly one response is the success; every other one tells its user of the conflict."""
    winners = [i for i, response in enumerate(responses) if won(response)]
    losers = [i for i, response in enumerate(responses) if lost(response)]
    assert len(winners) == 1, [r.status_code for r in responses]
    assert len(losers) == len(responses) - 1, [r.status_code for r in responses]
    return winners[0]


# Twenty people save the same record at once ---------------------------------------------------


def test_twenty_concurrent_edits_of_a_live_partnership_lose_no_update():
    editors = democratic_services_users(EDITORS - 1, "editor")
    sponsor = UserFactory(username="sponsor")
    partnership = complete_partnership(sponsoring_officer=sponsor, status=Partnership.Status.ACTIVE)
    editors.append(sponsor)
    url = section_url(partnership, "risk")
    version = partnership.version
    before = updates_of(partnership).count()

    def prepare(index):
        client = signed_in(editors[index])
        data = form_data(client.get(url))
        assert data["version"] == str(version)
        data.update(risk_manager=f"Risk lead number {index}", action="save")
        return client, data

    def act(index, prepared):
        client, data = prepared
        return client.post(url, data)

    responses = together(EDITORS, prepare, act)
    winner = assert_one_winner(
        responses,
        won=lambda r: r.status_code == 302 and r["Location"] == partnership.get_absolute_url(),
        lost=lambda r: r.status_code == 200 and APP_CONFLICT in error_summary(r),
    )
    for index, response in enumerate(responses):
        if index != winner:
            # The loser's answer is kept in the form, beside what is saved now.
            assert form_data(response)["risk_manager"] == f"Risk lead number {index}"
            assert f"Risk lead number {winner}" in response.content.decode()

    partnership.refresh_from_db()
    assert partnership.risk_manager == f"Risk lead number {winner}"
    assert partnership.version == version + 1
    events = list(updates_of(partnership)[: EDITORS + 1])
    assert len(events) - before == 1
    assert events[-1].pgh_diff["risk_manager"][1] == f"Risk lead number {winner}"


def test_twenty_concurrent_edits_of_a_risk_lose_no_update():
    editors = democratic_services_users(EDITORS, "riskeditor")
    risk = RiskFactory(title="Funding withdrawn")
    url = reverse("risks:risk_update", args=[risk.partnership.reference, risk.reference])
    version = risk.version
    before = updates_of(risk).count()

    def prepare(index):
        client = signed_in(editors[index])
        data = form_data(client.get(url))
        assert data["version"] == str(version)
        data["title"] = f"Funding withdrawn, as seen by editor {index}"
        return client, data

    def act(index, prepared):
        client, data = prepared
        return client.post(url, data)

    responses = together(EDITORS, prepare, act)
    winner = assert_one_winner(
        responses,
        won=lambda r: r.status_code == 302 and r["Location"] == risk.get_absolute_url(),
        lost=lambda r: r.status_code == 409 and RISK_CONFLICT in r.content.decode(),
    )
    for index, response in enumerate(responses):
        if index != winner:
            assert form_data(response)["title"] == f"Funding withdrawn, as seen by editor {index}"

    risk.refresh_from_db()
    assert risk.title == f"Funding withdrawn, as seen by editor {winner}"
    assert risk.version == version + 1
    assert updates_of(risk).count() - before == 1


@pytest.mark.parametrize("kind", ["partnership", "risk"])
def test_twenty_concurrent_admin_saves_lose_no_update(kind):
    editors = democratic_services_users(EDITORS, f"admin{kind}")
    if kind == "partnership":
        record = PartnershipFactory(status=Partnership.Status.ACTIVE)
        url = reverse("admin:register_partnership_change", args=[record.pk])
        field = "name"
    else:
        record = RiskFactory()
        url = reverse("admin:risks_risk_change", args=[record.pk])
        field = "title"
    version = record.version
    before = updates_of(record).count()

    # The change form is the same page for every editor and heavy to draw, so it is read once
    # and each editor posts it as it was loaded, at the same version.
    loaded = form_data(signed_in(editors[0]).get(url))
    assert loaded["loaded_version"] == str(version)

    def prepare(index):
        data = {**loaded, field: f"Corrected in admin by editor {index}", "_save": "Save"}
        return signed_in(editors[index]), data

    def act(index, prepared):
        client, data = prepared
        return client.post(url, data)

    responses = together(EDITORS, prepare, act)
    conflict = ADMIN_CONFLICT.format(thing=kind)
    winner = assert_one_winner(
        responses,
        won=lambda r: r.status_code == 302,
        lost=lambda r: r.status_code == 200 and conflict in r.content.decode(),
    )
    for index, response in enumerate(responses):
        if index != winner:
            assert form_data(response)[field] == f"Corrected in admin by editor {index}"

    record.refresh_from_db()
    assert getattr(record, field) == f"Corrected in admin by editor {winner}"
    assert record.version == version + 1
    assert updates_of(record).count() - before == 1


def test_an_admin_save_over_a_change_made_in_the_service_is_refused():
    """The admin form and the service's forms share one version: neither overwrites the other."""
    editor, sponsor = democratic_services_users(1, "keeper")[0], UserFactory(username="sponsor")
    risk = RiskFactory(partnership=active_partnership(sponsoring_officer=sponsor))
    admin_client = signed_in(editor)
    admin_url = reverse("admin:risks_risk_change", args=[risk.pk])
    stale = form_data(admin_client.get(admin_url))

    service_url = reverse("risks:risk_update", args=[risk.partnership.reference, risk.reference])
    service_client = signed_in(sponsor)
    page = form_data(service_client.get(service_url))
    page["title"] = "Changed by the sponsor"
    assert service_client.post(service_url, page).status_code == 302

    stale.update(title="Changed in admin", _save="Save")
    response = admin_client.post(admin_url, stale)
    assert response.status_code == 200
    assert ADMIN_CONFLICT.format(thing="risk") in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Changed by the sponsor"


# Ten identical submissions at once make one record ---------------------------------------------


def test_ten_identical_posts_of_the_start_form_open_one_draft():
    officer = UserFactory(username="officer", role=roles.OFFICER)
    url = reverse("register:partnership_create")
    token = str(uuid.uuid4())
    data = {"name": "Town Centre Partnership", "purpose": "", "creation_token": token}

    responses = together(
        DOUBLE_CLICKS, lambda index: signed_in(officer), lambda index, c: c.post(url, data)
    )

    partnership = Partnership.objects.get()
    edit = reverse("register:partnership_edit", args=[partnership.reference])
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, edit)] * DOUBLE_CLICKS
    assert str(partnership.creation_token) == token
    assert StatusChange.objects.filter(partnership=partnership).count() == 1
    assert Events.objects.tracks(partnership).filter(pgh_label="insert").count() == 1


def test_ten_identical_submissions_of_a_draft_submit_it_once():
    officer = UserFactory(username="officer", role=roles.OFFICER)
    partnership = complete_partnership(author=officer)
    url = reverse("register:partnership_check", args=[partnership.reference])
    version = partnership.version

    responses = together(
        DOUBLE_CLICKS, lambda index: signed_in(officer), lambda index, c: c.post(url)
    )

    submitted = reverse("register:partnership_submitted", args=[partnership.reference])
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, submitted)] * 10
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert partnership.version == version + 1
    assert StatusChange.objects.filter(partnership=partnership, to_status="submitted").count() == 1
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Partnership submitted for approval"]


def test_ten_identical_starts_of_an_annual_review_open_one_review():
    sponsor = UserFactory(username="sponsor")
    partnership = active_partnership(sponsoring_officer=sponsor)
    url = reverse("reviews:review_start", args=[partnership.reference])

    responses = together(
        DOUBLE_CLICKS, lambda index: signed_in(sponsor), lambda index, c: c.post(url)
    )

    review = AnnualReview.objects.get(partnership=partnership)
    edit = reverse("reviews:review_update", args=[partnership.reference, review.pk])
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, edit)] * DOUBLE_CLICKS
    assert (
        StatusChange.objects.filter(partnership=partnership, to_status="under_review").count() == 1
    )


def test_ten_identical_completions_of_an_annual_review_complete_it_once():
    from reviews import services
    from tests.reviews.test_views import review_post

    sponsor = UserFactory(username="sponsor")
    partnership = active_partnership(sponsoring_officer=sponsor)
    review = services.start_review(partnership=partnership, by=sponsor)
    url = reverse("reviews:review_update", args=[partnership.reference, review.pk])
    data = review_post(review, complete="")

    responses = together(
        DOUBLE_CLICKS, lambda index: signed_in(sponsor), lambda index, c: c.post(url, data)
    )

    done = reverse("reviews:review_detail", args=[partnership.reference, review.pk])
    assert sum(r.status_code == 302 and r["Location"] == done for r in responses) == 1
    refused = [r for r in responses if r.status_code != 302]
    assert len(refused) == DOUBLE_CLICKS - 1
    for response in refused:
        # Told the review is already complete (by the service, or before it), not crashed.
        page = response.content.decode()
        assert response.status_code in (200, 403)
        assert "completed and is locked" in page or "is completed and locked" in page
    review.refresh_from_db()
    assert review.status == AnnualReview.Status.COMPLETED
    assert StatusChange.objects.filter(partnership=partnership, to_status="active").count() == 2
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Annual review completed"]


def test_ten_identical_posts_of_the_add_risk_form_add_one_risk():
    sponsor = UserFactory(username="sponsor")
    partnership = active_partnership(sponsoring_officer=sponsor)
    owner = PersonFactory(name="Rita Owens")
    url = reverse("risks:risk_create", args=[partnership.reference])
    page = form_data(signed_in(sponsor).get(url))
    assert page["creation_token"]
    page.update(
        {
            "title": "Key partner withdraws",
            "category": "financial",
            "cause": "Budgets are under pressure.",
            "event": "A partner withdraws its funding.",
            "impact": "The service is cut back.",
            "owner": str(owner.pk),
            "inherent": "4-5",
            "actual": "3-4",
            "residual": "2-3",
            "controls-0-description": "Quarterly budget monitoring",
            "controls-0-owner": str(owner.pk),
            "controls-0-status": "in_progress",
        }
    )

    responses = together(
        DOUBLE_CLICKS, lambda index: signed_in(sponsor), lambda index, c: c.post(url, page)
    )

    risk = Risk.objects.get(partnership=partnership)
    assert [(r.status_code, r["Location"]) for r in responses] == [
        (302, risk.get_absolute_url())
    ] * DOUBLE_CLICKS
    assert str(risk.creation_token) == page["creation_token"]
    assert risk.controls.count() == 1
    assert Events.objects.tracks(risk).filter(pgh_label="insert").count() == 1
