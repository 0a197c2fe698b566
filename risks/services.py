"""Writes to a risk register that span several records: saving a risk with its controls and
actions, recording a review, closing a risk.

Each function is keyword-only and runs in one transaction, so nothing is ever half-saved.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerships_site.dates import add_months
from register.notifications import notify_assignment
from register.services import ConflictError, save_with_version
from risks.models import SCORE_FIELDS, Action, Matrix, Risk, RiskReview

__all__ = ["ConflictError", "close_risk", "next_review_after", "record_review", "save_risk"]


def next_review_after(day, likelihood, impact, matrix):
    """When a risk with this actual score is next reviewed: its band's cadence after `day`."""
    band = matrix.band_for(likelihood * impact)
    if band is None:
        raise ValidationError(
            f"The risk matrix has no band for a score of {likelihood * impact}, so no review "
            "date can be set. Ask Democratic Services to correct the score bands."
        )
    return add_months(day, band.review_cadence_months)


def _added_with_token(risk):
    """The risk already added from the same "Add a risk" page (same token), if there is one."""
    if risk.creation_token is None:
        return None
    existing = Risk.objects.filter(creation_token=risk.creation_token).first()
    if existing is not None and existing.partnership_id != risk.partnership_id:
        raise ValidationError("This page has expired. Reload it and try again.")
    return existing


@transaction.atomic
def save_risk(*, risk, formsets=(), expected_version=None, matrix=None, by=None):
    """Save a new or changed risk with its controls and actions (inline formsets).

    A new risk gets the partnership's next reference and a first review date from its actual
    score's band; one carrying the creation token of a risk already added (the same page posted
    twice) returns that risk and saves nothing. A changed risk is saved only if nobody else
    saved it since it was opened (ConflictError otherwise); if its actual score moved into a
    band reviewed more often, its next review comes forward. A new risk owner or action owner
    is told by email once it commits.
    """
    matrix = matrix or Matrix.load()
    due = next_review_after(risk.raised_on, risk.actual_likelihood, risk.actual_impact, matrix)
    owner_before = (
        Risk.objects.filter(pk=risk.pk).values_list("owner_id", flat=True).first()
        if risk.pk
        else None
    )
    if risk.pk is None:
        existing = _added_with_token(risk)
        if existing is not None:
            return existing
        risk.next_review_due = due
        risk.full_clean(exclude=["reference", "creation_token"])
        try:
            with transaction.atomic():
                risk.save()
        except IntegrityError:
            # The same page posted at the same moment: the other post added the risk first.
            existing = _added_with_token(risk)
            if existing is None:
                raise
            return existing
    else:
        last_review = risk.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True)
        since = last_review.first() or risk.raised_on
        sooner = next_review_after(since, risk.actual_likelihood, risk.actual_impact, matrix)
        risk.next_review_due = min(risk.next_review_due, sooner)
        risk.full_clean()
        save_with_version(risk, expected_version=expected_version)
    for formset in formsets:
        formset.instance = risk
        formset.save()
    if risk.owner_id != owner_before:
        notify_assignment(
            recipient=risk.owner,
            role="risk owner",
            item=risk,
            url=risk.get_absolute_url(),
            partnership=risk.partnership,
            by=by,
        )
    for formset in formsets:
        if formset.model is not Action:
            continue
        reassigned = [obj for obj, fields in formset.changed_objects if "owner" in fields]
        for action in [*formset.new_objects, *reassigned]:
            notify_assignment(
                recipient=action.owner,
                role="action owner",
                item=action,
                url=action.get_absolute_url(),
                partnership=risk.partnership,
                due=action.estimated_completion,
                by=by,
            )
    return risk


@transaction.atomic
def record_review(
    *,
    risk,
    by,
    reviewed_on,
    actual_likelihood,
    actual_impact,
    inherent_likelihood=None,
    inherent_impact=None,
    residual_likelihood=None,
    residual_impact=None,
    notes="",
    expected_version=None,
    matrix=None,
):
    """Record a review of a risk: its scores now, and when it is next reviewed.

    The risk takes the review's scores (inherent and residual only where given), and its next
    review falls due by the cadence of the band its new actual score is in.
    """
    matrix = matrix or Matrix.load()
    locked = Risk.objects.select_for_update().get(pk=risk.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError
    if locked.status != Risk.Status.OPEN:
        raise ValidationError("This risk is closed, so it cannot be reviewed.")
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": "The date of the review cannot be in the future."})
    if reviewed_on < locked.raised_on:
        raise ValidationError(
            {"reviewed_on": "The date of the review cannot be before the risk was raised."}
        )

    given = {
        "inherent_likelihood": inherent_likelihood,
        "inherent_impact": inherent_impact,
        "actual_likelihood": actual_likelihood,
        "actual_impact": actual_impact,
        "residual_likelihood": residual_likelihood,
        "residual_impact": residual_impact,
    }
    for name, value in given.items():
        if value is not None:
            setattr(locked, name, value)
    locked.next_review_due = next_review_after(
        reviewed_on, locked.actual_likelihood, locked.actual_impact, matrix
    )
    locked.full_clean()
    review = RiskReview(
        risk=locked,
        reviewer=by,
        reviewed_on=reviewed_on,
        notes=notes,
        next_review_due=locked.next_review_due,
        **{name: getattr(locked, name) for name in SCORE_FIELDS},
    )
    review.full_clean()
    review.save()
    locked.version += 1
    locked.save(update_fields=[*SCORE_FIELDS, "next_review_due", "version", "updated_at"])
    for name in [*SCORE_FIELDS, "next_review_due", "version"]:
        setattr(risk, name, getattr(locked, name))
    return review


@transaction.atomic
def close_risk(*, risk, reason, expected_version, closed_on=None):
    """Close a risk that no longer threatens the partnership; it stays on record."""
    if risk.status != Risk.Status.OPEN:
        raise ValidationError("This risk is already closed.")
    risk.status = Risk.Status.CLOSED
    risk.closed_reason = reason
    risk.closed_on = closed_on or timezone.localdate()
    save_with_version(
        risk,
        expected_version=expected_version,
        update_fields=["status", "closed_reason", "closed_on", "updated_at"],
    )
    return risk
