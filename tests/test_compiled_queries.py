"""Queries whose SQL is built once per process, and reads that carry no audit context."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pghistory
import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships_site.backends import CouncilModelBackend
from partnerships_site.compiled import compiled_once, compiled_query, inline_constants
from partnerships_site.related_lists import RelatedLists, read_rows
from partnerships_site.sessions import SessionStore
from register.models import (
    ApprovalDecision,
    Directorate,
    Document,
    FinancialContribution,
    OfficerTime,
    Partnership,
    PartnershipPartner,
)
from tests.factories import (
    FinancialContributionFactory,
    InKindContributionFactory,
    PartnerFactory,
    PersonFactory,
)

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
            read = lists.get(
                Partnership.objects.all(), same_for="test", reference=partnership.reference
            )
            names = [p.organisation.name for p in read.partners.all()]
            leads = [p.is_lead for p in read.partners.all()]
        assert len(queries) == 1
        expected = partnership.partners.select_related("organisation").order_by("pk")
        assert names == [p.organisation.name for p in expected]
        assert leads == [p.is_lead for p in expected]


def _columns_as_read(instance, related):
    """Every column value of an instance and of the rows it was read with, with its type, and
    the columns left to read later (deferred). Reading this never runs a query."""
    if instance is None:
        return None
    deferred = instance.get_deferred_fields() | {"password"}  # a page never reads a hash
    values = {
        field.attname: (type(value), value)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred and (value := getattr(instance, field.attname)) is not None
    }
    values["deferred"] = deferred
    for name, nested in related.items():
        values[name] = _columns_as_read(getattr(instance, name, None), nested)  # None: none
    return values


def test_every_list_of_a_partnerships_page_reads_each_column_as_the_orm_does(
    sponsor, democratic_services
):
    from register.views import PAGE_LISTS
    from tests.proof.test_query_counts import _add_records

    _add_records(1, sponsor, democratic_services)
    partnership = Partnership.objects.get()
    InKindContributionFactory(partnership=partnership, estimated_value=Decimal("1234.56"))
    OfficerTime.objects.create(
        partnership=partnership, person=PersonFactory(), hours_per_month=Decimal("7.5")
    )
    Document.objects.create(
        partnership=partnership,
        document_type=Document.Type.choices[0][0],
        title="Terms of reference",
        document_date=date(2026, 11, 26),
        file="partnership-documents/terms.pdf",
        uploaded_by=sponsor,
    )
    ApprovalDecision.objects.create(
        partnership=partnership,
        decision=ApprovalDecision.Decision.APPROVED,
        decision_body=ApprovalDecision.Body.DEMOCRATIC_SERVICES,
        decided_on=date(2025, 6, 1),
        reason="Meets the protocol.",
        recorded_by=democratic_services,
    )
    read = PAGE_LISTS.get(Partnership.objects.all(), same_for="test", pk=partnership.pk)
    lists = PAGE_LISTS._lists(Partnership)
    assert len(lists) == 14
    for item in lists:
        got = getattr(read, item.name)
        got = list(got.all()) if item.relation is not None else got
        expected = list(item.source.filter(**{item.link: partnership.pk}))
        assert expected, f"the partnership has no {item.name} to compare"
        with CaptureQueriesContext(connection) as queries:
            columns = [_columns_as_read(row, item.related) for row in got]
        assert not queries, f"{item.name}: a column the list should have read was not"
        # The same columns, values and types as the ORM reads, and the same ones left unread
        # where the list's queryset names only some (only() or defer()).
        assert columns == [_columns_as_read(row, item.related) for row in expected], item.name
        # Saved rows, as the ORM marks them: a change to one would be an update, not an insert.
        assert all(not row._state.adding and row._state.db == "default" for row in got)
        assert got == expected  # instances of the same model with the same primary keys


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
    # A person's password hash is never read into a page.
    assert "password" not in queries[0]["sql"]
    assert "password" in rows[(type(officer), str(officer.pk))].get_deferred_fields()
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


def test_a_whole_query_is_compiled_once_and_run_with_other_values_as_the_orm_would(officer):
    builds = []

    def build(reference, lead):
        builds.append((reference, lead))
        return (
            Partnership.objects.select_related("directorate", "author")
            .annotate(partner_count=Count("partners"))
            .filter(reference__in=[reference, "P-0000-000"], partners__organisation__name=lead)
        )

    read = compiled_query(build)
    first, second = PartnerFactory().partnership, PartnerFactory().partnership
    for partnership in (first, second, first):
        lead = partnership.partners.get().organisation.name
        with CaptureQueriesContext(connection) as queries:
            (found,) = read(partnership.reference, lead)
            # Related rows and annotations are where the queryset itself would put them.
            assert found.directorate.name == partnership.directorate.name
            assert found.author == partnership.author
            assert found.partner_count == 1
        assert found.pk == partnership.pk
        assert len(queries) == 1
        assert read(partnership.reference, "No such organisation") == []
    # Built once, with the stand-ins, never with the values themselves.
    assert len(builds) == 1
    assert partnership.reference not in builds[0]


def test_a_compiled_query_counts_its_rows_as_the_queryset_would():
    builds = []

    def build(directorate_id):
        builds.append(directorate_id)
        return Partnership.objects.filter(directorate=directorate_id).values("pk")

    count = compiled_query(build)
    first, second = PartnerFactory().partnership, PartnerFactory().partnership
    PartnerFactory(partnership__directorate=first.directorate)
    for directorate in (first.directorate, second.directorate, first.directorate):
        with CaptureQueriesContext(connection) as queries:
            counted = count.count(directorate.pk)
        assert counted == Partnership.objects.filter(directorate=directorate).count()
        assert len(queries) == 1
    assert counted == 2
    assert count.count(-1) == 0
    assert len(builds) == 1

    # A query that cannot be compiled once is counted by Django, each time.
    words = compiled_query(lambda name: Partnership.objects.filter(name__icontains=name))
    assert words.count(first.name.upper()) == 1
    assert words.count("no such words") == 0


def test_a_value_the_query_does_not_use_leaves_it_compiled_once(officer, democratic_services):
    builds = []

    def build(user_id):
        builds.append(user_id)
        # As the register's filters for a role that sees every partnership.
        return Partnership.objects.all()

    read = compiled_query(build)
    partnership = PartnerFactory().partnership
    assert read(officer.pk) == [partnership]
    assert read(democratic_services.pk) == [partnership]
    assert len(builds) == 1


def test_a_query_with_a_value_written_into_its_sql_is_built_each_time():
    builds = []

    def build(reference):
        builds.append(reference)
        return Partnership.objects.extra(where=[f"reference <> '{reference}'"])  # noqa: S610

    read = compiled_query(build)
    partnership = PartnerFactory().partnership
    assert read(partnership.reference) == []
    assert read("P-0000-000") == [partnership]
    assert len(builds) == 3  # the stand-ins', then each call's


def test_a_query_that_works_a_value_into_another_is_built_each_time():
    builds = []

    def build(words, references):
        builds.append(words)
        return Partnership.objects.filter(
            name__icontains=words, reference__in=[references, "P-0000-000"]
        )

    read = compiled_query(build)
    partnership = PartnerFactory().partnership
    partnership.name = "Community Safety Partnership"
    partnership.save()
    assert read("safety", partnership.reference) == [partnership]
    assert read("housing", partnership.reference) == []
    assert read("SAFETY", "P-0000-001") == []
    assert len(builds) == 4  # the stand-ins' (found inside a pattern), then each call's


def test_a_query_with_a_value_it_cannot_stand_in_for_is_built_each_time():
    builds = []

    def build(is_lead):
        builds.append(is_lead)
        return PartnershipPartner.objects.filter(is_lead=is_lead)

    read = compiled_query(build)
    partner = PartnerFactory(is_lead=True)
    for _ in range(2):
        assert read(True) == [partner]
        assert read(False) == []
    assert builds == [True, False, True, False]


def test_a_session_is_read_with_compiled_sql_and_not_once_it_has_expired(officer):
    store = SessionStore()
    store["note"] = "kept"
    store.create()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(session_key=store.session_key).load() == {"note": "kept"}
    assert len(queries) == 1
    assert SessionStore(session_key="a" * 32).load() == {}
    type(store).get_model_class().objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None


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
    # An id that is not a number (a forged or stale session) is no one, not an error.
    assert CouncilModelBackend().get_user("not-a-number") is None
    assert CouncilModelBackend().get_user(str(officer.pk)).pk == officer.pk


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


@pytest.mark.django_db(transaction=True)
def test_a_compiled_query_runs_on_the_connection_of_the_thread_that_asks():
    read = compiled_query(lambda pk: Directorate.objects.filter(pk=pk))
    directorate = Directorate.objects.create(name="Threads and Connections")
    assert read(directorate.pk) == [directorate]  # compiled here, on this thread's connection
    found = []

    def another_request():
        try:
            found.append(read(directorate.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=another_request)
    thread.start()
    thread.join()
    assert found == [[directorate]]


def test_constants_written_into_compiled_sql_read_back_as_the_parameters_would():
    values = ["50% of 'the' budget; --", Decimal("1234567.89"), True, None, 42, "%s %% %(x)s"]
    sql = "SELECT %s, %s, %s, %s, %s, %s, '100%%', %s"
    params = [*values, "kept"]
    inlined, kept = inline_constants(sql, params, keep={6})
    assert kept == ("kept",)
    assert inlined.startswith("SELECT '50%% of ''the'' budget; --', ")
    assert inlined.endswith(", '100%%', %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchall()
        cursor.execute(inlined, kept)
        assert cursor.fetchall() == expected
    assert expected[0][:6] == tuple(values)
    # SQL whose placeholders do not match its values is left as it was.
    assert inline_constants("SELECT %s", [1, 2]) == ("SELECT %s", (1, 2))


def test_a_record_with_its_lists_read_by_a_compiled_query_in_turns_and_missing_is_a_404():
    from django.http import Http404

    lists = RelatedLists(
        partners=PartnershipPartner.objects.select_related("organisation").order_by("pk")
    )
    first, second = PartnerFactory().partnership, PartnerFactory().partnership
    for partnership in (first, second, first):
        with CaptureQueriesContext(connection) as queries:
            found = lists.get(
                Partnership.objects.all(), same_for="test", reference=partnership.reference
            )
            names = [p.organisation.name for p in found.partners.all()]
        assert len(queries) == 1
        assert found.pk == partnership.pk
        assert names == [partnership.partners.get().organisation.name]
    with pytest.raises(Http404):
        lists.get(Partnership.objects.all(), same_for="test", reference="P-0000-000")
    assert len(lists.compiled) == 1


def test_a_permission_made_after_the_names_were_read_is_still_known(officer, democratic_services):
    CouncilModelBackend().get_user(democratic_services.pk)  # the names are read and kept
    content_type = ContentType.objects.get_for_model(Directorate)
    made = Permission.objects.create(
        codename="audit_directorate", name="Can audit directorate", content_type=content_type
    )
    officer.user_permissions.add(made)

    with CaptureQueriesContext(connection) as queries:
        loaded = CouncilModelBackend().get_user(officer.pk)
    assert loaded.has_perm("register.audit_directorate")
    assert len(queries) == 2  # the person, then every permission's name once more

    with CaptureQueriesContext(connection) as queries:
        again = CouncilModelBackend().get_user(officer.pk)
    assert again.has_perm("register.audit_directorate")
    assert len(queries) == 1
