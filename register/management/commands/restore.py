from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships_site.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database, and its uploaded "
        "documents into MEDIA_ROOT. Refuses a database that already has tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file (partnerships-....tar).")
        parser.add_argument(
            "--database-name",
            default=None,
            help="Restore into this database on the same server instead of the app's own "
            "(it must exist), for example to check a backup without touching live data.",
        )
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="Restore even though the database has tables: drop the backup's tables and "
            "load them again. Anything written since the backup is lost.",
        )

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(
                options["file"],
                dbname=options["database_name"],
                replace=options["replace_existing"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        made = manifest.get("created_at", "an unknown time")
        self.stdout.write(f"Restored the backup made at {made} from {options['file']}")
        if options["database_name"] is None:
            self.stdout.write(
                "Restart the app servers that use this database: pages they drew before the "
                "restore must not be shown after it."
            )
