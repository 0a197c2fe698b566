"""Who may do what to a partnership's risks: the one place risk permissions are decided.

Views and templates ask, for example, `user.has_perm("risks.change_risk", risk)`; the predicates
here answer through django-rules, building on the partnership's own permissions in
register/rules.py. Reading follows the partnership: whoever may view it may read its risks, and
everyone signed in may read the risks of live partnerships.
"""

import rules

from register import rules as register_rules
from register.models import Partnership

# A rejected registration or a closed partnership keeps its risks as a record; nobody changes them.
FROZEN_STATUSES = [Partnership.Status.CLOSED, Partnership.Status.REJECTED]


def _partnership(obj):
    """The partnership of a partnership, risk, action or control."""
    if obj is None or isinstance(obj, Partnership):
        return obj
    risk = getattr(obj, "risk", obj)
    return risk.partnership


def _risk(obj):
    if obj is None or isinstance(obj, Partnership):
        return None
    return getattr(obj, "risk", obj)


@rules.predicate
def can_view_partnership(user, obj):
    partnership = _partnership(obj)
    return partnership is not None and user.has_perm("register.view_partnership", partnership)


@rules.predicate
def is_partnership_sponsor(user, obj):
    partnership = _partnership(obj)
    return partnership is not None and partnership.sponsoring_officer_id == user.pk


@rules.predicate
def partnership_is_open(user, obj):
    partnership = _partnership(obj)
    return partnership is not None and partnership.status not in FROZEN_STATUSES


@rules.predicate
def risk_is_open(user, obj):
    risk = _risk(obj)
    return risk is not None and risk.status == risk.Status.OPEN


def _person_is_user(person, user):
    return person is not None and person.user_id is not None and person.user_id == user.pk


@rules.predicate
def is_risk_owner(user, obj):
    risk = _risk(obj)
    return risk is not None and _person_is_user(risk.owner, user)


@rules.predicate
def is_action_owner(user, action):
    return action is not None and _person_is_user(action.owner, user)


@rules.predicate
def owns_one_of_its_actions(user, obj):
    """The owner of an action (or, given a risk, of any of its actions)."""
    if obj is None or not user.is_authenticated:
        return False
    if hasattr(obj, "risk"):
        return _person_is_user(obj.owner, user)
    return obj.actions.filter(owner__user=user).exists() if hasattr(obj, "actions") else False


can_write = register_rules.can_write
manages_risks = (
    can_write
    & partnership_is_open
    & (register_rules.is_democratic_services | is_partnership_sponsor)
)

# Owners read their own risk and action even where the partnership itself is not open to them
# (a draft, say), so they can always review and update what they answer for.
can_view_risk = can_view_partnership | is_risk_owner | owns_one_of_its_actions
can_add_risk = manages_risks
can_change_risk = risk_is_open & (manages_risks | (can_write & partnership_is_open & is_risk_owner))
can_review_risk = can_change_risk
can_close_risk = risk_is_open & manages_risks
can_escalate_risk = risk_is_open & manages_risks
can_update_action = risk_is_open & (
    manages_risks | (can_write & partnership_is_open & (is_risk_owner | is_action_owner))
)

rules.add_perm("risks.view_risk", can_view_risk)
rules.add_perm("risks.add_risk", can_add_risk)
rules.add_perm("risks.change_risk", can_change_risk)
rules.add_perm("risks.review_risk", can_review_risk)
rules.add_perm("risks.close_risk", can_close_risk)
rules.add_perm("risks.escalate_risk", can_escalate_risk)
rules.add_perm("risks.change_action", can_update_action)
