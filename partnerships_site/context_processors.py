from django.conf import settings
from django.urls import reverse

from register.rules import sees_everything


def site(request):
    """The service's name and navigation, for every page."""
    user = getattr(request, "user", None)
    nav_items = []
    if user is not None and user.is_authenticated:
        current = getattr(getattr(request, "resolver_match", None), "view_name", None)
        nav_items.append({"label": "Home", "url": reverse("home"), "active": current == "home"})
        nav_items.append(
            {
                "label": "Register",
                "url": reverse("register:partnership_list"),
                "active": bool(current and current.startswith("register:partnership_")),
            }
        )
        nav_items.append(
            {
                "label": "Reviews due",
                "url": reverse("reviews:review_due_list"),
                "active": current == "reviews:review_due_list",
            }
        )
        nav_items.append(
            {
                "label": "Risks",
                "url": reverse("risks:risk_council_list"),
                "active": bool(current and current.startswith("risks:risk_council")),
            }
        )
        if sees_everything(user):
            nav_items.append(
                {
                    "label": "Reports",
                    "url": reverse("register:report_annual"),
                    "active": bool(current and current.startswith("register:report_")),
                }
            )
        if sees_everything(user):
            nav_items.append(
                {
                    "label": "Overview",
                    "url": reverse("register:overview"),
                    "active": current == "register:overview",
                }
            )
        if user.is_staff:
            nav_items.append({"label": "Admin", "url": reverse("admin:index"), "active": False})
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "nav_items": nav_items,
    }
