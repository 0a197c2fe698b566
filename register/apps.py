from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "Partnerships register"

    def ready(self):
        from register.signals import grant_role_permissions, restore_reference_data

        post_migrate.connect(grant_role_permissions, sender=self)
        post_migrate.connect(restore_reference_data, sender=self)
