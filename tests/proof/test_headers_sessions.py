"""Security headers, cookie flags and sessions on every URL of the inventory (see access.py).

tests/test_site.py proves each rule once, on the sign-in or home page; this proves them on every
URL pattern, admin included, signed in and not, and proves that an ended session (signed out,
idle for 30 minutes, or 12 hours old) is worth nothing anywhere.
"""

import logging
import re
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from partnerships_site.sessions import SessionStore
from tests.factories import TEST_PASSWORD
from tests.proof.access import first_urls, matches, parse_row
from tests.proof.test_access_matrix import outcome
from tests.proof.world import build_world

pytestmark = [pytest.mark.proof, pytest.mark.django_db]

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, rolled back at its end; each test's changes roll back too."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def quiet_refusals(caplog):
    # Refusals are logged as warnings by the hundred; an error fails the request anyway.
    caplog.set_level(logging.CRITICAL, logger="django.request")


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def header_problems(response, *, signed_in):
    """What is missing or wrong in one response's security headers and cookies."""
    problems = []
    csp = response.get("Content-Security-Policy", "")
    for directive in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]:
        if directive not in csp:
            problems.append(f"CSP lacks {directive!r}: {csp!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows unsafe scripts or styles: {csp!r}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}, not {value!r}")
    hsts = response.get("Strict-Transport-Security", "")
    if not hsts.startswith("max-age=63072000") or "includeSubDomains" not in hsts:
        problems.append(f"Strict-Transport-Security is {hsts!r}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r} when signed in")
    for name, cookie in response.cookies.items():
        if cookie.value == "" and cookie["max-age"] == 0:
            continue  # a cookie being deleted carries no secret
        if not (cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"):
            problems.append(f"cookie {name} is not Secure, HttpOnly and SameSite=Lax")
    if "text/html" in response.get("Content-Type", ""):
        nonce = re.search(r"'nonce-([^']+)'", csp)
        for tag in SCRIPT_TAG.findall(body_of(response).decode(errors="replace")):
            if "src=" not in tag and (nonce is None or f'nonce="{nonce.group(1)}"' not in tag):
                problems.append(f"inline script without the CSP nonce: {tag}")
    return problems


def test_every_url_sends_the_security_headers_and_cookie_flags(world):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    clients = {"anonymous": Client()}
    for role in ["officer", "democratic_services"]:
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    urls = first_urls(world)
    wrong, checked, cookies_seen = [], 0, set()
    step = settings.SESSION_RENEW_AFTER + timedelta(seconds=1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for route, (url, _rows) in urls.items():
            # Refused at the door for a NUL byte: the error page is protected like the rest.
            bad = f"{url}{'&' if '?' in url else '?'}q=%00"
            tries = [(role, method, url) for role in clients for method in ("get", "post")]
            for role, method, tried in [*tries, ("anonymous", "get", bad)]:
                # A minute on, so a signed-in request renews its session and sets its cookie.
                clock.shift(step)
                response = getattr(clients[role], method)(tried, secure=True)
                checked += 1
                cookies_seen |= {name for name, c in response.cookies.items() if c.value}
                for problem in header_problems(response, signed_in=role != "anonymous"):
                    wrong.append(f"{method.upper()} {tried} ({route}) as {role}: {problem}")
            # Signing out ends the session, and so would its 12 hours: sign in afresh.
            for role in ["officer", "democratic_services"]:
                clients[role].force_login(world.users[role])
    assert checked >= 2 * 3 * len(urls)
    # The sweep met the cookies it vouches for (sessions are saved at sign-in and on renewal).
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= cookies_seen
    assert not wrong, f"{len(wrong)} problems:\n" + "\n".join(wrong)


# Sessions ----------------------------------------------------------------------------------------


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, "signing in failed"
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def answers_as_anonymous(world, session_key):
    """Every URL, asked with this session's cookie, must answer as it does to a visitor."""
    client, wrong = Client(), []
    for route, (url, (get_row, _post_row)) in first_urls(world).items():
        client.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: session_key})
        response = client.get(url)
        want, got = parse_row(get_row)["anonymous"], outcome(response)
        body_of(response)
        if not matches(want, got):
            wrong.append(f"GET {url} ({route}): expected {want} as to a visitor, got {got}")
    return wrong


def test_signing_in_through_the_form_issues_a_new_session_key_and_csrf_token(world, client):
    client.get(reverse("login"))
    visitor = client.session
    visitor["seen"] = True
    visitor.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = visitor.session_key
    csrf_before = client.cookies[settings.CSRF_COOKIE_NAME].value

    signed_in_key = sign_in(client, "officer")

    assert signed_in_key != visitor.session_key
    assert not SessionStore().exists(visitor.session_key), "the visitor's session lives on"
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != csrf_before
    # Someone holding the visitor's old cookie (session fixation) is not signed in.
    assert answers_as_anonymous(world, visitor.session_key) == []


def test_a_signed_out_session_is_worth_nothing_on_any_url(world, client):
    key = sign_in(client, "democratic")
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not SessionStore().exists(key)
    assert answers_as_anonymous(world, key) == []


def test_a_session_idle_for_30_minutes_is_worth_nothing_on_any_url(world, client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key = sign_in(client, "democratic")
        for _ in range(3):
            traveller.shift(timedelta(minutes=29))
            assert client.get(reverse("register:partnership_list")).status_code == 200
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert answers_as_anonymous(world, key) == []


def test_a_12_hour_old_session_ends_on_whichever_url_is_asked_next(world, client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        key = sign_in(client, "democratic")
        for _ in range(12 * 3 - 1):
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse("home")).status_code == 200
        data = SessionStore(session_key=key).load()
        traveller.shift(timedelta(minutes=20, seconds=1))
        wrong = []
        for route, (url, _rows) in first_urls(world).items():
            # A copy of the active session for each URL: the first request ends it.
            copy = SessionStore()
            copy.update(data)
            copy.create()
            tried = Client()
            tried.cookies = SimpleCookie({settings.SESSION_COOKIE_NAME: copy.session_key})
            response = tried.get(url, secure=True)
            wrong += [
                f"GET {url}: {problem}" for problem in header_problems(response, signed_in=False)
            ]
            if outcome(response) != "L":
                wrong.append(f"GET {url} ({route}): {outcome(response)}, not sent to sign in")
            elif SessionStore().exists(copy.session_key):
                wrong.append(f"GET {url} ({route}): the ended session lives on")
        assert wrong == []
