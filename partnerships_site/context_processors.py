from django.conf import settings

from partnerships_site.links import record_url
from register.rules import sees_everything


def site(request):
    """The service's name and navigation, for every page.

    The links are reversed once per URL name (links.record_url), not on every page.
    """
    user = getattr(request, "user", None)
    nav_items = []
    if user is not None and user.is_authenticated:
        current = getattr(getattr(request, "resolver_match", None), "view_name", None)
        nav_items.append({"label": "Home", "url": record_url("home"), "active": current == "home"})
        nav_items.append(
            {
                "label": "Register",
                "url": record_url("register:partnership_list"),
                "active": bool(current and current.startswith("register:partnership_")),
            }
        )
        nav_items.append(
            {
                "label": "Reviews due",
                "url": record_url("reviews:review_due_list"),
                "active": current == "reviews:review_due_list",
            }
        )
        nav_items.append(
            {
                "label": "Risks",
                "url": record_url("risks:risk_council_list"),
                "active": bool(current and current.startswith("risks:risk_council")),
            }
        )
        if sees_everything(user):
            nav_items.append(
                {
                    "label": "Reports",
                    "url": record_url("register:report_annual"),
                    "active": bool(current and current.startswith("register:report_")),
                }
            )
            nav_items.append(
                {
                    "label": "Overview",
                    "url": record_url("register:overview"),
                    "active": current == "register:overview",
                }
            )
        if user.is_staff:
            nav_items.append({"label": "Admin", "url": record_url("admin:index"), "active": False})
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "nav_items": nav_items,
    }
