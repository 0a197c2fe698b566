"""Who may do what to a partnership: the one place object permissions are decided.

Views and templates ask `user.has_perm("register.change_partnership", partnership)`; the
predicates here answer, through django-rules' object permission backend.
"""

import rules

from register import roles
from register.models import Partnership, Representation

is_democratic_services = rules.is_group_member(roles.DEMOCRATIC_SERVICES)
is_read_only = rules.is_group_member(roles.READ_ONLY)
is_approver = rules.is_group_member(roles.APPROVER)


def sees_everything(user) -> bool:
    """Democratic Services and Read-only users (audit, scrutiny, risk) see every record."""
    return bool(user.is_authenticated and (is_democratic_services(user) or is_read_only(user)))


@rules.predicate
def is_author(user, partnership):
    return partnership is not None and partnership.author_id == user.pk


@rules.predicate
def is_sponsor(user, partnership):
    return partnership is not None and partnership.sponsoring_officer_id == user.pk


@rules.predicate
def is_manager(user, partnership):
    """The officer accountable for monitoring it, or a representative in the manager role."""
    if partnership is None:
        return False
    if partnership.monitoring_officer_id == user.pk:
        return True
    if not user.is_authenticated:
        return False
    read = getattr(partnership, "_prefetched_objects_cache", {}).get("representations")
    if read is not None:  # the page read them with the partnership, people and all
        return any(
            row.role == Representation.Role.MANAGER and row.person.user_id == user.pk
            for row in read
        )
    return Representation.objects.filter(
        partnership=partnership, person__user=user, role=Representation.Role.MANAGER
    ).exists()


@rules.predicate
def is_live(user, partnership):
    return partnership is not None and partnership.status in Partnership.LIVE_STATUSES


@rules.predicate
def is_submitted(user, partnership):
    return partnership is not None and partnership.status == Partnership.Status.SUBMITTED


@rules.predicate
def is_editable_by_author(user, partnership):
    return partnership is not None and partnership.status in Partnership.EDITABLE_BY_AUTHOR


@rules.predicate
def is_open_for_upkeep(user, partnership):
    """Live and not yet closed: its officers keep it up to date."""
    return partnership is not None and partnership.status in [
        Partnership.Status.ACTIVE,
        Partnership.Status.UNDER_REVIEW,
        Partnership.Status.EXITING,
    ]


@rules.predicate
def is_closed(user, partnership):
    return partnership is not None and partnership.status == Partnership.Status.CLOSED


@rules.predicate
def is_significant(user, partnership):
    return bool(getattr(partnership, "is_significant", False))


can_see_all = rules.predicate(sees_everything, name="sees_everything")
is_involved = is_author | is_sponsor | is_manager
can_write = rules.is_authenticated & ~is_read_only

can_view = can_see_all | is_live | is_involved | (is_approver & is_submitted)
can_change = (
    can_write
    & ~is_closed
    & (
        is_democratic_services
        | ((is_author | is_sponsor | is_manager) & is_editable_by_author)
        | ((is_sponsor | is_manager) & is_open_for_upkeep)
    )
)
can_submit = can_write & (is_author | is_sponsor | is_democratic_services) & is_editable_by_author
# Significant partnerships need Cabinet or the Chief Executive, recorded by an Approver or
# Democratic Services; others may also be approved by their sponsoring officer.
can_decide = (
    can_write
    & is_submitted
    & (is_democratic_services | is_approver | (is_sponsor & ~is_significant))
)

rules.add_perm("register.view_partnership", can_view)
rules.add_perm("register.change_partnership", can_change)
rules.add_perm("register.submit_partnership", can_submit)
rules.add_perm("register.decide_partnership", can_decide)
rules.add_perm("register.add_partnership", can_write)
rules.add_perm("register.export_register", rules.is_authenticated)
