"""A partnership's page is kept once drawn, and drawn again whenever what it shows changes.

The change log (register.models.PageChange) is written by database triggers, so these tests make
their changes the ways that bypass Django's signals too (queryset.update(), raw SQL), and check
what a person sees on the page afterwards.
"""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from html import unescape

import psycopg
import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Event

from register.models import (
    CorporatePriority,
    Directorate,
    Organisation,
    PageChange,
    Partnership,
    PartnershipPartner,
    SignificanceThreshold,
)
from reviews.models import ExitStrategy
from tests.factories import (
    ActionFactory,
    ControlFactory,
    CorporatePriorityFactory,
    EscalationFactory,
    ExitActionFactory,
    FinancialContributionFactory,
    PartnerFactory,
    RiskFactory,
    UserFactory,
    active_partnership,
)
from tests.helpers import count_queries, today

# Every audit event table but this one changes what some partnership's page shows.
NOT_SHOWN = {"register_sentreminderevent"}  # who was sent which reminder
# The inline script's nonce and the sign-out form's CSRF token.
PER_REQUEST = re.compile(r' nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def partnership(directorate, sponsor):
    return active_partnership(
        name="Safer Streets Partnership", directorate=directorate, sponsoring_officer=sponsor
    )


def page(client, partnership):
    """The partnership's page as its reader sees it: its main content, where the kept part is
    (the page's title is read afresh every time)."""
    response = client.get(reverse("register:partnership_detail", args=[partnership.reference]))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    return html[html.index("<main") : html.index("</main>")]


def queries_to_show(client, partnership):
    return count_queries(
        client, reverse("register:partnership_detail", args=[partnership.reference])
    )


def changes(partnership):
    return (
        PageChange.objects.filter(partnership_id=partnership.pk).count(),
        PageChange.objects.filter(partnership_id=None).count(),
    )


def test_every_audit_event_table_writes_the_change_log(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'register_page_change'"
        )
        with_trigger = {row[0] for row in cursor.fetchall()}
    event_tables = {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy
    }
    missing = event_tables - NOT_SHOWN - with_trigger
    assert not missing, f"add these to a migration like register/0008_page_change: {missing}"
    assert with_trigger == (event_tables - NOT_SHOWN) | {"auth_user"}


def test_a_page_shown_again_unchanged_is_not_drawn_again(client, partnership, democratic_services):
    client.force_login(democratic_services)
    drawn = queries_to_show(client, partnership)
    kept = queries_to_show(client, partnership)
    # The session, the person, and the partnership with what decides who may see it.
    assert kept == 3 < drawn
    # The same page, but for the two values drawn afresh for every request.
    url = reverse("register:partnership_detail", args=[partnership.reference])
    first, second = (client.get(url).content.decode() for _ in range(2))
    assert PER_REQUEST.sub("", first) == PER_REQUEST.sub("", second)
    assert len(PER_REQUEST.findall(first)) == 2


def test_a_kept_page_runs_the_same_queries_however_much_it_shows(
    client, partnership, democratic_services
):
    client.force_login(democratic_services)
    queries_to_show(client, partnership)
    small = queries_to_show(client, partnership)
    for _ in range(30):
        RiskFactory(partnership=partnership)
        PartnerFactory(partnership=partnership)
    queries_to_show(client, partnership)
    assert queries_to_show(client, partnership) == small == 3


def rename_partnership(partnership):
    Partnership.objects.filter(pk=partnership.pk).update(name="Streets for Everyone")
    return "Streets for Everyone"


def add_partner(partnership):
    partner = PartnerFactory(partnership=partnership, organisation__name="Tenants' Forum")
    return partner.organisation.name


def rename_directorate(partnership):
    Directorate.objects.filter(pk=partnership.directorate_id).update(name="Homes and Health")
    return "Homes and Health"


def rename_organisation(partnership):
    partner = PartnerFactory(partnership=partnership, organisation__name="Old Name Trust")
    Organisation.objects.filter(pk=partner.organisation_id).update(name="New Name Trust")
    return "New Name Trust"


def rename_sponsor(partnership):
    User.objects.filter(pk=partnership.sponsoring_officer_id).update(first_name="Philippa")
    return "Philippa"


def choose_priority(partnership):
    partnership.corporate_priorities.add(CorporatePriorityFactory(name="Thriving town centres"))
    return "Thriving town centres"


def rename_priority(partnership):
    priority = CorporatePriorityFactory(name="Old priority")
    partnership.corporate_priorities.add(priority)
    CorporatePriority.objects.filter(pk=priority.pk).update(name="Renamed priority")
    return "Renamed priority"


def raise_threshold(partnership):
    SignificanceThreshold.objects.update_or_create(
        pk=1, defaults={"annual_financial_commitment": Decimal("250000")}
    )
    return "£250,000.00 threshold"


def add_contribution(partnership):
    FinancialContributionFactory(partnership=partnership, amount=Decimal("7777.77"))
    return "£7,777.77"


def add_exit_action(partnership):
    strategy = ExitStrategy.objects.create(partnership=partnership)
    ExitActionFactory(strategy=strategy, description="Return the shared equipment")
    return "Return the shared equipment"


def raw_sql_rename(partnership):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE register_partnership SET name = %s WHERE id = %s",
            ["Renamed in SQL", partnership.pk],
        )
    return "Renamed in SQL"


@pytest.mark.parametrize(
    "change",
    [
        rename_partnership,
        raw_sql_rename,
        add_partner,
        rename_directorate,
        rename_organisation,
        rename_sponsor,
        choose_priority,
        rename_priority,
        raise_threshold,
        add_contribution,
        add_exit_action,
    ],
)
def test_the_page_shows_a_change_the_next_time_it_is_asked_for(
    client, partnership, democratic_services, change
):
    client.force_login(democratic_services)
    before = page(client, partnership)
    shown = change(partnership)
    assert shown not in before
    assert shown in page(client, partnership)


def test_a_removed_partner_leaves_the_page(client, partnership, democratic_services):
    partner = PartnerFactory(partnership=partnership, organisation__name="Leaving Trust")
    client.force_login(democratic_services)
    assert "Leaving Trust" in page(client, partnership)
    PartnershipPartner.objects.filter(pk=partner.pk).delete()
    assert "Leaving Trust" not in page(client, partnership)


@pytest.mark.parametrize(
    "make",
    [
        lambda risk: RiskFactory(partnership=risk.partnership, owner=risk.owner),
        lambda risk: ControlFactory(risk=risk, owner=risk.owner),
        lambda risk: ActionFactory(risk=risk, owner=risk.owner),
        lambda risk: EscalationFactory(risk=risk, recorded_by=risk.partnership.sponsoring_officer),
    ],
    ids=["risk", "control", "action", "escalation"],
)
def test_a_partnerships_risks_are_part_of_it(partnership, make):
    """Its risks are in the page's latest changes; their rows may be one day."""
    risk = RiskFactory(partnership=partnership)
    other = RiskFactory()
    before, other_before = changes(partnership), changes(other.partnership)
    make(risk)
    assert changes(partnership) == (before[0] + 1, before[1])
    assert changes(other.partnership) == other_before
    latest = PageChange.objects.latest("pk")
    assert str(latest) == f"Change {latest.pk} to the page of partnership {partnership.pk}"


def test_removing_a_user_changes_every_page(partnership):
    user = UserFactory()
    before = changes(partnership)
    user.delete()
    assert changes(partnership) == (before[0], before[1] + 1)
    latest = PageChange.objects.latest("pk")
    assert str(latest) == f"Change {latest.pk} to every partnership's page"


def test_a_sign_in_changes_no_page(client, partnership, democratic_services):
    client.force_login(democratic_services)
    page(client, partnership)
    before = changes(partnership)
    User.objects.filter(pk=democratic_services.pk).update(last_login=timezone.now())
    client.force_login(democratic_services)
    assert changes(partnership) == before
    assert queries_to_show(client, partnership) == 3


def test_each_reader_sees_the_buttons_they_may_use(
    client, partnership, democratic_services, read_only, sponsor
):
    edit_url = reverse("register:partnership_edit", args=[partnership.reference])
    client.force_login(democratic_services)
    assert edit_url in page(client, partnership)
    client.force_login(read_only)
    html = page(client, partnership)
    assert "Safer Streets Partnership" in html
    assert edit_url not in html
    client.force_login(sponsor)
    assert edit_url in page(client, partnership)


def test_a_draft_kept_for_one_reader_is_still_refused_to_another(
    client, directorate, officer, other_officer, democratic_services
):
    draft = active_partnership(directorate=directorate, author=officer)
    Partnership.objects.filter(pk=draft.pk).update(status=Partnership.Status.DRAFT)
    url = reverse("register:partnership_detail", args=[draft.reference])
    client.force_login(democratic_services)
    assert client.get(url).status_code == 200
    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.force_login(other_officer)
    assert client.get(url).status_code == 404


def test_a_review_becomes_overdue_at_midnight_without_any_change(
    client, directorate, sponsor, democratic_services
):
    due = today() + timedelta(days=3)
    partnership = active_partnership(
        directorate=directorate, sponsoring_officer=sponsor, next_review_due=due
    )
    london = timezone.get_current_timezone()
    before_midnight = datetime.combine(due, time(23, 58), tzinfo=london)
    with time_machine.travel(before_midnight, tick=False) as traveller:
        client.force_login(democratic_services)
        assert "Overdue" not in page(client, partnership)
        traveller.shift(timedelta(minutes=4))  # kept pages last a day: this is about the date
        assert "Overdue" in page(client, partnership)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_after_the_page_was_drawn_is_shown(client, partnership, sponsor):
    """A page drawn while a change was being made, but before it was committed, is not kept for
    after the commit: the change log's rows are committed with the change."""
    client.force_login(sponsor)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        other.execute(
            "UPDATE register_partnership SET name = 'Committed Later' WHERE id = %s",
            [partnership.pk],
        )
        html = page(client, partnership)  # drawn and kept while the change is not committed
        assert "Committed Later" not in html
        other.commit()
    assert "Committed Later" in page(client, partnership)
