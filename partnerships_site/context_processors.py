from django.conf import settings
from django.urls import reverse


def site(request):
    """The service's name and navigation, for every page."""
    user = getattr(request, "user", None)
    nav_items = []
    if user is not None and user.is_authenticated:
        current = getattr(getattr(request, "resolver_match", None), "view_name", None)
        nav_items.append({"label": "Home", "url": reverse("home"), "active": current == "home"})
        if user.is_staff:
            nav_items.append({"label": "Admin", "url": reverse("admin:index"), "active": False})
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "nav_items": nav_items,
    }
