"""Seed the set-up checklist from the protocol's Appendix 1 and the significance threshold.

Both are data that Democratic Services edit in admin afterwards; this only gives them a start.
"""

from django.db import migrations

from register.protocol import seed_checklist_and_threshold


def seed(apps, schema_editor):
    seed_checklist_and_threshold(
        apps.get_model("register", "ChecklistConsideration"),
        apps.get_model("register", "SignificanceThreshold"),
    )


class Migration(migrations.Migration):
    dependencies = [("register", "0002_role_groups")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
