"""Workflows that span several records: registering, submitting and deciding on a partnership.

Each function is keyword-only, runs in one transaction, checks the state it starts from and
sends its email only once the transaction has committed.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from partnerships_site.dates import add_years
from register.models import (
    ApprovalDecision,
    ChecklistAnswer,
    ChecklistConsideration,
    Partnership,
    StatusChange,
)
from register.notifications import email_on_commit

Status = Partnership.Status


class ConflictError(Exception):
    """Someone else saved the record since this person opened it."""


def save_with_version(instance, *, expected_version, update_fields=None):
    """Save a versioned record only if nobody has saved it since `expected_version` was read.

    The check and the write are one UPDATE, so two people saving at once cannot both win.
    """
    model = type(instance)
    fields = update_fields or [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key
        and not f.generated  # PostgreSQL keeps those (Partnership.search_text)
        and f.name not in {"version", "reference", "creation_token"}
    ]
    values = {name: getattr(instance, name) for name in fields if name != "updated_at"}
    if "updated_at" in {f.name for f in model._meta.concrete_fields}:
        values["updated_at"] = timezone.now()
    # pghistory's triggers record the UPDATE like any other change.
    changed = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if not changed:
        raise ConflictError
    instance.version = expected_version + 1


def _record_status(partnership, *, to_status, by, reason=""):
    StatusChange.objects.create(
        partnership=partnership,
        from_status=partnership.status,
        to_status=to_status,
        changed_by=by,
        reason=reason,
    )
    partnership.status = to_status


def _email(subject, template, context, recipients):
    email_on_commit(
        subject=subject,
        template=f"register/email/{template}",
        context=context,
        recipients=recipients,
    )


@transaction.atomic
def start_registration(*, author, name, creation_token=None, **fields):
    """Open a draft registration, prefilled with Section 1 from the author's profile.

    A repeated post of the same form (same creation token) returns the draft it already made.
    """
    if creation_token:
        existing = Partnership.objects.filter(creation_token=creation_token).first()
        if existing is not None:
            if existing.author_id != author.pk:
                raise PermissionDenied
            return existing
    profile = getattr(author, "profile", None)
    partnership = Partnership(
        author=author,
        name=name,
        creation_token=creation_token,
        completed_by_name=author.get_full_name() or author.get_username(),
        completed_by_title=profile.job_title if profile else "",
        completed_by_directorate=str(profile.directorate or "") if profile else "",
        completed_by_extension=profile.phone_extension if profile else "",
        directorate=profile.directorate if profile else None,
        **fields,
    )
    # The token's uniqueness is left to the database: a same-moment post that saved first is
    # found below, where checking here would report it to the person as an error.
    partnership.full_clean(exclude=["reference", "creation_token"])
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError:
        # The same form posted at the same moment: the other post made the draft first.
        existing = Partnership.objects.filter(creation_token=creation_token).first()
        if creation_token is None or existing is None:
            raise
        if existing.author_id != author.pk:
            raise PermissionDenied from None
        return existing
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(partnership=partnership, consideration=consideration)
        for consideration in ChecklistConsideration.objects.filter(is_active=True)
    )
    StatusChange.objects.create(
        partnership=partnership, from_status="", to_status=Status.DRAFT, changed_by=author
    )
    return partnership


def missing_for_submission(partnership) -> list[tuple[str, str]]:
    """What the form still lacks before it can be submitted, as (section, message) pairs."""
    missing = []

    def need(condition, section, message):
        if not condition:
            missing.append((section, message))

    p = partnership
    need(p.completed_by_role, "about_you", "Enter your role in the partnership")
    need(p.purpose, "partnership", "Enter the purpose of the partnership")
    need(p.directorate_id, "partnership", "Select the lead directorate")
    need(p.sponsoring_officer_id, "partnership", "Select the sponsoring officer")
    need(p.monitoring_officer_id, "partnership", "Select the officer accountable for monitoring")
    need(p.start_date, "partnership", "Enter the start date")
    need(p.council_role, "council_role", "Select the role of the Council")
    need(
        p.council_role != Partnership.CouncilRole.OTHER or p.council_role_other,
        "council_role",
        "Describe the Council's role",
    )
    need(p.representations.exists(), "council_role", "Add at least one representative")
    need(
        p.corporate_priorities.exists(),
        "corporate_plan",
        "Select the Corporate Plan priorities it contributes to",
    )
    need(p.partners.exists(), "partners", "Add the other partners")
    need(
        p.council_role == Partnership.CouncilRole.LEAD or p.partners.filter(is_lead=True).exists(),
        "partners",
        "Say which organisation leads the partnership",
    )
    need(
        p.financial_contributions.exists()
        or p.officer_time.exists()
        or p.in_kind_contributions.exists(),
        "resources",
        "Add the resources the Council commits, even if only officer time",
    )
    need(p.has_risk_register is not None, "risk", "Say whether it has a risk register")
    need(
        p.has_risk_register is not False or p.no_risk_register_reason,
        "risk",
        "Say why it has no risk register",
    )
    need(p.risk_manager, "risk", "Say who is responsible for managing risk")
    need(
        not p.checklist_answers.filter(answer="", consideration__is_active=True).exists(),
        "checklist",
        "Answer every point to consider",
    )
    need(p.governing_document_type, "documents", "Select the type of governing document")
    need(p.benefits_justify_costs, "evaluation", "Say whether the benefits justify the costs")
    return missing


@transaction.atomic
def submit(*, partnership, by):
    """Send a completed registration to Democratic Services for approval."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.status not in Partnership.EDITABLE_BY_AUTHOR:
        raise ValidationError(
            f"This registration is {partnership.get_status_display().lower()}, "
            "so it cannot be submitted again."
        )
    missing = missing_for_submission(partnership)
    if missing:
        raise ValidationError([message for _, message in missing])
    profile = getattr(by, "profile", None)
    if by.pk == partnership.author_id and profile is not None:
        # Section 1 records who completed the form as they stood when they submitted it.
        partnership.completed_by_name = by.get_full_name() or by.get_username()
        partnership.completed_by_title = partnership.completed_by_title or profile.job_title
        partnership.completed_by_extension = (
            partnership.completed_by_extension or profile.phone_extension
        )
    _record_status(partnership, to_status=Status.SUBMITTED, by=by)
    partnership.submitted_at = timezone.now()
    partnership.version += 1
    partnership.save()
    _email(
        f"Partnership submitted for approval: {partnership.reference}",
        "submitted",
        {"partnership": partnership, "by": by},
        [settings.DEMOCRATIC_SERVICES_EMAIL],
    )
    return partnership


@transaction.atomic
def decide(
    *, partnership, by, decision, decision_body, decided_on, decision_reference="", reason=""
):
    """Record the approval decision on a submitted registration and move it on.

    Approved: active, with its first annual review due a year after the decision.
    Returned: back to its author with the reason. Rejected: closed to further changes.
    """
    partnership = (Partnership.objects.with_significance().select_for_update(of=("self",))).get(
        pk=partnership.pk
    )
    if partnership.status != Status.SUBMITTED:
        raise ValidationError(
            f"Only a submitted registration can be decided; this one is "
            f"{partnership.get_status_display().lower()}."
        )
    if not by.has_perm("register.decide_partnership", partnership):
        raise PermissionDenied
    if (
        decision == ApprovalDecision.Decision.APPROVED
        and partnership.is_significant
        and decision_body not in ApprovalDecision.SIGNIFICANT_BODIES
    ):
        raise ValidationError(
            {
                "decision_body": "A significant partnership must be approved by Cabinet "
                "or the Chief Executive."
            }
        )
    record = ApprovalDecision(
        partnership=partnership,
        decision=decision,
        decision_body=decision_body,
        decided_on=decided_on,
        decision_reference=decision_reference,
        reason=reason,
        was_significant=partnership.is_significant,
        recorded_by=by,
    )
    record.full_clean()
    record.save()

    new_status = {
        ApprovalDecision.Decision.APPROVED: Status.ACTIVE,
        ApprovalDecision.Decision.RETURNED: Status.RETURNED,
        ApprovalDecision.Decision.REJECTED: Status.REJECTED,
    }[decision]
    _record_status(partnership, to_status=new_status, by=by, reason=reason)
    if new_status == Status.ACTIVE:
        partnership.approved_on = decided_on
        partnership.next_review_due = add_years(decided_on, 1)
    partnership.version += 1
    partnership.save(
        update_fields=["status", "approved_on", "next_review_due", "version", "updated_at"]
    )
    _email(
        f"Partnership {record.get_decision_display().lower()}: {partnership.reference}",
        "decided",
        {"partnership": partnership, "decision": record},
        [partnership.author.email, getattr(partnership.sponsoring_officer, "email", "")],
    )
    return record
