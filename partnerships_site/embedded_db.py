"""An embedded PostgreSQL server for development and tests, so a newcomer needs nothing installed.

Used only when DATABASE_URL is unset. pgserver runs a real PostgreSQL on a data folder under
var/, reached over a Unix socket, and stops it when the last Python process using it exits.
"""

import contextlib
import json
import os
import warnings
from pathlib import Path

import psutil

with warnings.catch_warnings():
    # platformdirs warns that XDG_RUNTIME_DIR is unset (as under cron or as root) and falls back
    # to a folder in /tmp, which is what pgserver's lock file needs anyway.
    warnings.simplefilter("ignore")
    import pgserver


def _forget_dead_processes(pgdata: Path) -> None:
    """Drop the pids of processes that died without cleaning up (a killed runserver, say).

    pgserver keeps the server running while any pid in its handle list remains, so a stale pid
    would keep a server alive for ever. Pruning them lets this process adopt the running server
    and stop it when it is the last one out.
    """
    handles = pgdata / ".handle_pids.json"
    with pgserver.PostgresServer._lock:
        if not handles.exists():
            return
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def database_settings(var_dir: Path, name: str = "partnerships") -> dict:
    """Start (or adopt) the embedded server and return Django settings for its database."""
    import psycopg
    from psycopg import sql

    var_dir.mkdir(parents=True, exist_ok=True)
    pgdata = var_dir / "pgdata"
    if pgdata.exists():
        _forget_dead_processes(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    socket_dir = str(server.get_postmaster_info().socket_dir)

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Another process may create it between the look and the leap.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": socket_dir,
        "CONN_MAX_AGE": 0,
        "TEST": {"NAME": os.environ.get("DJANGO_TEST_DATABASE_NAME") or f"test_{name}"},
    }
