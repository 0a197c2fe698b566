import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape

import pghistory
import pytest
from django.urls import reverse
from django.utils import timezone

from register import services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    Document,
    FinancialContribution,
    InKindContribution,
    OfficerTime,
    Partnership,
    PartnershipPartner,
    Person,
    Representation,
)
from register.views import (
    PAGE_LISTS,
    READ_PAGE_QUERYSET,
    PartnershipDetailView,
    resource_totals,
)
from tests.factories import (
    CorporatePriorityFactory,
    FinancialContributionFactory,
    InKindContributionFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    complete_partnership,
)
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db

Status = Partnership.Status


def detail_url(partnership):
    return reverse("register:partnership_detail", args=[partnership.reference])


def print_url(partnership):
    return reverse("register:partnership_print", args=[partnership.reference])


@pytest.fixture
def full(officer, sponsor):
    """An active partnership with something in every section of the form."""
    # Appendix 1 is seeded by a migration, which a transactional test elsewhere may have flushed.
    for position, question in enumerate(
        [
            "Does the Council have the legal power to enter into the partnership arrangement?",
            "Is there any law or other provision that prevents the Council from entering into "
            "the partnership arrangement?",
        ],
        start=1,
    ):
        ChecklistConsideration.objects.get_or_create(
            question=question,
            defaults={"section": ChecklistConsideration.Section.GENERAL, "position": position},
        )
    partnership = complete_partnership(
        author=officer,
        sponsoring_officer=sponsor,
        name="Safer Streets Partnership",
        purpose="Reduce anti-social behaviour in the town centre.",
        completed_by_name="Olivia Okafor",
        completed_by_title="Community Development Officer",
        completed_by_directorate="Housing and Wellbeing",
        completed_by_extension="4412",
        completed_by_role="Representative",
        council_role=Partnership.CouncilRole.LEAD,
        corporate_plan_contribution="Safer, cleaner neighbourhoods.",
        no_risk_register_reason="The board is drawing one up.",
        evaluation_legal="No legal issues found.",
        benefits_notes="Lower costs of repairs.",
    )
    partnership.has_risk_register = False
    partnership.save()
    partnership.corporate_priorities.add(CorporatePriorityFactory(name="Safer communities"))
    RepresentationFactory(
        partnership=partnership,
        person=PersonFactory(name="Gwen Marsh", kind=Person.Kind.COUNCILLOR),
        role=Representation.Role.CHAIR,
        appointed_from=date(2026, 5, 1),
    )
    PartnerFactory(partnership=partnership, organisation=OrganisationFactory(name="NHS Trust"))
    FinancialContributionFactory(partnership=partnership, amount=Decimal("1000"))
    FinancialContributionFactory(
        partnership=partnership, amount=Decimal("5000.50"), financial_year=2027
    )
    InKindContributionFactory(
        partnership=partnership,
        estimated_value=Decimal("3000"),
        financial_year=2026,
        description="Meeting room",
    )
    OfficerTime.objects.create(
        partnership=partnership,
        person=PersonFactory(name="Owen Officer"),
        hours_per_month=Decimal("12.5"),
        financial_year=2026,
    )
    answers = list(partnership.checklist_answers.all())
    answers[0].answer = ""
    answers[0].save()
    answers[1].answer = ChecklistAnswer.Answer.NO
    answers[1].notes = "Legal advice awaited."
    answers[1].save()
    Document.objects.create(
        partnership=partnership,
        document_type=Document.Type.GOVERNING_DOCUMENT,
        title="Memorandum of understanding",
        document_date=date(2026, 3, 1),
        file="partnerships/test/mou.pdf",
        uploaded_by=officer,
    )
    Document.objects.create(
        partnership=partnership,
        document_type=Document.Type.OTHER,
        title="Old terms of reference",
        file="partnerships/test/old.pdf",
        uploaded_by=officer,
        is_archived=True,
    )
    return partnership


def response_section(html, start, end):
    """The part of the page between two markers, such as two headings' ids."""
    return html[html.index(start) : html.index(end)]


def test_the_page_shows_every_section_of_the_form(client, full, officer):
    client.force_login(officer)
    html = client.get(detail_url(full)).content.decode()

    for text in [
        full.reference,
        "Safer Streets Partnership",
        # Section 1
        "Olivia Okafor",
        "Community Development Officer",
        "4412",
        # The partnership and the council's role
        "Reduce anti-social behaviour in the town centre.",
        "Lead member",
        "Councillors: 1. Officers: 1.",
        "Cllr Gwen Marsh",
        "Councillor",
        "Chair",
        "1 May 2026",
        # Corporate Plan
        "Safer communities",
        "Safer, cleaner neighbourhoods.",
        # Partners
        "NHS Trust",
        "Exampleshire Borough Council",
        # Resources
        "Meeting room",
        "Owen Officer",
        "12.5",
        # Section 3
        "The board is drawing one up.",
        "The partnership board",
        # Evaluation
        "No legal issues found.",
        "Lower costs of repairs.",
        # Documents
        "Memorandum of understanding",
        reverse("register:document_download", args=[full.reference, full.documents.first().pk]),
    ]:
        assert text in html, text


def test_resources_are_totalled_by_financial_year(client, full, officer):
    client.force_login(officer)
    response = client.get(detail_url(full))
    totals = resource_totals(Partnership.objects.get(pk=full.pk))
    assert [row["label"] for row in totals] == ["2026/27", "2027/28"]
    # £25,000 from complete_partnership() and £1,000, plus £3,000 in kind.
    assert totals[0]["financial"] == Decimal("26000")
    assert totals[0]["in_kind"] == Decimal("3000")
    assert totals[0]["total"] == Decimal("29000")
    assert totals[0]["hours"] == Decimal("12.5")
    html = response.content.decode()
    assert "£26,000.00" in html
    assert "£29,000.00" in html
    assert "£5,000.50" in html


def test_checklist_gaps_are_flagged_in_words(client, full, officer):
    client.force_login(officer)
    html = client.get(detail_url(full)).content.decode()
    assert "Points to check: 1 not answered, 1 answered “No”." in html
    assert '<strong class="govuk-tag govuk-tag--red">Not answered</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--orange">Answered No</strong>' in html
    assert "Legal advice awaited." in html


def test_archived_documents_are_marked(client, full, officer):
    client.force_login(officer)
    html = client.get(detail_url(full)).content.decode()
    assert "Old terms of reference" in html
    assert '<strong class="govuk-tag govuk-tag--grey">Archived</strong>' in html


def test_significance_is_explained(client, officer):
    partnership = complete_partnership(author=officer, material_service_delivery=True)
    FinancialContributionFactory(partnership=partnership, amount=Decimal("200000"))
    client.force_login(officer)
    html = client.get(detail_url(partnership)).content.decode()
    assert "It must be approved by Cabinet or the Chief Executive" in html
    assert "£225,000.00 in one financial year" in html
    assert "It involves material service delivery." in html


def test_not_significant_says_so(client, officer):
    partnership = complete_partnership(author=officer)
    client.force_login(officer)
    html = client.get(detail_url(partnership)).content.decode()
    assert "Not a significant partnership" in html
    assert "below the £100,000.00 threshold" in html


def test_the_approval_record_and_status_history_are_shown(client, officer, democratic_services):
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    services.decide(
        partnership=partnership,
        by=democratic_services,
        decision=ApprovalDecision.Decision.RETURNED,
        decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
        decided_on=date(2026, 6, 1),
        decision_reference="Minute 42/26",
        reason="Name the lead organisation.",
    )
    client.force_login(officer)
    html = client.get(detail_url(partnership)).content.decode()
    assert "Returned for changes" in html
    assert "Minute 42/26" in html
    assert "1 June 2026" in html
    decisions = response_section(html, 'id="decisions"', 'id="status-history"')
    assert "Name the lead organisation." in decisions
    status_history = response_section(html, 'id="status-history"', 'id="history"')
    assert "Name the lead organisation." in status_history
    assert "Submitted" in status_history
    assert democratic_services.get_full_name() in unescape(decisions)  # O'Sullivan, say


def test_the_page_shows_the_latest_10_changes_and_links_to_every_change(client, officer):
    partnership = PartnershipFactory(author=officer)
    for number in range(15):
        Partnership.objects.filter(pk=partnership.pk).update(name=f"Renamed {number}")
    client.force_login(officer)
    response = client.get(detail_url(partnership))
    html = response.content.decode()
    history = response_section(html, 'id="history"', "</details>")
    shown = re.findall(r'<td class="govuk-table__cell">(Renamed \d+)</td>\s*</tr>', history)
    assert shown == [f"Renamed {number}" for number in range(14, 4, -1)]
    # The oldest change shown renamed it from "Renamed 4" to "Renamed 5"; the one before is not.
    assert "Renamed 3<" not in history
    assert 'href="#history"' in html
    history_url = reverse("register:partnership_history", args=[partnership.reference])
    link = f'<a class="govuk-link" href="{history_url}">See every change to this partnership</a>'
    assert link in history


def test_the_author_of_a_draft_may_edit_but_not_decide(client, officer):
    draft = complete_partnership(author=officer)
    client.force_login(officer)
    html = client.get(detail_url(draft)).content.decode()
    assert reverse("register:partnership_edit", args=[draft.reference]) in html
    assert reverse("register:partnership_decide", args=[draft.reference]) not in html
    assert "Print the registration form" in html


def test_democratic_services_see_record_the_decision_on_a_submitted_partnership(
    client, officer, democratic_services
):
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    client.force_login(democratic_services)
    html = client.get(detail_url(partnership)).content.decode()
    assert reverse("register:partnership_decide", args=[partnership.reference]) in html
    assert "Record the decision" in html


def test_a_read_only_user_sees_a_submitted_partnership_without_action_buttons(
    read_only_client, officer
):
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    response = read_only_client.get(detail_url(partnership))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("register:partnership_edit", args=[partnership.reference]) not in html
    assert "Record the decision" not in html
    assert "Print the registration form" in html


def test_another_officer_reads_an_active_partnership_without_edit(client, other_officer):
    partnership = PartnershipFactory(status=Status.ACTIVE)
    client.force_login(other_officer)
    response = client.get(detail_url(partnership))
    assert response.status_code == 200
    assert reverse("register:partnership_edit", args=[partnership.reference]) not in (
        response.content.decode()
    )


@pytest.mark.parametrize("url_name", ["partnership_detail", "partnership_print"])
def test_an_officer_of_another_directorate_gets_404_on_a_draft(
    client, officer, other_officer, url_name
):
    draft = complete_partnership(author=officer)
    client.force_login(other_officer)
    response = client.get(reverse(f"register:{url_name}", args=[draft.reference]))
    assert response.status_code == 404
    assert draft.name not in response.content.decode()


def test_an_unknown_reference_is_404(officer_client):
    assert officer_client.get("/partnerships/P-1999-999/").status_code == 404


def test_the_printable_form_lays_out_appendix_2(client, full, officer):
    submitted_at = timezone.make_aware(datetime(2026, 5, 20, 10, 30))
    Partnership.objects.filter(pk=full.pk).update(submitted_at=submitted_at)
    RepresentationFactory(
        partnership=full,
        person=PersonFactory(name="Priya Shah", kind=Person.Kind.OFFICER, job_title="Manager"),
    )
    client.force_login(officer)
    response = client.get(print_url(full))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Exampleshire Borough Council PARTNERSHIP REGISTRATION FORM",
        "SECTION 1 – DETAILS OF PERSON COMPLETING THE REGISTRATION FORM",
        "SECTION 2 – DETAILS OF THE PARTNERSHIP",
        "SECTION 3 – RISK ASSESSMENT",
        "Name of Partnership",
        "Safer Streets Partnership",
        "Lead Member: Yes",
        "Representative: No",
        "Councillors – how many and who: 1",
        "Cllr Gwen Marsh (Chair)",
        "Officers – how many and who: 2",
        "Priya Shah, Manager (Representative)",
        "Safer communities",
        "NHS Trust",
        "Leading the partnership: Exampleshire Borough Council",
        "£1,000.00, grant, 2026/27",
        "£5,000.50, grant, 2027/28",
        "Owen Officer: 12.5 hours a month",
        "Office accommodation: Meeting room, estimated at £3,000.00",
        "No: The board is drawing one up.",
        "The partnership board",
        "Olivia Okafor",
        "20 May 2026",
        "css/print.css",
    ]:
        assert text in html, text


def test_the_printable_form_of_a_draft_says_it_is_not_yet_submitted(client, officer):
    draft = complete_partnership(author=officer, completed_by_name="")
    client.force_login(officer)
    html = client.get(print_url(draft)).content.decode()
    assert "Not yet submitted" in html
    assert "Not yet signed" in html


def _grow_related(partnership, count):
    """Add `count` more of every kind of row the partnership page lists, and history with them."""
    organisations = [OrganisationFactory() for _ in range(count)]
    people = [PersonFactory() for _ in range(count)]
    PartnershipPartner.objects.bulk_create(
        PartnershipPartner(partnership=partnership, organisation=o) for o in organisations
    )
    Representation.objects.bulk_create(
        Representation(partnership=partnership, person=p) for p in people
    )
    OfficerTime.objects.bulk_create(
        OfficerTime(partnership=partnership, person=p, hours_per_month=2, financial_year=2026)
        for p in people
    )
    FinancialContribution.objects.bulk_create(
        FinancialContribution(partnership=partnership, amount=100, form="grant", financial_year=y)
        for y in range(2000, 2000 + count)
    )
    InKindContribution.objects.bulk_create(
        InKindContribution(partnership=partnership, kind="postage", estimated_value=10)
        for _ in range(count)
    )
    partnership.corporate_priorities.add(*[CorporatePriorityFactory() for _ in range(count)])
    for number in range(count):
        Partnership.objects.filter(pk=partnership.pk).update(name=f"Renamed {number}")


@pytest.mark.parametrize("url_name", ["partnership_detail", "partnership_print"])
def test_the_partnership_pages_run_a_fixed_number_of_queries(
    client, officer, democratic_services, url_name
):
    partnership = complete_partnership(author=officer)
    client.force_login(democratic_services)
    url = reverse(f"register:{url_name}", args=[partnership.reference])

    def grow(count):
        # Both measurements name who made the changes, as for changes made through the site.
        with pghistory.context(user=democratic_services.pk):
            _grow_related(partnership, count)

    grow(2)
    # 25 more of each kind: the partnership's page shows the latest 10 of the many more changes.
    assert_queries_fixed(client, url, lambda: grow(25), most=8)


@pytest.mark.parametrize(
    "url_name", ["partnership_detail", "partnership_print", "partnership_reviews"]
)
def test_the_partnership_pages_read_only_the_names_of_the_people_they_name(
    client, officer, democratic_services, url_name
):
    """The officers, deciders and reviewers a page names are read by name: never their email
    address, sign-in dates or password hash, which the page has no use for."""
    partnership = complete_partnership(author=officer)
    services.submit(partnership=partnership, by=officer)
    services.decide(
        partnership=partnership,
        by=democratic_services,
        decision=ApprovalDecision.Decision.APPROVED,
        decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
        decided_on=date(2026, 11, 2),
        reason="Meets the protocol.",
    )
    client.force_login(democratic_services)
    namespace = "reviews" if url_name == "partnership_reviews" else "register"
    response = client.get(reverse(f"{namespace}:{url_name}", args=[partnership.reference]))
    assert response.status_code == 200
    read = response.context["partnership"]
    if url_name == "partnership_detail":
        # The page reads whether the user may see it without anyone's details, then the rows
        # its body shows (when it has not been drawn since they last changed).
        assert not read._state.fields_cache
        read = PAGE_LISTS.get(READ_PAGE_QUERYSET, same_for=PartnershipDetailView, pk=read.pk)
    people = [change.changed_by for change in read.status_changes.all()]
    if url_name != "partnership_reviews":  # it shows no decisions; its forms notify the sponsor
        people += [decision.recorded_by for decision in read.decisions.all()]
        people += [read.sponsoring_officer, read.monitoring_officer, read.author]
    people = [person for person in people if person is not None]
    assert democratic_services in people
    assert url_name == "partnership_reviews" or officer in people
    for person in people:
        assert {"email", "password", "last_login", "date_joined"} <= person.get_deferred_fields()
    # The names are shown, read with the rows (the page's query count is pinned above).
    assert democratic_services.get_full_name() in unescape(response.content.decode())
