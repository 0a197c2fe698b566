import pghistory
import pytest
from django.urls import reverse

from partnerships_site.history import EMPTY, history_for
from register.models import Directorate

pytestmark = pytest.mark.django_db


def test_history_names_who_changed_which_field_from_what_to_what(democratic_services):
    with pghistory.context(user=democratic_services.pk):
        directorate = Directorate.objects.create(name="Regeneration")
        directorate.name = "Planning and Regeneration"
        directorate.save()
        directorate.is_active = False
        directorate.save()

    entries = history_for(directorate)
    assert [entry.what for entry in entries] == ["Changed", "Changed", "Created"]
    newest = entries[0]
    assert newest.who == democratic_services.get_full_name()
    assert [(c.field, c.before, c.after) for c in newest.changes] == [("In use", "Yes", "No")]
    renamed = entries[1]
    assert [(c.field, c.before, c.after) for c in renamed.changes] == [
        ("Name", "Regeneration", "Planning and Regeneration")
    ]


def test_changes_made_through_admin_record_the_signed_in_user(
    democratic_client, democratic_services
):
    directorate = Directorate.objects.create(name="Customer Services")
    response = democratic_client.post(
        reverse("admin:register_directorate_change", args=[directorate.pk]),
        {"name": "Customers and Communities", "is_active": "on"},
    )
    assert response.status_code == 302
    change = history_for(directorate)[0]
    assert change.who == democratic_services.get_full_name()
    assert change.changes[0].after == "Customers and Communities"


def test_foreign_keys_show_the_related_record_not_its_id(officer, other_directorate):
    profile = officer.profile
    before = profile.directorate.name
    profile.directorate = other_directorate
    profile.save()
    change = history_for(profile)[0]
    assert [(c.field, c.before, c.after) for c in change.changes] == [
        ("Directorate", before, other_directorate.name)
    ]


def test_partnership_history_records_rows_added_and_removed_and_priorities(officer):
    from tests.factories import (
        CorporatePriorityFactory,
        RepresentationFactory,
        complete_partnership,
    )

    partnership = complete_partnership(author=officer)
    priority = CorporatePriorityFactory(name="Safe and clean neighbourhoods")
    with pghistory.context(user=officer.pk):
        representation = RepresentationFactory(partnership=partnership)
        person = str(representation.person)
        representation.delete()
        partnership.corporate_priorities.add(priority)
        partnership.corporate_priorities.remove(priority)

    # One transaction shares one timestamp, so look the entries up rather than rely on order.
    entries = history_for(partnership, include_related=True)

    def changes_of(what, record):
        return [
            (change.before, change.after)
            for entry in entries
            if (entry.what, entry.record) == (what, record)
            for change in entry.changes
        ]

    name = "Safe and clean neighbourhoods"
    assert (EMPTY, name) in changes_of("Added", "Corporate Plan priority")
    assert (name, EMPTY) in changes_of("Removed", "Corporate Plan priority")
    assert (person, EMPTY) in changes_of("Removed", "Representative")
    removed = next(e for e in entries if (e.what, e.record) == ("Removed", "Representative"))
    assert removed.who == officer.get_full_name()
    assert "Partnership" not in [change.field for change in removed.changes]


def _event_key(event):
    return (
        event.pgh_model,
        event.pgh_id,
        event.pgh_created_at,
        event.pgh_label,
        event.pgh_data,
        event.pgh_diff,
        event.pgh_context,
    )


def test_the_latest_events_are_those_pghistory_aggregates_in_the_same_order(officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships_site.history import history_events, latest_events
    from tests.factories import (
        ControlFactory,
        CorporatePriorityFactory,
        FinancialContributionFactory,
        RepresentationFactory,
        RiskFactory,
        complete_partnership,
    )

    partnership = complete_partnership(author=officer)
    priority = CorporatePriorityFactory(name="Safe and clean neighbourhoods")
    risk = RiskFactory(partnership=partnership)
    with pghistory.context(user=officer.pk):
        # Several changes in one transaction share one timestamp: the order must still agree.
        representation = RepresentationFactory(partnership=partnership)
        representation.delete()
        partnership.corporate_priorities.add(priority)
        contribution = FinancialContributionFactory(partnership=partnership)
        contribution.amount += 1000
        contribution.save()
        partnership.name = "Renamed partnership"
        partnership.save()
    with pghistory.context(user=officer.pk):
        risk.description = "A changed description"
        risk.save()
        ControlFactory(risk=risk)
        partnership.name = "Renamed again"
        partnership.save()

    for record in (partnership, risk, officer):
        for include_related in (True, False):
            everything = list(history_events(record, include_related=include_related))
            assert everything or record is officer
            for limit in (1, 2, 3, 5, 200):
                with CaptureQueriesContext(connection) as queries:
                    latest = latest_events(record, include_related=include_related, limit=limit)
                assert len(queries) == 1
                assert [_event_key(e) for e in latest] == [
                    _event_key(e) for e in everything[:limit]
                ]
    # Updates carry what changed, from what to what; a row's first event carries no changes.
    renamed = latest_events(partnership, limit=1)[0]
    assert renamed.pgh_diff["name"] == ["Renamed partnership", "Renamed again"]
    created = latest_events(risk, include_related=True, limit=200)[-1]
    assert created.pgh_label == "insert"
    assert created.pgh_diff is None
