"""Seed the council's risk matrix with the usual 5 x 5 defaults (see risks/defaults.py)."""

from django.db import migrations

from risks.defaults import seed_default_matrix


def seed(apps, schema_editor):
    seed_default_matrix(
        apps.get_model("risks", "RiskMatrix"),
        apps.get_model("risks", "LikelihoodLevel"),
        apps.get_model("risks", "ImpactLevel"),
        apps.get_model("risks", "ScoreBand"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
