"""Queries whose SQL is built once per process, and reads that carry no audit context."""

from decimal import Decimal

import pghistory
import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships_site.backends import CouncilModelBackend
from partnerships_site.compiled import compiled_once
from partnerships_site.related_lists import RelatedLists, read_rows
from register.models import Directorate, FinancialContribution, Partnership, PartnershipPartner
from tests.factories import FinancialContributionFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_an_expression_is_built_once_and_then_reused_as_sql(officer):
    builds = []

    def build():
        builds.append(1)
        return Subquery(
            PartnershipPartner.objects.filter(partnership=OuterRef("pk"))
            .values("partnership")
            .annotate(n=Count("pk"))
            .values("n")
        )

    partners = compiled_once(Partnership, build)
    with_two = PartnerFactory().partnership
    PartnerFactory(partnership=with_two)
    without = PartnerFactory().partnership
    without.partners.all().delete()

    for _ in range(3):
        counted = dict(Partnership.objects.annotate(n=partners()).values_list("reference", "n"))
        assert counted[with_two.reference] == 2
        assert counted[without.reference] is None
    # And on a queryset filtered for one person, whose filter has subqueries of its own.
    Partnership.objects.filter(pk=with_two.pk).update(author=officer)
    visible = Partnership.objects.visible_to(officer).annotate(n=partners())
    assert {p.reference: p.n for p in visible}[with_two.reference] == 2
    assert len(builds) == 1


def test_related_lists_read_with_the_record_match_what_the_orm_reads():
    partner = PartnerFactory(is_lead=True)
    partnership = partner.partnership
    PartnerFactory(partnership=partnership, is_lead=False)
    FinancialContributionFactory(partnership=partnership, amount=Decimal("1234567.89"))
    lists = RelatedLists(
        partners=PartnershipPartner.objects.select_related("organisation").order_by("pk"),
    )

    for _ in range(2):  # compiled on the first read, reused on the second
        with CaptureQueriesContext(connection) as queries:
            read = lists.get(Partnership.objects.all(), reference=partnership.reference)
            names = [p.organisation.name for p in read.partners.all()]
            leads = [p.is_lead for p in read.partners.all()]
        assert len(queries) == 1
        expected = partnership.partners.select_related("organisation").order_by("pk")
        assert names == [p.organisation.name for p in expected]
        assert leads == [p.is_lead for p in expected]


def test_read_rows_reads_several_models_in_one_query_from_ids_as_history_keeps_them(
    officer, directorate
):
    contribution = FinancialContributionFactory(amount=Decimal("99999999.99"))
    with CaptureQueriesContext(connection) as queries:
        rows = read_rows(
            {
                FinancialContribution: {str(contribution.pk), "999999999"},
                type(officer): {officer.pk},
                type(directorate): {str(directorate.pk)},
            }
        )
    assert len(queries) == 1
    assert rows[(FinancialContribution, str(contribution.pk))].amount == Decimal("99999999.99")
    assert rows[(type(officer), str(officer.pk))].username == officer.username
    assert rows[(type(directorate), str(directorate.pk))].name == directorate.name
    assert (FinancialContribution, "999999999") not in rows
    assert read_rows({FinancialContribution: set()}) == {}
    with CaptureQueriesContext(connection) as queries:
        assert read_rows({FinancialContribution: set()}, always=True) == {}
    assert len(queries) == 1


def test_a_history_costs_the_same_queries_whether_or_not_its_changes_name_anyone(officer):
    from partnerships_site.history import history_for

    system_made = Directorate.objects.create(name="Set up by a command")
    with pghistory.context(user=officer.pk):
        person_made = Directorate.objects.create(name="Set up by a person")
    counts = []
    for directorate in (system_made, person_made):
        with CaptureQueriesContext(connection) as queries:
            entries = history_for(directorate)
        counts.append(len(queries))
    assert entries[0].who == officer.get_full_name()
    assert counts[0] == counts[1] == 2  # the events, then the people and records they name


def test_the_signed_in_person_is_read_with_the_roles_and_permissions_django_would_read(
    officer, democratic_services
):
    group = Group.objects.create(name="Extra reviewers")
    group.permissions.add(Permission.objects.get(codename="view_risk"))
    officer.groups.add(group)
    officer.user_permissions.add(Permission.objects.get(codename="view_annualreview"))

    for user in (officer, democratic_services, officer):
        loaded = CouncilModelBackend().get_user(user.pk)
        fresh = type(user).objects.get(pk=user.pk)
        assert loaded.group_names == sorted(fresh.groups.values_list("name", flat=True))
        assert ModelBackend().get_all_permissions(loaded) == ModelBackend().get_all_permissions(
            fresh
        )
        assert loaded.profile.directorate_id == fresh.profile.directorate_id
    assert "risks.view_risk" in CouncilModelBackend().get_user(officer.pk).get_all_permissions()
    assert CouncilModelBackend().get_user(987654321) is None


def test_reading_a_page_sends_no_audit_context_but_a_change_does(
    democratic_client, democratic_services
):
    partnership = PartnerFactory().partnership
    with CaptureQueriesContext(connection) as reading:
        response = democratic_client.get(reverse("register:partnership_list"))
    assert response.status_code == 200
    assert partnership.reference in response.content.decode()
    assert not [q for q in reading.captured_queries if "pghistory.context" in q["sql"]]

    with CaptureQueriesContext(connection) as changing:
        response = democratic_client.post(
            reverse("admin:register_directorate_add"), {"name": "Audit", "is_active": "on"}
        )
    assert response.status_code == 302
    assert [q for q in changing.captured_queries if "pghistory.context" in q["sql"]]
