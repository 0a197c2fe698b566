import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from partnerships_site.backends import group_names
from partnerships_site.forms import SignInForm
from partnerships_site.my_work import my_work
from register.rules import sees_everything


class HomeView(TemplateView):
    """My work: what the signed-in person has to do, with links to where they do it."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Read with the user (partnerships_site/backends.py); None if they have no profile.
        profile = getattr(user, "profile", None)
        links = [
            {
                "label": "Change your password",
                "url": reverse("password_change"),
                "description": "Choose a new password of at least 12 characters.",
            },
        ]
        can_register = user.has_perm("register.add_partnership")
        if can_register:
            links.insert(
                0,
                {
                    "label": "Register a partnership",
                    "url": reverse("register:partnership_create"),
                    "description": "Complete the Partnership Registration Form for a partnership "
                    "the Council is involved in.",
                },
            )
        if sees_everything(user):
            links.insert(
                0,
                {
                    "label": "Overview of the council's partnerships",
                    "url": reverse("register:overview"),
                    "description": "Partnerships by status and directorate, reviews overdue, "
                    "risks by band and resources committed.",
                },
            )
        if user.is_staff:
            links.append(
                {
                    "label": "Keep the register in Django admin",
                    "url": reverse("admin:index"),
                    "description": "Correct, approve, import and export register entries.",
                }
            )
        return super().get_context_data(
            profile=profile,
            roles=group_names(user),
            links=links,
            **my_work(user),
            **kwargs,
        )


@login_not_required
@require_safe
def accessibility_statement(request):
    return render(
        request,
        "accessibility.html",
        {"accessibility_contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )


@login_not_required
@require_safe
@never_cache
def healthz(request):
    """Tell a load balancer whether this server can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """The styled error page: 503 while the database cannot be reached, 500 for anything else.

    Django calls this inside its exception handler, so sys.exc_info() is what went wrong. A 503
    tells load balancers and monitoring that the service is down for now, not broken.
    """
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    response = HttpResponse(
        loader.get_template("500.html").render(), status=503 if unavailable else 500
    )
    if unavailable:
        response["Retry-After"] = "30"
    return response


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows once a username has failed to sign in too many times."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": True, "cooloff_minutes": minutes},
        status=429,
    )
