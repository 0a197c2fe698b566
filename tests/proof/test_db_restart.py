"""Database restart drill: stop PostgreSQL under gunicorn while signed-in requests flow.

A PostgreSQL server of its own is made for the drill in a temporary folder (never the shared
embedded server or the machine's own), loaded with a copy of the test database, and served by
gunicorn with production settings and persistent connections, as in production. While requests
flow, the server is stopped and started again. Requests during the outage must get the service's
own error page (503, "Sorry, there is a problem with the service"), never a traceback or
gunicorn's bare page; /healthz must say 503; and once the database is back, every worker's first
request must succeed: no worker may keep a dead connection.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pgserver
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

from register import roles
from tests.factories import UserFactory, active_partnership

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
SORRY = "Sorry, there is a problem with the service"
WORKERS = 2
PAGES = ["/", "/partnerships/", "/healthz"]


# A PostgreSQL server of the drill's own ----------------------------------------------------------


class DrillServer:
    """PostgreSQL in a temporary folder, on a Unix socket in that folder, stopped at will."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pgdata = folder / "pgdata"
        self.log = folder / "postgres.log"
        # PostgreSQL refuses to run as root; pgserver's own user runs it then, as it does for
        # the shared embedded server.
        self.user = None
        if os.geteuid() == 0:
            from pgserver.utils import ensure_folder_permissions, ensure_user_exists

            self.user = "pgserver"
            entry = ensure_user_exists(self.user)
            ensure_folder_permissions(PG_BIN.parent, 0o055)
            folder.chmod(0o755)
            self.pgdata.mkdir()
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
            self.log.touch()
            os.chown(self.log, entry.pw_uid, entry.pw_gid)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        self.run("initdb", "-D", str(self.pgdata), "--auth=trust", "-U", "postgres", "-E", "utf8")

    def run(self, program, *args, timeout=60):
        subprocess.run(
            [str(PG_BIN / program), *args],
            check=True,
            capture_output=True,
            timeout=timeout,
            user=self.user,
        )

    def start(self):
        self.run(
            "pg_ctl",
            *("-D", str(self.pgdata), "-w", "-l", str(self.log)),
            *("-o", '-h ""', "-o", f"-k {self.folder}", "start"),
        )

    def stop(self):
        self.run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def url(self, database):
        return f"postgres://postgres@{quote(str(self.folder), safe='')}/{database}"


def copy_test_database(server, database):
    """Load the test database (migrated, with the drill's rows committed) into the drill server."""
    source = connection.settings_dict
    dump = server.folder / "test.dump"
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    command = [str(PG_BIN / "pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(dump)]
    command += ["-h", source["HOST"] or "localhost", "-U", source["USER"] or "postgres"]
    if source.get("PORT"):
        command += ["-p", str(source["PORT"])]
    subprocess.run([*command, source["NAME"]], check=True, capture_output=True, env=env)
    dump.chmod(0o644)
    server.run("createdb", "-h", str(server.folder), "-U", "postgres", database)
    server.run(
        "pg_restore",
        *("--no-owner", "--no-privileges", "--exit-on-error"),
        *("-h", str(server.folder), "-U", "postgres", "-d", database, str(dump)),
    )


# gunicorn, and requests to it ---------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Report a redirect as the answer: a signed-in page that redirects has lost the session."""

    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(KeepRedirects)


@dataclass
class Answer:
    number: int
    path: str
    phase_before: str
    phase_after: str
    status: int
    body: str


class Drill:
    def __init__(self, base_url, session_cookie, access_log: Path):
        self.base_url = base_url
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie}"
        self.access_log = access_log
        self.phase = "before"
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.counter = 0

    def get(self, path):
        with self.lock:
            self.counter += 1
            number = self.counter
        phase_before = self.phase
        # Pages are asked for signed in; /healthz as a load balancer asks, with no cookie.
        headers = {} if path == "/healthz" else {"Cookie": self.cookie}
        request = urllib.request.Request(f"{self.base_url}{path}?n={number}", headers=headers)
        try:
            with NO_REDIRECTS.open(request, timeout=20) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode()
        answer = Answer(number, path, phase_before, self.phase, status, body)
        with self.lock:
            self.answers.append(answer)
        return answer

    def workers_by_request(self):
        """Which gunicorn worker (pid) answered each numbered request, from the access log."""
        served = {}
        for line in self.access_log.read_text().splitlines():
            match = re.match(r"<?(\d+)>? (\d+) \S+ n=(\d+)", line)
            if match:
                served[int(match.group(3))] = (int(match.group(1)), int(match.group(2)))
        return served

    def ask_every_worker(self):
        """Ask for the home page in bursts of four until every worker has answered."""
        answers = []

        def ask():
            answers.append(self.get("/"))

        for _ in range(20):
            burst = [threading.Thread(target=ask) for _ in range(4)]
            for thread in burst:
                thread.start()
            for thread in burst:
                thread.join()
            time.sleep(0.2)  # gunicorn logs a request just after answering it
            served = self.workers_by_request()
            if len({served[a.number][0] for a in answers if a.number in served}) >= WORKERS:
                break
        return answers

    def in_phase(self, phase):
        return [a for a in self.answers if a.phase_before == a.phase_after == phase]


def load(drill, stop_event, go_event):
    """Ask for each page in turn until told to stop, pausing while go_event is clear."""
    index = 0
    while not stop_event.is_set():
        if not go_event.wait(timeout=0.1):
            continue
        drill.get(PAGES[index % len(PAGES)])
        index += 1


def wait_for(condition, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(message)


def assert_error_page(answer):
    """The service's own error page: 503, styled, no traceback, nothing from gunicorn."""
    assert answer.status == 503, (answer.path, answer.status, answer.body[:300])
    if answer.path == "/healthz":
        assert '"status": "unavailable"' in answer.body
        return
    assert f'<h1 class="govuk-heading-l">{SORRY}</h1>' in answer.body
    assert 'href="/static/css/application.css"' in answer.body
    assert "Traceback" not in answer.body and "Internal Server Error" not in answer.body


# The drill ----------------------------------------------------------------------------------------


@pytest.mark.proof
@pytest.mark.django_db(transaction=True)
def test_a_database_restart_under_load_fails_cleanly_and_recovers_on_every_worker():
    keeper = UserFactory(username="keeper", role=roles.DEMOCRATIC_SERVICES, is_staff=True)
    active_partnership(name="Drill Partnership")
    client = Client()
    client.force_login(keeper)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    folder = Path(tempfile.mkdtemp(prefix="pg-restart-drill-"))
    server = gunicorn = None
    stop_event, go_event = threading.Event(), threading.Event()
    threads = []
    try:
        server = DrillServer(folder)
        server.start()
        copy_test_database(server, "drill")

        port = free_port()
        access_log, error_log = folder / "access.log", folder / "gunicorn.log"
        env = {
            **os.environ,
            "DATABASE_URL": server.url("drill"),
            "DJANGO_DEBUG": "0",
            # The test's own key, so the session made above is valid there too.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
        }
        env.pop("DJANGO_TEST_DATABASE_NAME", None)
        with error_log.open("w") as errors:
            gunicorn = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "partnerships_site.wsgi",
                    *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
                    *("--timeout", "30", "--graceful-timeout", "5"),
                    *("--access-logfile", str(access_log)),
                    *("--access-logformat", "%(p)s %(s)s %(U)s %(q)s"),
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=errors,
                stderr=subprocess.STDOUT,
            )
        drill = Drill(f"http://127.0.0.1:{port}", session_cookie, access_log)

        def up():
            try:
                return drill.get("/healthz").status == 200
            except OSError:
                return False

        wait_for(up, 60, f"gunicorn did not start:\n{error_log.read_text()[-3000:]}")

        # Before: requests flow from three clients, so both workers hold a database connection.
        go_event.set()
        threads = [
            threading.Thread(target=load, args=(drill, stop_event, go_event)) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        wait_for(
            lambda: (
                len({pid for pid, _ in drill.workers_by_request().values()}) >= WORKERS
                and len(drill.answers) >= 12
            ),
            30,
            "both workers did not answer before the restart",
        )

        # The outage: stop PostgreSQL while the requests go on.
        drill.phase = "stopping"
        server.stop()
        drill.phase = "down"
        wait_for(
            lambda: (
                {a.path for a in drill.in_phase("down")} == set(PAGES)
                and len(drill.in_phase("down")) >= 9
            ),
            30,
            "too few requests during the outage",
        )
        # The error page's stylesheet needs no database.
        stylesheet = drill.get("/static/css/application.css")

        # Back: pause the clients, start PostgreSQL, then ask each worker again.
        go_event.clear()
        drill.phase = "starting"
        time.sleep(0.5)  # let requests in flight finish
        server.start()
        drill.phase = "up"

        after = drill.ask_every_worker()

        # A quick restart with nobody asking in between: every worker still holds a connection
        # to the old server, which must be noticed and replaced, not used.
        drill.phase = "restarting"
        server.stop()
        server.start()
        drill.phase = "up again"
        again = drill.ask_every_worker()

        # gunicorn logs a request just after answering it, so its line may lag a moment.
        wait_for(
            lambda: all(a.number in drill.workers_by_request() for a in drill.answers),
            10,
            "gunicorn's access log lacks some requests",
        )
        served = drill.workers_by_request()
        gunicorn_log = error_log.read_text()
    finally:
        stop_event.set()
        go_event.set()
        for thread in threads:
            thread.join(timeout=30)
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        if server is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                server.stop()  # unless the drill failed while the database was down
        shutil.rmtree(folder, ignore_errors=True)

    before = drill.in_phase("before")
    assert before and all(a.status == 200 for a in before), [(a.path, a.status) for a in before]

    down = drill.in_phase("down")
    for answer in down:
        if answer is not stylesheet:
            assert_error_page(answer)
    assert stylesheet.status == 200 and ".govuk-heading-l" in stylesheet.body

    # Requests that straddled the stop or the start either worked or failed cleanly, and no
    # redirect (to the sign-in page, say) came back: nobody was signed out by the outage.
    for answer in drill.answers:
        if answer.status != 200:
            assert_error_page(answer)

    # Once it is back, the first request each worker answers succeeds (and so do the rest),
    # after an outage and after a quick restart alike.
    for answers in (after, again):
        first = {}
        for answer in sorted(answers, key=lambda a: a.number):
            first.setdefault(served[answer.number][0], answer)
        assert len(first) == WORKERS, "not every worker answered after the restart"
        assert [(a.status, "Sign out" in a.body) for a in first.values()] == [(200, True)] * WORKERS
        assert all(a.status == 200 for a in answers), [a.status for a in answers]

    # No worker died or was replaced: the same two answered throughout.
    assert len({pid for pid, _ in served.values()}) == WORKERS, gunicorn_log[-3000:]


@pytest.mark.django_db
def test_a_lost_database_connection_gets_the_styled_503_page(client):
    """The drill's page in one quick request: a database error is a 503, with Retry-After."""
    client.force_login(UserFactory(username="officer", role=roles.OFFICER))
    client.raise_request_exception = False
    broken = OperationalError("server closed the connection unexpectedly")
    with mock.patch("partnerships_site.views.my_work", side_effect=broken):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert_error_page(Answer(0, "/", "down", "down", 503, response.content.decode()))
    with mock.patch("partnerships_site.views.my_work", side_effect=RuntimeError("a bug")):
        assert client.get("/").status_code == 500
