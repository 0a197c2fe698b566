from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships_site.backups import BackupError, default_backup_dir, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the uploaded documents into one timestamped file, "
        "var/backups/partnerships-<UTC time>.tar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help=f"Where to write the backup (default: {default_backup_dir()}).",
        )

    def handle(self, *args, **options):
        try:
            path = make_backup(options["output_dir"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the database and documents to {path}")
