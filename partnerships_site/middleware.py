"""Site-wide request handling: unsafe input, session lifetime, caching and audit context."""

import re
from urllib.parse import unquote_to_bytes

import pghistory.middleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

SESSION_STARTED_KEY = "session_started_at"
SESSION_RENEWED_KEY = "session_renewed_at"

# NUL cannot be stored in PostgreSQL text, and lone surrogates cannot be encoded as UTF-8:
# both would fail deep inside a view, so they are refused at the door. Django decodes form data
# leniently (a surrogate's bytes become U+FFFD), so the raw bytes are checked as well.
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
UNSAFE_BYTES = re.compile(rb"\x00|\xed[\xa0-\xbf]")


def _has_unsafe_characters(querydict) -> bool:
    for key, values in querydict.lists():
        if UNSAFE_CHARACTERS.search(key):
            return True
        for value in values:
            if isinstance(value, str) and UNSAFE_CHARACTERS.search(value):
                return True
    return False


class RejectUnsafeInputMiddleware:
    """Answer 400 to a request carrying NUL bytes or unpaired surrogates in its URL or form data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.is_unsafe(request):
            response = TemplateResponse(request, "400.html", status=400)
            response.render()
            return response
        return self.get_response(request)

    @staticmethod
    def is_unsafe(request) -> bool:
        raw_query = unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if UNSAFE_CHARACTERS.search(request.path) or UNSAFE_BYTES.search(raw_query):
            return True
        if _has_unsafe_characters(request.GET):
            return True
        if request.method not in {"POST", "PUT", "PATCH"}:
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            raw_body = unquote_to_bytes(request.body.replace(b"+", b" "))
            if UNSAFE_BYTES.search(raw_body):
                return True
        return _has_unsafe_characters(request.POST)


class SessionLifetimeMiddleware:
    """End a signed-in session 12 hours after sign-in, however active it has been.

    The 30-minute idle timeout is the session's own age (SESSION_COOKIE_AGE), counted from when
    it was last saved. Saving it on every request would cost every page a database write, so it
    is renewed only once SESSION_RENEW_AFTER has passed since the last renewal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            started = session.get(SESSION_STARTED_KEY)
            now = timezone.now().timestamp()
            if started is None:
                session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
                logout(request)
                messages.info(request, "Your session has ended. Sign in again to carry on.")
                return redirect_to_login(request.get_full_path())
            renewed = session.get(SESSION_RENEWED_KEY)
            if renewed is None or now - renewed >= settings.SESSION_RENEW_AFTER.total_seconds():
                # Changing the session saves it, which restarts its 30 idle minutes.
                session[SESSION_RENEWED_KEY] = now
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Keep pages a signed-in person saw out of shared and browser caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class HistoryContextMiddleware(pghistory.middleware.HistoryMiddleware):
    """Record who made each change (and where) alongside the audit history."""

    def get_context(self, request):
        context = super().get_context(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            context["username"] = request.user.get_username()
        return context
