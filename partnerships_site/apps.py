from django.apps import AppConfig


class PartnershipsSiteConfig(AppConfig):
    name = "partnerships_site"
    verbose_name = "Partnerships Register site"

    def ready(self):
        from partnerships_site import prepared, signals  # noqa: F401
