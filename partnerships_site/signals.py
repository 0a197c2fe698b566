from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from partnerships_site.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY


@receiver(user_logged_in)
def remember_when_the_session_started(sender, request, user, **kwargs):
    """Stamp the session so SessionLifetimeMiddleware can end it 12 hours later."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_RENEWED_KEY] = now
