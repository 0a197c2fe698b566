from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risk registers"

    def ready(self):
        from register.signals import grant_role_permissions
        from risks.defaults import seed_after_migrate

        post_migrate.connect(seed_after_migrate, sender=self)
        # The roles' admin permissions are granted after register migrates, before this app's
        # permissions exist; granting again once they do gives Democratic Services and Read-only
        # their rights over risks from the first migrate.
        post_migrate.connect(grant_role_permissions, sender=self)
