"""Django admin as Democratic Services use it: every page, the approve and return actions, no
deletes, no lost updates, the audit history, and who may reach admin at all."""

from datetime import date, timedelta
from html import unescape

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from register import services
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    CorporatePriority,
    Directorate,
    Organisation,
    Partnership,
    Person,
    ReferenceCounter,
    SignificanceThreshold,
    StatusChange,
)
from tests.factories import (
    CorporatePriorityFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnershipFactory,
    PersonFactory,
    RepresentationFactory,
    complete_partnership,
)
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:register_partnership_changelist")


def change_url(partnership):
    return reverse("admin:register_partnership_change", args=[partnership.pk])


def action_names(response):
    action_form = response.context["action_form"]
    return dict(action_form.fields["action"].choices) if action_form else {}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _post_value(bound_field):
    value = bound_field.value()
    if isinstance(bound_field.field, forms.ModelMultipleChoiceField) and not value:
        return []
    widget = getattr(bound_field.field.widget, "widget", bound_field.field.widget)
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(widget, forms.NullBooleanSelect):
        return {True: "true", False: "false"}.get(value, "unknown")
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _add_form(data, form):
    for name in form.fields:
        value = _post_value(form[name])
        if value is not None:
            data[form[name].html_name] = value


def change_form_data(response):
    """What a browser would post back from an admin change page, unchanged."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    data["_save"] = "Save"
    return data


@pytest.fixture
def submitted(officer, sponsor):
    partnership = complete_partnership(author=officer, sponsoring_officer=sponsor)
    return services.submit(partnership=partnership, by=officer)


# Every page loads ---------------------------------------------------------------------------


def _instances():
    partnership = complete_partnership()
    return {
        Partnership: partnership,
        Organisation: OrganisationFactory(),
        Person: PersonFactory(),
        Directorate: Directorate.objects.first(),
        CorporatePriority: CorporatePriorityFactory(),
        ChecklistConsideration: ChecklistConsideration.objects.first(),
        SignificanceThreshold: SignificanceThreshold.current(),
    }


@pytest.mark.parametrize(
    "model",
    [
        Partnership,
        Organisation,
        Person,
        Directorate,
        CorporatePriority,
        ChecklistConsideration,
        SignificanceThreshold,
    ],
)
def test_every_register_admin_page_loads_for_democratic_services(democratic_client, model):
    instance = _instances()[model]
    name = f"admin:register_{model._meta.model_name}"

    assert democratic_client.get(reverse(f"{name}_changelist")).status_code == 200
    assert democratic_client.get(reverse(f"{name}_change", args=[instance.pk])).status_code == 200
    assert democratic_client.get(reverse(f"{name}_history", args=[instance.pk])).status_code == 200
    if model is not SignificanceThreshold:
        assert democratic_client.get(reverse(f"{name}_add")).status_code == 200


def test_partnership_import_and_export_pages_load(democratic_client):
    assert democratic_client.get(reverse("admin:register_partnership_import")).status_code == 200
    assert democratic_client.get(reverse("admin:register_partnership_export")).status_code == 200
    assert democratic_client.get(reverse("admin:register_organisation_import")).status_code == 200


def test_reference_counters_are_shown_but_cannot_be_changed(democratic_client):
    PartnershipFactory()
    counter = ReferenceCounter.objects.get()
    url = reverse("admin:register_referencecounter_change", args=[counter.pk])

    assert (
        democratic_client.get(reverse("admin:register_referencecounter_changelist")).status_code
        == 200
    )
    assert democratic_client.get(url).status_code == 200
    response = democratic_client.post(url, {"year": counter.year, "last_number": 0})
    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_number == 1


def test_the_significance_threshold_cannot_be_added_twice(democratic_client):
    SignificanceThreshold.current()
    response = democratic_client.get(reverse("admin:register_significancethreshold_add"))
    assert response.status_code == 403


def test_partnership_changelist_runs_a_fixed_number_of_queries(democratic_client, sponsor):
    def partnerships(count):
        priority = CorporatePriorityFactory()
        for _ in range(count):
            partnership = PartnershipFactory(author=sponsor, sponsoring_officer=sponsor)
            partnership.corporate_priorities.add(priority)
            PartnerFactory(partnership=partnership, is_lead=True)

    partnerships(10)
    # Signing in costs two queries on every page: the session, and the user read with their
    # groups and permissions (partnerships_site/backends.py).
    assert_queries_fixed(democratic_client, CHANGELIST, lambda: partnerships(190), most=8)
    with CaptureQueriesContext(connection) as captured:
        democratic_client.get(CHANGELIST)
    own = [query for query in captured.captured_queries if '"register_' in query["sql"]]
    assert len(own) <= 8, "\n".join(query["sql"][:120] for query in own)


def test_changelist_shows_the_columns_democratic_services_need(democratic_client, sponsor):
    partnership = PartnershipFactory(
        name="Safer Streets Board", sponsoring_officer=sponsor, material_service_delivery=True
    )
    response = democratic_client.get(CHANGELIST)
    content = response.content.decode()
    assert partnership.reference in content
    assert "Safer Streets Board" in content
    assert sponsor.get_full_name() in unescape(content)  # a name may have an apostrophe
    assert "Housing and Wellbeing" in content
    assert 'alt="True"' in content  # significant, through material service delivery


def test_changelist_filters_on_significance(democratic_client):
    significant = PartnershipFactory(name="Big one", material_service_delivery=True)
    ordinary = PartnershipFactory(name="Small one")

    response = democratic_client.get(CHANGELIST, {"significant": "yes"})
    shown = list(response.context["cl"].result_list)
    assert significant in shown
    assert ordinary not in shown

    response = democratic_client.get(CHANGELIST, {"significant": "no"})
    assert list(response.context["cl"].result_list) == [ordinary]


def test_changelist_searches_partners_and_representatives(democratic_client):
    by_partner = PartnershipFactory(name="First")
    PartnerFactory(partnership=by_partner, organisation=OrganisationFactory(name="Age UK Kent"))
    by_person = PartnershipFactory(name="Second")
    RepresentationFactory(partnership=by_person, person=PersonFactory(name="Priya Sharma"))
    PartnershipFactory(name="Third")

    response = democratic_client.get(CHANGELIST, {"q": "age uk"})
    assert list(response.context["cl"].result_list) == [by_partner]
    response = democratic_client.get(CHANGELIST, {"q": "Sharma"})
    assert list(response.context["cl"].result_list) == [by_person]


def test_users_can_be_found_by_autocomplete_for_the_sponsoring_officer(democratic_client, sponsor):
    response = democratic_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "register",
            "model_name": "partnership",
            "field_name": "sponsoring_officer",
            "term": "spons",
        },
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(sponsor.pk)]


# Nothing is deleted -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        Partnership,
        Organisation,
        Person,
        Directorate,
        CorporatePriority,
        ChecklistConsideration,
        SignificanceThreshold,
    ],
)
def test_nothing_can_be_deleted_in_admin(democratic_client, model):
    instance = _instances()[model]
    name = f"admin:register_{model._meta.model_name}"

    response = democratic_client.post(
        reverse(f"{name}_delete", args=[instance.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert model.objects.filter(pk=instance.pk).exists()
    changelist = democratic_client.get(reverse(f"{name}_changelist"))
    assert "delete_selected" not in action_names(changelist)


def test_the_delete_action_cannot_be_posted_either(democratic_client):
    partnership = PartnershipFactory()
    democratic_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [partnership.pk], "post": "yes"},
    )
    assert Partnership.objects.filter(pk=partnership.pk).exists()


def test_inline_rows_cannot_be_deleted(democratic_client):
    partnership = complete_partnership()
    response = democratic_client.get(change_url(partnership))
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.formset.can_delete, inline.formset.prefix


# Who may reach admin ------------------------------------------------------------------------


def test_read_only_users_can_view_but_not_change(read_only_client):
    partnership = complete_partnership(name="Unchanged")

    assert read_only_client.get(CHANGELIST).status_code == 200
    assert read_only_client.get(change_url(partnership)).status_code == 200
    response = read_only_client.post(change_url(partnership), {"name": "Changed"})
    assert response.status_code == 403
    assert read_only_client.post(reverse("admin:register_partnership_add"), {}).status_code == 403
    assert read_only_client.get(reverse("admin:register_partnership_import")).status_code == 403
    organisation = OrganisationFactory(name="Kept")
    url = reverse("admin:register_organisation_change", args=[organisation.pk])
    assert read_only_client.post(url, {"name": "Renamed", "sector": "public"}).status_code == 403
    partnership.refresh_from_db()
    organisation.refresh_from_db()
    assert (partnership.name, organisation.name) == ("Unchanged", "Kept")


def test_read_only_users_are_offered_no_decision_actions(read_only_client):
    PartnershipFactory()
    response = read_only_client.get(CHANGELIST)
    actions = action_names(response)
    assert "approve_selected" not in actions
    assert "return_selected" not in actions


def test_read_only_users_cannot_post_a_decision(read_only_client, submitted):
    response = read_only_client.post(
        CHANGELIST,
        {
            "action": "approve_selected",
            "_selected_action": [submitted.pk],
            "apply_decision": "Approve",
            "decision_body": "democratic_services",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code in {200, 302, 403}
    submitted.refresh_from_db()
    assert submitted.status == Partnership.Status.SUBMITTED
    assert not ApprovalDecision.objects.exists()


def test_officers_are_sent_away_from_admin(officer_client):
    for url in ["/admin/", CHANGELIST, reverse("admin:register_partnership_import")]:
        response = officer_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# Approve and return -------------------------------------------------------------------------


def test_the_approve_action_first_asks_for_the_decision(democratic_client, submitted):
    response = democratic_client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [submitted.pk], "index": 0}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "admin/register/partnership/decide.html"
    content = response.content.decode()
    assert submitted.reference in content
    assert "Decision reference" in content
    assert not ApprovalDecision.objects.exists()


def test_approve_action_records_decisions_and_skips_what_is_not_submitted(
    democratic_client, democratic_services, submitted, officer, django_capture_on_commit_callbacks
):
    draft = PartnershipFactory(author=officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = democratic_client.post(
            CHANGELIST,
            {
                "action": "approve_selected",
                "_selected_action": [submitted.pk, draft.pk],
                "apply_decision": "Approve",
                "decision_body": "democratic_services",
                "decided_on": "2026-11-20",
                "decision_reference": "DS/2026/118",
            },
        )

    assert response.status_code == 302
    decision = ApprovalDecision.objects.get()
    assert decision.partnership == submitted
    assert decision.decision == ApprovalDecision.Decision.APPROVED
    assert decision.decision_reference == "DS/2026/118"
    assert decision.decided_on == date(2026, 11, 20)
    assert decision.recorded_by == democratic_services
    submitted.refresh_from_db()
    draft.refresh_from_db()
    assert submitted.status == Partnership.Status.ACTIVE
    assert draft.status == Partnership.Status.DRAFT
    said = messages_of(response)
    assert any(submitted.reference in m and "approved" in m for m in said)
    assert any(draft.reference in m and "only a submitted registration" in m for m in said)


def test_return_action_needs_a_reason(democratic_client, submitted):
    response = democratic_client.post(
        CHANGELIST,
        {
            "action": "return_selected",
            "_selected_action": [submitted.pk],
            "apply_decision": "Return for changes",
            "decision_body": "democratic_services",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Enter the reason for returning it" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Partnership.Status.SUBMITTED
    assert not ApprovalDecision.objects.exists()


def test_return_action_sends_the_partnership_back_with_the_reason(democratic_client, submitted):
    response = democratic_client.post(
        CHANGELIST,
        {
            "action": "return_selected",
            "_selected_action": [submitted.pk],
            "apply_decision": "Return for changes",
            "decision_body": "democratic_services",
            "decided_on": timezone.localdate().isoformat(),
            "reason": "Add the terms of reference.",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Partnership.Status.RETURNED
    decision = ApprovalDecision.objects.get()
    assert decision.decision == ApprovalDecision.Decision.RETURNED
    assert decision.reason == "Add the terms of reference."
    change = submitted.status_changes.first()
    assert (change.from_status, change.to_status) == ("submitted", "returned")


def test_a_significant_partnership_needs_cabinet_or_the_chief_executive(
    democratic_client, officer, sponsor
):
    partnership = complete_partnership(
        author=officer, sponsoring_officer=sponsor, material_service_delivery=True
    )
    services.submit(partnership=partnership, by=officer)

    response = democratic_client.post(
        CHANGELIST,
        {
            "action": "approve_selected",
            "_selected_action": [partnership.pk],
            "apply_decision": "Approve",
            "decision_body": "democratic_services",
            "decided_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.SUBMITTED
    assert not ApprovalDecision.objects.exists()
    assert any("Cabinet or the Chief Executive" in m for m in messages_of(response))


def test_a_decision_cannot_be_dated_in_the_future(democratic_client, submitted):
    response = democratic_client.post(
        CHANGELIST,
        {
            "action": "approve_selected",
            "_selected_action": [submitted.pk],
            "apply_decision": "Approve",
            "decision_body": "democratic_services",
            "decided_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "today or in the past" in response.content.decode()
    assert not ApprovalDecision.objects.exists()


# Saving the change form ---------------------------------------------------------------------


def test_a_current_save_is_kept_and_moves_the_version_on(democratic_client):
    partnership = complete_partnership(name="Old name")
    data = change_form_data(democratic_client.get(change_url(partnership)))
    data["name"] = "New name"

    response = democratic_client.post(change_url(partnership), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    partnership.refresh_from_db()
    assert partnership.name == "New name"
    assert partnership.version == 2


def test_a_stale_save_is_refused_and_saves_nothing(democratic_client, officer):
    partnership = complete_partnership(name="Original", purpose="First purpose")
    data = change_form_data(democratic_client.get(change_url(partnership)))
    # Someone else saves the partnership while the form is open.
    partnership.purpose = "Someone else's purpose"
    services.save_with_version(partnership, expected_version=1)
    data["name"] = "My name"
    data["representations-0-role"] = "chair"

    response = democratic_client.post(change_url(partnership), data)

    assert response.status_code == 200
    assert "Someone else changed this partnership since you opened it" in response.content.decode()
    assert response.context["adminform"].form["name"].value() == "My name"
    partnership.refresh_from_db()
    assert (partnership.name, partnership.purpose) == ("Original", "Someone else's purpose")
    assert partnership.version == 2
    assert partnership.representations.get().role == "representative"


def test_status_and_reference_cannot_be_changed_in_the_form(democratic_client):
    partnership = complete_partnership()
    reference = partnership.reference
    data = change_form_data(democratic_client.get(change_url(partnership)))
    data.update(status="active", reference="P-1999-001")

    response = democratic_client.post(change_url(partnership), data)

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.status, partnership.reference) == ("draft", reference)


def test_a_closed_partnership_cannot_be_changed(democratic_client):
    partnership = complete_partnership(name="Ended", status=Partnership.Status.CLOSED)
    response = democratic_client.get(change_url(partnership))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]

    response = democratic_client.post(change_url(partnership), {"name": "Reopened"})
    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.name == "Ended"


def test_adding_a_partnership_records_its_author_status_and_checklist(
    democratic_client, democratic_services
):
    data = change_form_data(democratic_client.get(reverse("admin:register_partnership_add")))
    data.update(name="Added in admin", council_role="lead")

    response = democratic_client.post(reverse("admin:register_partnership_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    partnership = Partnership.objects.get(name="Added in admin")
    assert partnership.author == democratic_services
    assert partnership.reference.startswith("P-")
    assert partnership.status == Partnership.Status.DRAFT
    assert StatusChange.objects.filter(partnership=partnership, to_status="draft").exists()
    active = ChecklistConsideration.objects.filter(is_active=True).count()
    assert ChecklistAnswer.objects.filter(partnership=partnership).count() == active


def test_checklist_answers_are_changed_in_their_inline(democratic_client):
    partnership = complete_partnership()
    data = change_form_data(democratic_client.get(change_url(partnership)))
    data["checklist_answers-0-answer"] = "na"
    data["checklist_answers-0-notes"] = "Not relevant here."

    response = democratic_client.post(change_url(partnership), data)

    assert response.status_code == 302
    first = partnership.checklist_answers.first()
    assert (first.answer, first.notes) == ("na", "Not relevant here.")


# History ------------------------------------------------------------------------------------


def test_history_shows_who_changed_which_field_from_what_to_what(
    democratic_client, democratic_services
):
    partnership = complete_partnership(name="Before the change")
    data = change_form_data(democratic_client.get(change_url(partnership)))
    data["name"] = "After the change"
    assert democratic_client.post(change_url(partnership), data).status_code == 302

    response = democratic_client.get(
        reverse("admin:register_partnership_history", args=[partnership.pk])
    )

    assert response.status_code == 200
    entries = response.context["history"]
    change = next(entry for entry in entries if entry.what == "Changed")
    assert change.who == democratic_services.get_full_name()
    assert any(
        (c.field, c.before, c.after)
        == ("Name of partnership", "Before the change", "After the change")
        for c in change.changes
    )
    content = response.content.decode()
    assert "Before the change" in content
    assert "After the change" in content
    # Changes to the rows that belong to it are there too.
    assert any(entry.record.startswith("Representative") for entry in entries)


def test_history_in_admin_shows_every_change_fifty_to_a_page(democratic_client):
    directorate = Directorate.objects.create(name="Name 0")
    for number in range(1, 60):
        directorate.name = f"Name {number}"
        directorate.save()
    url = reverse("admin:register_directorate_history", args=[directorate.pk])

    first = democratic_client.get(url)
    assert [entry.what for entry in first.context["history"]].count("Changed") == 50
    assert "Page 1 of 2" in first.content.decode()
    assert first.context["history"][0].changes[0].after == "Name 59"

    second = democratic_client.get(url + "?page=2")
    entries = second.context["history"]
    assert [entry.what for entry in entries] == ["Changed"] * 9 + ["Created"]
    assert entries[-2].changes[0].after == "Name 1"
    assert 'rel="prev"' in second.content.decode()
    assert democratic_client.get(url + "?page=abc").status_code == 200
