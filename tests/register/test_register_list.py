import re
from datetime import date, timedelta
from decimal import Decimal

import pghistory
import pytest
from django.apps import apps
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from partnerships_site.history import history_for
from register import rules as register_rules
from register.filters import PartnershipFilter
from register.models import Partnership, PartnershipPartner
from register.views import register_page_rows
from tests.factories import (
    CorporatePriorityFactory,
    DirectorateFactory,
    FinancialContributionFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    UserFactory,
)
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db

Status = Partnership.Status
LIST_URL = reverse("register:partnership_list")


def live(**kwargs):
    kwargs.setdefault("status", Status.ACTIVE)
    return PartnershipFactory(**kwargs)


def listed(response):
    """The references of the partnerships on the page, in the order shown."""
    return [p.reference for p in response.context["partnerships"]]


def test_officer_sees_live_partnerships_and_their_own_draft_but_not_others_drafts(
    officer_client, officer, other_officer
):
    active = live(name="Community Safety Partnership")
    mine = PartnershipFactory(author=officer, name="My draft partnership")
    theirs = PartnershipFactory(author=other_officer, name="Their draft partnership")
    submitted = PartnershipFactory(author=other_officer, status=Status.SUBMITTED)

    response = officer_client.get(LIST_URL)

    assert response.status_code == 200
    assert set(listed(response)) == {active.reference, mine.reference}
    assert theirs.name not in response.content.decode()
    assert submitted.reference not in response.content.decode()


def test_each_row_names_its_directorate_or_says_not_given(officer_client):
    live(name="Alpha", directorate=DirectorateFactory(name="Adults & Health"))
    live(name="Beta", directorate=None)
    html = officer_client.get(LIST_URL).content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    cells = {
        re.search(r">(\w+)</a></th>", row).group(1): re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in rows[1:]
    }
    assert cells["Alpha"][2] == "Adults &amp; Health"  # after the reference and status
    assert cells["Beta"][2] == "Not given"


def test_democratic_services_see_every_partnership(democratic_client, other_officer):
    draft = PartnershipFactory(author=other_officer)
    active = live()
    response = democratic_client.get(LIST_URL)
    assert set(listed(response)) == {draft.reference, active.reference}


def test_the_page_shows_status_as_a_tag_and_significance_in_words(officer_client):
    significant = live(name="Big money", material_service_delivery=True)
    live(name="Small money")
    html = officer_client.get(LIST_URL).content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Active</strong>' in html
    assert "Not significant" in html
    assert significant.is_confidential is False
    assert ">Significant<" in html
    assert "2 partnerships" in html


@pytest.mark.parametrize(
    ("param", "value_of", "expected"),
    [
        ("status", lambda p: Status.UNDER_REVIEW, "under_review"),
        ("council_role", lambda p: Partnership.CouncilRole.LEAD, "lead"),
    ],
)
def test_choice_filters_narrow_the_list(officer_client, param, value_of, expected):
    wanted = live(status=Status.UNDER_REVIEW, council_role=Partnership.CouncilRole.LEAD)
    live(status=Status.ACTIVE, council_role=Partnership.CouncilRole.REPRESENTATIVE)
    response = officer_client.get(LIST_URL, {param: value_of(wanted)})
    assert listed(response) == [wanted.reference]


def test_directorate_filter(officer_client):
    housing = DirectorateFactory(name="Housing")
    wanted = live(directorate=housing)
    live(directorate=DirectorateFactory(name="Planning"))
    response = officer_client.get(LIST_URL, {"directorate": housing.pk})
    assert listed(response) == [wanted.reference]


def test_significant_filter_both_ways(officer_client):
    significant = live(material_service_delivery=True)
    money = live()
    FinancialContributionFactory(partnership=money, amount=Decimal("150000"), financial_year=2026)
    plain = live()
    yes = officer_client.get(LIST_URL, {"significant": "yes"})
    no = officer_client.get(LIST_URL, {"significant": "no"})
    assert set(listed(yes)) == {significant.reference, money.reference}
    assert listed(no) == [plain.reference]


def test_lead_organisation_filter_finds_leads_by_words_from_their_names(officer_client):
    police = OrganisationFactory(name="Exampleshire Police")
    led_by_police = live(council_role=Partnership.CouncilRole.REPRESENTATIVE)
    PartnerFactory(partnership=led_by_police, organisation=police, is_lead=True)
    member = live(council_role=Partnership.CouncilRole.REPRESENTATIVE)
    PartnerFactory(partnership=member, organisation=police, is_lead=False)
    nhs = live(council_role=Partnership.CouncilRole.REPRESENTATIVE)
    PartnerFactory(partnership=nhs, organisation=OrganisationFactory(name="NHS Exampleshire ICB"))
    nhs.partners.update(is_lead=True)
    council_led = live(council_role=Partnership.CouncilRole.LEAD)

    def found(typed):
        return sorted(listed(officer_client.get(LIST_URL, {"lead": typed})))

    # Any part of a word, in any case; every word must be in the one lead organisation's name.
    assert found("police") == [led_by_police.reference]
    assert found("  POL  ") == [led_by_police.reference]
    assert found("nhs icb") == [nhs.reference]
    assert found("police icb") == []
    everyone_named = [led_by_police.reference, nhs.reference, council_led.reference]
    assert found("exampleshire") == sorted(everyone_named)
    # The Council's own name (Exampleshire Borough Council) finds what it leads itself.
    assert found("borough council") == [council_led.reference]
    assert found("Exampleshire Borough") == [council_led.reference]
    assert found("council") == [council_led.reference]
    assert found("") == sorted(p.reference for p in (led_by_police, member, nhs, council_led))

    response = officer_client.get(LIST_URL, {"lead": "nhs icb"})
    html = response.content.decode()
    assert 'name="lead" value="nhs icb"' in html  # what was typed stays in the box
    assert "1 partnership match your filters" in html


def test_the_lead_organisation_filter_finds_nothing_a_person_may_not_read(
    officer_client, other_officer
):
    secret_draft = PartnershipFactory(author=other_officer)
    PartnerFactory(
        partnership=secret_draft, organisation=OrganisationFactory(name="Hidden Lead Ltd")
    )
    PartnershipPartner.objects.filter(partnership=secret_draft).update(is_lead=True)
    author_client = Client()
    author_client.force_login(other_officer)
    for _ in range(2):  # in turns: the page's queries are compiled once, run for each person
        assert listed(officer_client.get(LIST_URL, {"lead": "hidden lead"})) == []
        assert listed(author_client.get(LIST_URL, {"lead": "hidden lead"})) == [
            secret_draft.reference
        ]
    # Organisations are no longer listed on the page, so none can be seen there either.
    assert "Hidden Lead Ltd" not in officer_client.get(LIST_URL).content.decode()


def test_corporate_priority_filter(officer_client):
    priority = CorporatePriorityFactory(name="Safer communities")
    wanted = live()
    wanted.corporate_priorities.add(priority, CorporatePriorityFactory(name="Housing"))
    live().corporate_priorities.add(CorporatePriorityFactory(name="Economy"))
    response = officer_client.get(LIST_URL, {"priority": priority.pk})
    assert listed(response) == [wanted.reference]


def test_review_due_filters_overdue_and_due_in_the_next_60_days(officer_client):
    today = timezone.localdate()
    overdue = live(next_review_due=today - timedelta(days=1))
    soon = live(next_review_due=today + timedelta(days=60))
    live(next_review_due=today + timedelta(days=61))
    live(status=Status.CLOSED, next_review_due=today - timedelta(days=30))

    assert listed(officer_client.get(LIST_URL, {"review_due": "overdue"})) == [overdue.reference]
    assert listed(officer_client.get(LIST_URL, {"review_due": "soon"})) == [soon.reference]


def test_search_finds_by_partner_organisation_without_repeating_rows(officer_client):
    wanted = live(name="Alpha")
    PartnerFactory(partnership=wanted, organisation=OrganisationFactory(name="Youth Trust North"))
    PartnerFactory(partnership=wanted, organisation=OrganisationFactory(name="Youth Trust South"))
    live(name="Beta")
    response = officer_client.get(LIST_URL, {"q": "youth trust"})
    assert listed(response) == [wanted.reference]


def test_search_finds_by_representative_and_by_sponsoring_officer_name(officer_client):
    by_rep = live()
    RepresentationFactory(partnership=by_rep, person=PersonFactory(name="Cllr Gwendolyn Marsh"))
    RepresentationFactory(partnership=by_rep, person=PersonFactory(name="Gwendolyn Marsh-Hale"))
    sponsor = UserFactory(first_name="Tobias", last_name="Fairweather")
    by_sponsor = live(sponsoring_officer=sponsor)
    live()

    assert listed(officer_client.get(LIST_URL, {"q": "gwendolyn"})) == [by_rep.reference]
    assert listed(officer_client.get(LIST_URL, {"q": "Tobias Fairweather"})) == [
        by_sponsor.reference
    ]


def test_search_finds_by_name_purpose_and_reference(officer_client):
    named = live(name="Domestic Abuse Forum")
    purposed = live(purpose="Improve air quality in the town centre")
    other = live()
    assert listed(officer_client.get(LIST_URL, {"q": "abuse"})) == [named.reference]
    assert listed(officer_client.get(LIST_URL, {"q": "AIR QUALITY"})) == [purposed.reference]
    assert listed(officer_client.get(LIST_URL, {"q": other.reference})) == [other.reference]


def test_search_follows_a_change_of_name_or_purpose_and_takes_like_characters_literally(
    officer_client,
):
    """The searched text is a column PostgreSQL keeps (Partnership.search_text)."""
    partnership = live(name="Skills Board", purpose="Adult learning")
    Partnership.objects.filter(pk=partnership.pk).update(
        name="Employment Board", purpose="Jobs for 100% of school leavers"
    )
    assert listed(officer_client.get(LIST_URL, {"q": "skills"})) == []
    assert listed(officer_client.get(LIST_URL, {"q": "EMPLOYMENT"})) == [partnership.reference]
    assert listed(officer_client.get(LIST_URL, {"q": "100%"})) == [partnership.reference]
    assert listed(officer_client.get(LIST_URL, {"q": "_"})) == []
    partnership.refresh_from_db()
    assert partnership.search_text == (
        f"{partnership.reference.lower()} employment board jobs for 100% of school leavers"
    )
    # The history tells of the name and purpose, not of the column made from them.
    event_fields = {f.name for f in apps.get_model("register", "PartnershipEvent")._meta.fields}
    assert {"name", "purpose"} <= event_fields and "search_text" not in event_fields


def test_search_does_not_reveal_others_drafts(officer_client, other_officer):
    PartnershipFactory(author=other_officer, name="Secret regeneration scheme")
    response = officer_client.get(LIST_URL, {"q": "secret"})
    assert listed(response) == []
    assert "No partnerships match your filters" in response.content.decode()


def test_sorting_by_name_both_ways_and_by_annual_commitment(officer_client):
    b = live(name="Bravo")
    a = live(name="alpha")
    c = live(name="Charlie")
    FinancialContributionFactory(partnership=b, amount=Decimal("500"))
    FinancialContributionFactory(partnership=c, amount=Decimal("90000"))

    assert listed(officer_client.get(LIST_URL)) == [a.reference, b.reference, c.reference]
    assert listed(officer_client.get(LIST_URL, {"sort": "-name"})) == [
        c.reference,
        b.reference,
        a.reference,
    ]
    assert listed(officer_client.get(LIST_URL, {"sort": "-annual_commitment"})) == [
        c.reference,
        b.reference,
        a.reference,
    ]


def test_a_renamed_partnership_moves_to_its_place_and_its_history_has_no_sorting_copy(
    officer_client, democratic_services
):
    first, second = live(name="Alpha"), live(name="bravo")
    with pghistory.context(user=democratic_services.pk):
        first.name = "Zulu Board"  # PostgreSQL keeps a lower-case copy for sorting
        first.save()
    assert listed(officer_client.get(LIST_URL)) == [second.reference, first.reference]
    assert Partnership.objects.get(pk=first.pk).name_sort == "zulu board"
    (rename,) = [entry for entry in history_for(first) if entry.what == "Changed"]
    fields = [change.field for change in rename.changes]
    assert "Name of partnership" in fields
    assert not [field for field in fields if "sort" in field.lower()]  # the copy is not history


def test_sorting_by_status_follows_the_lifecycle_and_by_reference_and_directorate(
    officer_client, officer
):
    closed = live(status=Status.CLOSED, directorate=DirectorateFactory(name="Adult Care"))
    draft = PartnershipFactory(author=officer, directorate=DirectorateFactory(name="Zoo Services"))
    active = live(directorate=DirectorateFactory(name="Museums"))
    assert listed(officer_client.get(LIST_URL, {"sort": "status"})) == [
        draft.reference,
        active.reference,
        closed.reference,
    ]
    assert listed(officer_client.get(LIST_URL, {"sort": "-reference"})) == [
        active.reference,
        draft.reference,
        closed.reference,
    ]
    assert listed(officer_client.get(LIST_URL, {"sort": "directorate"})) == [
        closed.reference,
        active.reference,
        draft.reference,
    ]


def test_sorting_by_start_date_puts_missing_dates_last(officer_client):
    late = live(start_date=date(2026, 9, 1))
    early = live(start_date=date(2025, 1, 1))
    undated = live(start_date=None)
    assert listed(officer_client.get(LIST_URL, {"sort": "start_date"})) == [
        early.reference,
        late.reference,
        undated.reference,
    ]
    assert listed(officer_client.get(LIST_URL, {"sort": "-start_date"})) == [
        late.reference,
        early.reference,
        undated.reference,
    ]


def test_sort_headers_say_how_the_list_is_sorted_and_keep_the_filters(officer_client):
    live(council_role=Partnership.CouncilRole.LEAD)
    html = officer_client.get(
        LIST_URL, {"council_role": "lead", "sort": "-start_date", "page": "1"}
    ).content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count('aria-sort="none"') == 5
    # The name header sorts by name, keeps the filter and goes back to the first page.
    assert 'href="?council_role=lead&amp;sort=name"' in html
    assert 'href="?council_role=lead&amp;sort=start_date"' in html


@pytest.mark.parametrize("sort", ["password", "--name", "-", "name; DROP TABLE"])
def test_an_unknown_sort_falls_back_to_name(officer_client, sort):
    b = live(name="Bravo")
    a = live(name="Alpha")
    response = officer_client.get(LIST_URL, {"sort": sort})
    assert response.status_code == 200
    assert listed(response) == [a.reference, b.reference]
    assert response.context["sort"] == "name"


def test_fifty_a_page_with_pagination_links_that_keep_the_filters(officer_client, officer):
    for number in range(55):
        live(
            name=f"Partnership {number:02d}",
            council_role=Partnership.CouncilRole.LEAD,
            author=officer,
        )
    live(council_role=Partnership.CouncilRole.OTHER)

    first = officer_client.get(LIST_URL, {"council_role": "lead", "sort": "-name"})
    second = officer_client.get(LIST_URL, {"council_role": "lead", "sort": "-name", "page": 2})

    assert len(first.context["partnerships"]) == 50
    assert len(second.context["partnerships"]) == 5
    html = first.content.decode()
    assert "55 partnerships match your filters" in html
    assert "Showing 1 to 50 of 55" in html
    assert 'class="govuk-pagination' in html
    assert 'href="?council_role=lead&amp;sort=-name&amp;page=2"' in html
    # Each page is its own window of the sorted register, read with what the page shows.
    assert [p.name for p in second.context["partnerships"]] == [
        f"Partnership {number:02d}" for number in range(4, -1, -1)
    ]
    assert [p.name for p in first.context["partnerships"]] == [
        f"Partnership {number:02d}" for number in range(54, 4, -1)
    ]
    assert all(hasattr(p, "is_significant") for p in second.context["partnerships"])


@pytest.mark.parametrize("page", ["99", "-1", "999999999999999999999999"])
def test_a_page_past_the_end_shows_the_last_page(officer_client, officer, page):
    for _ in range(51):
        live(author=officer)
    response = officer_client.get(LIST_URL, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 2


def test_a_page_that_is_not_a_number_shows_the_first_page(officer_client):
    live()
    response = officer_client.get(LIST_URL, {"page": "<script>"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("status", "deleted", "Select a status from the list"),
        ("directorate", "not-a-number", "Select a directorate from the list"),
        ("directorate", "99999999999999999999", "Select a directorate from the list"),
        ("council_role", "'; DROP TABLE", "Select a role of the Council from the list"),
        ("significant", "maybe", "Select significant or not significant"),
        ("lead", "x" * 201, "Lead organisation must be 200 characters or fewer"),
        ("priority", "=1+1", "Select a Corporate Plan priority from the list"),
        ("review_due", "yesterday", "Select overdue or due soon"),
        ("q", "x" * 201, "Search for 200 characters or fewer"),
    ],
)
def test_a_bad_filter_value_is_an_error_on_the_form_not_a_crash(
    officer_client, param, value, message
):
    kept = live()
    response = officer_client.get(LIST_URL, {param: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: Partnership register" in html
    # In the summary, linked to the field, and beside the field, tied to it for screen readers.
    assert f'href="#id_{param}"' in html
    assert re.search(
        rf'<p id="id_{param}_error" class="govuk-error-message">'
        rf'<span class="govuk-visually-hidden">Error:</span> {re.escape(message)}</p>'
        rf'<(input|select)[^>]* aria-describedby="[^"]*id_{param}_error" aria-invalid="true"',
        html,
    )
    if param in ("q", "lead"):
        assert f'value="{value}"' in html  # what the person typed is kept
    # The filters that are valid still apply; the bad one is ignored.
    assert listed(response) == [kept.reference]


def test_the_register_is_in_the_navigation_and_marked_current(officer_client):
    html = officer_client.get(LIST_URL).content.decode()
    assert f'href="{LIST_URL}" aria-current="page"' in html


def test_the_register_page_runs_the_same_queries_for_10_and_500_partnerships(
    officer_client, officer
):
    author = UserFactory()
    directorate = DirectorateFactory(name="Shared directorate")
    organisations = [OrganisationFactory() for _ in range(3)]

    def add(count, start):
        partnerships = Partnership.objects.bulk_create(
            Partnership(
                reference=f"P-2099-{start + n:04d}",
                name=f"Bulk partnership {start + n}",
                status=Status.ACTIVE,
                author=author,
                directorate=directorate,
                sponsoring_officer=officer,
                council_role=Partnership.CouncilRole.REPRESENTATIVE,
            )
            for n in range(count)
        )
        PartnershipPartner.objects.bulk_create(
            PartnershipPartner(partnership=p, organisation=o, is_lead=(i == 0))
            for p in partnerships
            for i, o in enumerate(organisations)
        )

    add(10, 0)
    assert_queries_fixed(officer_client, LIST_URL, lambda: add(490, 10), most=6)
    filtered = f"{LIST_URL}?q=bulk&sort=-annual_commitment&significant=no&page=3"
    assert_queries_fixed(officer_client, filtered, lambda: add(100, 500), most=6)


def uncompiled_page(user, query, number=1):
    """The count and references of one page of the register, from the filterset itself."""
    rows = register_page_rows(
        user.pk,
        everything=register_rules.sees_everything(user),
        approver=register_rules.is_approver(user),
    )
    request = RequestFactory().get(LIST_URL, query)
    request.user = user
    filtered = PartnershipFilter(request.GET, queryset=rows, request=request).qs
    start = (number - 1) * 50
    return filtered.count(), [p.reference for p in filtered[start : start + 50]]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "-annual_commitment", "page": "2"},
        {"q": "trust", "sort": "status"},
        {"status": "draft"},
        {"status": "submitted", "sort": "-directorate"},
        {"significant": "yes", "sort": "-start_date"},
        {"review_due": "overdue"},
        {"lead": "council", "page": "2"},
        {"lead": "trust ltd", "sort": "-reference"},
        {"status": "nonsense", "page": "abc"},
    ],
)
def test_the_compiled_register_queries_give_what_the_filterset_gives_for_every_reader(
    query, officer, other_officer, approver, democratic_services, directorate
):
    """Two officers asking for the same page share its compiled SQL, each with their own id."""
    for n in range(60):
        live(
            name=f"Partnership {n} trust" if n % 3 else f"Partnership {n}",
            directorate=directorate if n % 2 else None,
            start_date=date(2026, 1, 1) + timedelta(days=n) if n % 4 else None,
            next_review_due=timezone.localdate() - timedelta(days=n - 30),
            council_role=Partnership.CouncilRole.LEAD if n % 5 == 0 else "",
        )
        FinancialContributionFactory(
            partnership=Partnership.objects.latest("pk"), amount=Decimal(n * 3000)
        )
        if n % 4 == 1:
            PartnerFactory(
                partnership=Partnership.objects.latest("pk"),
                organisation=OrganisationFactory(name=f"Example Trust {n} Ltd"),
                is_lead=True,
            )
    for author in (officer, other_officer):
        for n in range(3):
            PartnershipFactory(author=author, name=f"Draft {n} of {author.username} trust")
            PartnershipFactory(author=author, status=Status.SUBMITTED)
    asked = int(query.get("page", "1")) if query.get("page", "").isdigit() else 1
    for user in (officer, other_officer, approver, democratic_services):
        client = Client()
        client.force_login(user)
        response = client.get(LIST_URL, query)
        assert response.status_code == 200
        number = response.context["page_obj"].number
        assert number == min(asked, response.context["paginator"].num_pages)
        count, references = uncompiled_page(user, query, number)
        assert response.context["paginator"].count == count, user.username
        assert listed(response) == references, user.username
    assert count > 0 or query.get("status") == "nonsense"
