"""The foundation: sign-in, security headers, unsafe input, health check, throttling, sessions."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.helpers import assert_queries_fixed

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_pages_need_sign_in_except_the_public_ones(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    for name in ["login", "accessibility", "healthz"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_officer_signs_in_and_sees_their_details(client, officer):
    response = sign_in(client, "officer")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert officer.get_full_name() in unescape(page)  # a name may have an apostrophe
    assert "Housing and Wellbeing" in page
    assert "Officer" in page


def test_wrong_password_is_refused_with_a_message(client, officer):
    response = sign_in(client, "officer", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Enter a correct username and password" in response.content.decode()


def test_sign_out_ends_the_session(officer_client):
    assert officer_client.get(reverse("home")).status_code == 200
    officer_client.post(reverse("logout"))
    assert officer_client.get(reverse("home")).status_code == 302


def test_security_headers_are_sent(client, officer):
    response = client.get(reverse("login"), secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")


def test_inline_scripts_carry_the_csp_nonce(client):
    response = client.get(reverse("login"))
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = response.content.decode()
    assert page.count("<script") >= 1
    for chunk in page.split("<script")[1:]:
        tag = chunk.split(">")[0]
        assert f'nonce="{nonce}"' in tag or "src=" in tag, tag


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, officer):
    client.get(reverse("login"))
    response = sign_in(client, "officer")
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    csrf_cookie = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["secure"]
    assert csrf_cookie["httponly"]
    assert csrf_cookie["samesite"] == "Lax"


def test_signed_in_pages_are_not_cached(officer_client):
    response = officer_client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "method,data",
    [
        ("get", {"q": "bad\x00value"}),
        ("get", {"bad\x00key": "value"}),
        ("post", {"username": "officer\x00", "password": "x"}),
    ],
)
def test_nul_bytes_and_lone_surrogates_get_400(client, officer, method, data):
    response = getattr(client, method)(reverse("login"), data)
    assert response.status_code == 400
    assert "Sorry, there is a problem" in response.content.decode()


@pytest.mark.parametrize("surrogate", ["%ED%A0%80", "%ed%bf%bf"])
def test_lone_surrogates_in_the_query_string_or_form_get_400(client, officer, surrogate):
    assert client.get(f"/sign-in/?q=a{surrogate}b").status_code == 400
    response = client.post(
        "/sign-in/",
        f"username=officer{surrogate}&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_nul_byte_in_the_path_gets_400_not_500(client):
    assert client.get("/accessibility/%00").status_code == 400


def test_healthz_says_ok_with_the_database_up(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_says_503_with_the_database_down(client):
    connection.close()
    real_settings = dict(connection.settings_dict)
    connection.settings_dict["HOST"] = "/nonexistent-socket-dir"
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict.update(real_settings)
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert client.get(reverse("healthz")).status_code == 200


def test_ten_failed_sign_ins_lock_the_account_until_the_cool_off_ends(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "officer", "wrong-password")
        response = sign_in(client, "officer")  # even the right password is refused now
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert "locked" in response.content.decode()

        traveller.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        response = sign_in(client, "officer")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(officer.pk)


def test_idle_sessions_expire_after_30_minutes(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, "officer")
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=29))  # active, so the idle clock restarted
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get(reverse("home")).status_code == 302


def test_sessions_end_12_hours_after_sign_in_however_active(client, officer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        sign_in(client, "officer")
        for _ in range(12 * 3 + 1):
            traveller.shift(timedelta(minutes=20))
            response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_page_runs_a_fixed_number_of_queries(officer_client, officer):
    from django.contrib.auth.models import Group

    def grow():
        for index in range(20):
            officer.groups.add(Group.objects.create(name=f"Extra group {index}"))

    # The home page reads each section of the person's work in one query (tests/test_home.py).
    assert_queries_fixed(officer_client, reverse("home"), grow, most=10)


def _run_without_secret_key(*args):
    """Run Python here with debug off and no DJANGO_SECRET_KEY, as on a clean clone."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


def test_missing_secret_key_with_debug_off_stops_the_web_server_with_a_clear_error():
    result = _run_without_secret_key("-c", "import partnerships_site.wsgi")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    """A clean clone checks its migrations without setting anything first."""
    result = _run_without_secret_key("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
    # Anything that would sign with the empty key is refused by Django itself.
    signing = _run_without_secret_key(
        "-c",
        "import os, django;"
        " os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'partnerships_site.settings');"
        " django.setup(); from django.core import signing; signing.dumps(1)",
    )
    assert signing.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in signing.stderr


GET_FORM = re.compile(r"<form\b[^>]*\bmethod=\"get\"[^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("register:public_register"),
        reverse("register:partnership_list"),
        reverse("risks:risk_council_list"),
        reverse("reviews:review_due_list"),
        reverse("register:report_annual"),
        reverse("register:report_risk_update"),
    ],
)
def test_forms_sent_by_get_carry_no_csrf_token(democratic_client, url):
    """The token would go into the address: bookmarks, logs and the Referer sent elsewhere."""
    html = democratic_client.get(url).content.decode()
    forms = GET_FORM.findall(html)
    assert forms, f"{url} has no form sent by GET"
    for form in forms:
        assert "csrfmiddlewaretoken" not in form, url
