"""Who may record annual reviews and exits: object permissions through django-rules.

The sponsoring officer and Democratic Services record reviews and exits; an exit action's owner
updates its progress; everyone else who may read the partnership reads; Read-only users change
nothing; and once a partnership is closed nothing changes at all.
"""

import rules

from register.models import Partnership
from register.rules import can_write, is_democratic_services, is_sponsor


@rules.predicate
def is_active(user, partnership):
    return partnership is not None and partnership.status == Partnership.Status.ACTIVE


@rules.predicate
def is_reviewable(user, partnership):
    return partnership is not None and partnership.status in [
        Partnership.Status.ACTIVE,
        Partnership.Status.UNDER_REVIEW,
    ]


@rules.predicate
def is_exiting(user, partnership):
    return partnership is not None and partnership.status == Partnership.Status.EXITING


@rules.predicate
def is_not_closed(user, partnership):
    return partnership is not None and partnership.status != Partnership.Status.CLOSED


can_record = can_write & is_not_closed & (is_democratic_services | is_sponsor)


# Predicates on an exit action, for its owner's progress updates.
@rules.predicate
def owns_action(user, action):
    return (
        action is not None
        and action.owner.user_id is not None
        and (action.owner.user_id == user.pk)
    )


@rules.predicate
def action_is_open(user, action):
    return (
        action is not None
        and action.strategy.is_open
        and action.strategy.partnership.status == Partnership.Status.EXITING
    )


@rules.predicate
def records_for_action(user, action):
    return action is not None and can_record(user, action.strategy.partnership)


rules.add_perm("reviews.start_review", can_record & is_active)
rules.add_perm("reviews.record_review", can_record)
rules.add_perm("reviews.manage_exit", can_record & is_exiting)
rules.add_perm("reviews.set_next_review_date", can_write & is_democratic_services & is_reviewable)
rules.add_perm(
    "reviews.update_exit_action", can_write & action_is_open & (owns_action | records_for_action)
)
