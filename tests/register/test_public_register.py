import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from register.models import Partnership, PartnershipPartner, Person
from tests.factories import (
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
PAGE_URL = reverse("register:public_register")
CSV_URL = reverse("register:public_register_csv")


@pytest.fixture
def register(officer, sponsor):
    """Partnerships in every state, with people named on them, for the public pages to filter."""
    directorate = DirectorateFactory(name="Environment and Neighbourhoods")
    active = PartnershipFactory(
        name="Clean Air Partnership",
        purpose="=Improve air quality",
        status=Status.ACTIVE,
        author=officer,
        sponsoring_officer=sponsor,
        monitoring_officer=UserFactory(first_name="Monica", last_name="Monitor"),
        directorate=directorate,
        council_role=Partnership.CouncilRole.REPRESENTATIVE,
        start_date=date(2026, 4, 1),
        end_date=date(2029, 3, 31),
        completed_by_name="Olivia Okafor",
        completed_by_extension="4412",
        material_service_delivery=True,
    )
    PartnerFactory(
        partnership=active, organisation=OrganisationFactory(name="Air Trust"), is_lead=True
    )
    PartnerFactory(partnership=active, organisation=OrganisationFactory(name="Health Board"))
    FinancialContributionFactory(partnership=active, amount=Decimal("12345.67"))
    RepresentationFactory(
        partnership=active,
        person=PersonFactory(
            name="Cllr Gwen Marsh", kind=Person.Kind.COUNCILLOR, email="gwen.marsh@example.gov.uk"
        ),
    )
    RepresentationFactory(
        partnership=active,
        person=PersonFactory(
            name="Peter Partner", kind=Person.Kind.PARTNER_STAFF, email="peter@airtrust.example"
        ),
    )
    under_review = PartnershipFactory(
        name="Youth Forum", status=Status.UNDER_REVIEW, council_role=Partnership.CouncilRole.LEAD
    )
    closed = PartnershipFactory(
        name="Old Town Centre Board", status=Status.CLOSED, closed_on=date(2026, 3, 31)
    )
    confidential = PartnershipFactory(
        name="Confidential Regeneration Deal", status=Status.ACTIVE, is_confidential=True
    )
    hidden = [
        PartnershipFactory(name=f"Hidden {status.label}", status=status)
        for status in [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.REJECTED]
    ]
    return {
        "active": active,
        "under_review": under_review,
        "closed": closed,
        "confidential": confidential,
        "hidden": hidden,
    }


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def personal_details():
    """Every name and email address of a person or user the database holds."""
    details = set()
    for user in User.objects.all():
        details.update(value for value in [user.get_full_name(), user.email] if value)
    for person in Person.objects.all():
        details.update(value for value in [person.name, person.email] if value)
    details.update(["Olivia Okafor", "4412"])
    return details


def test_the_public_register_needs_no_sign_in_and_lists_current_partnerships(client, register):
    response = client.get(PAGE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Register of partnerships</h1>' in html
    for text in [
        "Clean Air Partnership",
        register["active"].reference,
        "=Improve air quality",
        "Member (representative)",
        "Air Trust",
        "Health Board",
        "Environment and Neighbourhoods",
        "£12,345.67",
        "1 April 2026",
        "31 March 2029",
        "Youth Forum",
        "Exampleshire Borough Council",
    ]:
        assert text in html, text
    current = [p.reference for p in response.context["partnerships"]]
    assert current == [register["active"].reference, register["under_review"].reference]
    assert "2 current partnerships</h2>" in html
    assert "Old Town Centre Board" not in html


def test_closed_partnerships_are_listed_apart_with_their_closing_date(client, register):
    response = client.get(PAGE_URL, {"show": "closed"})
    assert [p.reference for p in response.context["partnerships"]] == [register["closed"].reference]
    html = response.content.decode()
    assert "1 closed partnership</h2>" in html
    assert "Old Town Centre Board" in html
    assert "31 March 2026" in html
    assert "Clean Air Partnership" not in html


def test_the_public_register_is_searched_by_what_it_shows(client, register):
    def found(**query):
        response = client.get(PAGE_URL, query)
        assert response.status_code == 200
        return [p.name for p in response.context["partnerships"]]

    assert found(q="clean air") == ["Clean Air Partnership"]
    assert found(q="AIR QUALITY") == ["Clean Air Partnership"]  # the purpose, in any case
    assert found(q=register["under_review"].reference) == ["Youth Forum"]
    assert found(q="health board") == ["Clean Air Partnership"]  # a partner organisation
    assert found(q="old town", show="closed") == ["Old Town Centre Board"]
    assert found(q="old town") == []
    # Nor confidential partnerships, nor those not in force, are found.
    assert found(q="confidential") == []
    assert found(q="hidden") == []
    html = client.get(PAGE_URL, {"q": "nothing like it"}).content.decode()
    assert "0 current partnerships found</h2>" in html
    assert "No current partnerships match your search" in html


def test_a_search_for_a_person_finds_nothing(client, register):
    """The public register names nobody, so a search must not tell where someone is named."""
    for name in ["Gwen Marsh", "Peter Partner", "Monica Monitor", "Olivia Okafor"]:
        response = client.get(PAGE_URL, {"q": name})
        assert list(response.context["partnerships"]) == [], name


def test_a_bad_search_is_shown_beside_the_box_and_kept(client, register):
    typed = "clean " + "a" * 200
    response = client.get(PAGE_URL, {"q": typed, "show": "everything"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Search for 200 characters or fewer") == 2  # the summary and the field
    assert html.count("Select current or closed partnerships") == 2
    assert f'value="{typed}"' in html
    assert "<title>Error: Register of partnerships" in html
    assert list(response.context["partnerships"]) == []


def test_the_public_register_shows_50_partnerships_a_page_in_order_of_name(client):
    _add_public_partnerships(120, 0)
    first = client.get(PAGE_URL)
    names = [p.name for p in first.context["partnerships"]]
    assert len(names) == 50
    current = list(
        Partnership.objects.public()
        .exclude(status=Status.CLOSED)
        .order_by("name_sort", "pk")
        .values_list("name", flat=True)
    )
    assert names == current[:50]
    html = first.content.decode()
    assert "96 current partnerships</h2>" in html
    assert "Showing 1 to 50 of 96" in html
    assert 'aria-label="Pages of partnerships"' in html
    assert 'href="?page=2"' in html
    last = client.get(PAGE_URL, {"page": "2"})
    assert [p.name for p in last.context["partnerships"]] == current[50:]
    # A page past the end shows the last, and one that is not a number the first.
    assert client.get(PAGE_URL, {"page": "99"}).context["page_obj"].number == 2
    assert client.get(PAGE_URL, {"page": "two"}).context["page_obj"].number == 1


def test_the_public_register_leaves_out_confidential_and_partnerships_not_in_force(
    client, register
):
    html = (
        client.get(PAGE_URL).content.decode()
        + client.get(PAGE_URL, {"show": "closed"}).content.decode()
    )
    rows = read_csv(client.get(CSV_URL))
    names = [row[1] for row in rows[1:]]
    for partnership in [register["confidential"], *register["hidden"]]:
        assert partnership.name not in html
        assert partnership.reference not in html
        assert partnership.name not in names


def test_the_public_register_names_no_person(client, register):
    html = (
        client.get(PAGE_URL).content.decode()
        + client.get(PAGE_URL, {"show": "closed"}).content.decode()
    )
    body = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8")
    details = personal_details()
    assert "Cllr Gwen Marsh" in details and "gwen.marsh@example.gov.uk" in details
    for detail in details:
        assert detail not in html, detail
        assert detail not in body, detail


def test_the_open_data_csv_has_the_columns_and_escapes_formulas(client, register):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="partnership-register-open-data-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "Reference",
        "Name",
        "Purpose",
        "Role of the Council",
        "Lead organisation",
        "Partners",
        "Directorate",
        "Significant",
        "Annual financial commitment (£)",
        "Start date",
        "End date",
        "Status",
        "Closed on",
    ]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Clean Air Partnership"] == [
        register["active"].reference,
        "Clean Air Partnership",
        "'=Improve air quality",
        "Member (representative)",
        "Air Trust",
        "Air Trust; Health Board",
        "Environment and Neighbourhoods",
        "Yes",
        "12345.67",
        "01/04/2026",
        "31/03/2029",
        "Active",
        "",
    ]
    assert by_name["Old Town Centre Board"][-2:] == ["Closed", "31/03/2026"]
    assert by_name["Youth Forum"][4] == "Exampleshire Borough Council"


def test_the_footer_links_to_the_public_register(client):
    html = client.get(reverse("accessibility")).content.decode()
    assert f'href="{PAGE_URL}"' in html


def _add_public_partnerships(count, start):
    author = UserFactory()
    organisation = OrganisationFactory()
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            reference=f"P-2097-{start + n:04d}",
            name=f"Public {start + n}",
            status=Status.CLOSED if n % 5 == 0 else Status.ACTIVE,
            author=author,
        )
        for n in range(count)
    )
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=p, organisation=organisation, is_lead=True)
        for p in partnerships
    )


def test_the_public_register_runs_a_fixed_number_of_queries(client):
    _add_public_partnerships(10, 0)
    assert_queries_fixed(client, PAGE_URL, lambda: _add_public_partnerships(300, 10), most=6)
    for start, query in [(1000, "?show=closed&page=3"), (2000, "?q=public&page=2")]:
        assert_queries_fixed(
            client,
            PAGE_URL + query,
            lambda start=start: _add_public_partnerships(100, start),
            most=6,
        )


def test_the_open_data_csv_runs_a_fixed_number_of_queries(client):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            read_csv(client.get(CSV_URL))
        return len(captured.captured_queries)

    _add_public_partnerships(10, 0)
    small = measure()
    _add_public_partnerships(300, 10)
    assert measure() == small <= 4
