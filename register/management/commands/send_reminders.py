from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from register.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Email each person one digest of what is due soon or overdue for them, and each "
        "sponsoring officer a weekly summary of what is overdue in their partnerships. Run "
        "daily from cron; safe to run twice or on two servers: nothing is sent twice."
    )

    def handle(self, *args, **options):
        outcome = send_reminders(timezone.localdate())
        self.stdout.write(f"Sent {len(outcome.sent)} reminder emails.")
        if outcome.failed:
            addresses = ", ".join(email for email, _ in outcome.failed)
            raise CommandError(
                f"{len(outcome.failed)} reminder emails could not be sent and will be tried "
                f"again on the next run: {addresses}"
            )
