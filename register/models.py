import pghistory
from django.conf import settings
from django.db import models


@pghistory.track()
class Directorate(models.Model):
    """A directorate of the council, as Democratic Services list it."""

    name = models.CharField(max_length=150, unique=True)
    is_active = models.BooleanField(
        "In use",
        default=True,
        help_text="Untick to stop offering it on forms. Records that name it keep it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


@pghistory.track()
class Profile(models.Model):
    """A signed-in person's details, as Section 1 of the registration form asks for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    job_title = models.CharField("Job title", max_length=150, blank=True)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    phone_extension = models.CharField("Extension", max_length=20, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()
