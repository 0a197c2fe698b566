from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Annual reviews and exits"

    def ready(self):
        from register.signals import grant_role_permissions

        # The roles' admin permissions are granted after register migrates, before this app's
        # permissions exist; granting again once they do gives Democratic Services and Read-only
        # their rights over reviews and exits from the first migrate.
        post_migrate.connect(grant_role_permissions, sender=self)
