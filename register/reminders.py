"""Reminder digests: what falls due soon or is overdue, gathered per person and sent once.

`send_reminders` (the management command, run daily from cron) calls `send_reminders()`.
Each digest is claimed in the database (a SentReminder row, unique per address, kind and period)
before it is sent, inside one transaction: a second run, or a run on another server at the same
moment, finds the row taken and sends nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from smtplib import SMTPException

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse

from register.models import Partnership, Profile, SentReminder
from register.notifications import absolute_url, digest_frequency, recipient_details, send_email
from reviews.models import ExitAction, ExitStrategy, due_for_review
from risks.models import Action, Risk

logger = logging.getLogger(__name__)

# How far ahead each kind of reminder looks, in days.
ANNUAL_REVIEW_WINDOW_DAYS = 30
RISK_REVIEW_WINDOW_DAYS = 14
ACTION_WINDOW_DAYS = 30

Frequency = Profile.DigestFrequency
SECTIONS = ["Annual reviews", "Risk reviews", "Risk actions", "Exit actions"]


@dataclass
class Item:
    """One thing due or overdue, for one person, with a link to act on it."""

    section: str
    title: str
    partnership: Partnership
    due: date
    url: str
    overdue: bool
    owner: str


@dataclass
class Recipient:
    email: str
    name: str
    frequency: str
    has_account: bool
    items: list = field(default_factory=list)

    def sections(self):
        """(heading, items) in a fixed order, overdue first, then by due date."""
        grouped = []
        for heading in SECTIONS:
            items = sorted(
                (item for item in self.items if item.section == heading),
                key=lambda item: (item.due, item.title),
            )
            if items:
                grouped.append((heading, items))
        return grouped

    @property
    def overdue_count(self):
        return sum(item.overdue for item in self.items)


def iso_week(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_items(today):
    """Every (owner, Item) due within its window or overdue, owners being Users or People."""
    annual = due_for_review(
        Partnership.objects.exclude(sponsoring_officer=None).select_related(
            "sponsoring_officer__profile"
        ),
        today=today,
        within_days=ANNUAL_REVIEW_WINDOW_DAYS,
    )
    for partnership in annual:
        yield (
            partnership.sponsoring_officer,
            Item(
                "Annual reviews",
                f"Annual review of {partnership}",
                partnership,
                partnership.next_review_due,
                absolute_url(reverse("reviews:partnership_reviews", args=[partnership.reference])),
                partnership.next_review_due < today,
                recipient_details(partnership.sponsoring_officer)[1],
            ),
        )
    risks = (
        Risk.objects.open()
        .exclude(partnership__status=Partnership.Status.CLOSED)
        .filter(next_review_due__lte=today + timedelta(days=RISK_REVIEW_WINDOW_DAYS))
        .select_related("owner__user__profile", "partnership__sponsoring_officer__profile")
    )
    for risk in risks:
        yield (
            risk.owner,
            Item(
                "Risk reviews",
                f"Review risk {risk}",
                risk.partnership,
                risk.next_review_due,
                absolute_url(risk.get_absolute_url()),
                risk.next_review_due < today,
                risk.owner.name,
            ),
        )
    actions = (
        Action.objects.open()
        .filter(
            risk__status=Risk.Status.OPEN,
            estimated_completion__lte=today + timedelta(days=ACTION_WINDOW_DAYS),
        )
        .exclude(risk__partnership__status=Partnership.Status.CLOSED)
        .select_related("owner__user__profile", "risk__partnership__sponsoring_officer__profile")
    )
    for action in actions:
        yield (
            action.owner,
            Item(
                "Risk actions",
                f"{action.risk.reference}: {action}",
                action.risk.partnership,
                action.estimated_completion,
                absolute_url(action.get_absolute_url()),
                action.estimated_completion < today,
                action.owner.name,
            ),
        )
    exit_actions = (
        ExitAction.objects.open()
        .filter(
            strategy__status=ExitStrategy.Status.OPEN,
            due_date__lte=today + timedelta(days=ACTION_WINDOW_DAYS),
        )
        .select_related(
            "owner__user__profile", "strategy__partnership__sponsoring_officer__profile"
        )
    )
    for exit_action in exit_actions:
        partnership = exit_action.strategy.partnership
        yield (
            exit_action.owner,
            Item(
                "Exit actions",
                str(exit_action),
                partnership,
                exit_action.due_date,
                absolute_url(
                    reverse(
                        "reviews:exit_action_update", args=[partnership.reference, exit_action.pk]
                    )
                ),
                exit_action.due_date < today,
                exit_action.owner.name,
            ),
        )


def _add(recipients, person_or_user, item):
    email, name, user = recipient_details(person_or_user)
    if not email:
        return
    key = email.lower()
    if key not in recipients:
        recipients[key] = Recipient(email, name, digest_frequency(user), user is not None)
    elif user is not None and not recipients[key].has_account:
        recipients[key].frequency = digest_frequency(user)
        recipients[key].has_account = True
    recipients[key].items.append(item)


def _apply_account_preferences(recipients):
    """A person named without a link to their sign-in still gets the choice made on that sign-in."""
    unlinked = [key for key, recipient in recipients.items() if not recipient.has_account]
    if not unlinked:
        return
    users = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=unlinked)
        .select_related("profile")
    )
    for user in users:
        recipients[user.address].frequency = digest_frequency(user)


def gather(today):
    """(digests, overdue summaries): Recipients keyed by address, each with their items."""
    digests, summaries = {}, {}
    for owner, item in due_items(today):
        _add(digests, owner, item)
        sponsor = item.partnership.sponsoring_officer
        if item.overdue and sponsor is not None:
            _add(summaries, sponsor, item)
    _apply_account_preferences(digests)
    return digests, summaries


def _send_once(*, recipient, kind, period, subject, template, context):
    """Claim the (address, kind, period) row, then send; False if it was already claimed."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                recipient=recipient.email.lower(),
                kind=kind,
                period=period,
                item_count=len(recipient.items),
            )
            send_email(subject=subject, template=template, context=context, to=recipient.email)
    except IntegrityError:
        return False
    return True


@dataclass
class Outcome:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def send_reminders(today):
    """Send today's digests and this week's overdue summaries that have not been sent yet."""
    digests, summaries = gather(today)
    outcome = Outcome()
    week = iso_week(today)
    jobs = []
    for recipient in digests.values():
        if recipient.frequency == Frequency.OFF:
            continue
        period = week if recipient.frequency == Frequency.WEEKLY else today.isoformat()
        subject = f"Due soon and overdue: {len(recipient.items)} for you"
        jobs.append((recipient, SentReminder.Kind.DIGEST, period, subject, "digest"))
    for recipient in summaries.values():
        # The sponsoring officer answers for the partnership, so this summary is always sent.
        subject = f"Overdue in your partnerships: {len(recipient.items)}"
        jobs.append(
            (recipient, SentReminder.Kind.OVERDUE_SUMMARY, week, subject, "overdue_summary")
        )
    for recipient, kind, period, subject, template in jobs:
        context = {
            "name": recipient.name,
            "sections": recipient.sections(),
            "overdue_count": recipient.overdue_count,
            "today": today,
            "preferences_url": (
                absolute_url(reverse("register:preferences")) if recipient.has_account else ""
            ),
        }
        try:
            sent = _send_once(
                recipient=recipient,
                kind=kind,
                period=period,
                subject=subject,
                template=template,
                context=context,
            )
        except (SMTPException, OSError):
            # The claim was rolled back with the failed send, so the next run tries again.
            logger.exception("Could not send the %s to %s", kind, recipient.email)
            outcome.failed.append((recipient.email, kind))
            continue
        if sent:
            outcome.sent.append((recipient.email, kind))
    return outcome
