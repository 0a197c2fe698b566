"""Backups of the register: the database (a pg_dump archive) and uploaded documents, in one file.

A backup is one uncompressed tar, var/backups/partnerships-<UTC timestamp>.tar, holding
`database.dump` (pg_dump's custom format, already compressed), `media/` (every file under
MEDIA_ROOT) and `backup.json` (when and from what it was made). `manage.py backup` writes one;
`manage.py restore` loads one into an empty database. They work for the embedded server and for
a DATABASE_URL server alike, with PostgreSQL's own pg_dump and pg_restore.
"""

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

BACKUP_PREFIX = "partnerships-"
BACKUP_NAME = re.compile(r"^partnerships-\d{8}T\d{6}Z\.tar$")
DUMP_NAME = "database.dump"
MEDIA_DIR = "media"
MANIFEST_NAME = "backup.json"
# libpq's own names for what Django connects with; anything else Django passes is for psycopg.
LIBPQ_ENVIRONMENT = {
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason in plain words."""


def backup_name(when: datetime) -> str:
    return f"{BACKUP_PREFIX}{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar"


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


# PostgreSQL's tools ----------------------------------------------------------------------------


def _candidate_bin_dirs():
    """Where pg_dump may be: the embedded server's own binaries, Debian's, then the PATH."""
    dirs = []
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; see embedded_db.py.
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH

        dirs.append(Path(POSTGRES_BIN_PATH))
    except ImportError:  # pragma: no cover - pgserver is a dependency, but a server may lack it
        pass
    dirs += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for name in ("pg_dump", "pg_restore"):
        found = shutil.which(name)
        if found:
            dirs.append(Path(found).parent)
    return dirs


def _major_version(executable: Path) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603 - a fixed executable and argument
            [str(executable), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else None


def server_major_version() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def postgres_tools(server_major: int) -> tuple[Path, Path]:
    """pg_dump and pg_restore from the newest install whose major version is at least the server's.

    pg_dump refuses a newer server, and pg_restore reads only archives from its own version or
    older, so both come from the same, newest, install.
    """
    best = None
    for bin_dir in _candidate_bin_dirs():
        dump, restore = bin_dir / "pg_dump", bin_dir / "pg_restore"
        if not (dump.exists() and restore.exists()):
            continue
        major = _major_version(dump)
        if major is None or major < server_major:
            continue
        if best is None or major > best[0]:
            best = (major, dump, restore)
    if best is None:
        raise BackupError(
            f"No pg_dump and pg_restore of PostgreSQL {server_major} or later were found. "
            f"Install PostgreSQL {server_major}'s client tools (Debian: postgresql-client-"
            f"{server_major})."
        )
    return best[1], best[2]


def _libpq_environment(dbname=None) -> dict:
    """The environment for a PostgreSQL tool to reach the app's database (or `dbname` beside it).

    The password travels in the environment, never on the command line, where `ps` shows it.
    """
    params = connection.get_connection_params()
    if dbname:
        params["dbname"] = dbname
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for key, variable in LIBPQ_ENVIRONMENT.items():
        if params.get(key) not in (None, ""):
            env[variable] = str(params[key])
    return env


def _run(command, env, action):
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{action} failed:\n{result.stderr.strip()}")
    return result


# Backup ----------------------------------------------------------------------------------------


def make_backup(directory: Path | None = None, *, now: datetime | None = None) -> Path:
    """Write a backup of the database and the uploaded documents; return its path."""
    directory = Path(directory or default_backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    target = directory / backup_name(now)
    if target.exists():
        raise BackupError(f"{target} already exists; wait a second and run the backup again.")
    server_major = server_major_version()
    pg_dump, _ = postgres_tools(server_major)
    media_root = Path(settings.MEDIA_ROOT)
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="partnerships-backup-") as work:
        dump = Path(work) / DUMP_NAME
        _run(
            [str(pg_dump), "--format=custom", "--file", str(dump)],
            _libpq_environment(),
            "pg_dump",
        )
        manifest = Path(work) / MANIFEST_NAME
        manifest.write_text(
            json.dumps(
                {
                    "created_at": now.astimezone(UTC).isoformat(),
                    "database": connection.settings_dict["NAME"],
                    "server_version": connection.pg_version,
                    "pg_dump": str(pg_dump),
                    "documents": sum(1 for p in media_root.rglob("*") if p.is_file())
                    if media_root.exists()
                    else 0,
                },
                indent=2,
            )
        )
        # Written beside the target and renamed at the end, so a half-written backup never
        # carries a backup's name.
        with tarfile.open(partial, "x") as tar:
            tar.add(manifest, arcname=MANIFEST_NAME)
            tar.add(dump, arcname=DUMP_NAME)
            if media_root.exists():
                tar.add(media_root, arcname=MEDIA_DIR)
    partial.rename(target)
    return target


# Restore ---------------------------------------------------------------------------------------


def _connect(dbname: str, **options):
    """A psycopg connection to `dbname` on the app's database server."""
    import psycopg

    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in LIBPQ_ENVIRONMENT
    }
    params["dbname"] = dbname
    return psycopg.connect(**params, **options)


def existing_tables(dbname: str) -> int:
    """How many tables the database holds outside PostgreSQL's own schemas."""
    with _connect(dbname) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def restore_backup(path: Path, *, dbname: str | None = None, replace: bool = False) -> dict:
    """Load a backup into the app's database (or `dbname` on the same server) and MEDIA_ROOT.

    Refuses a database that already has tables unless `replace` is given, when the backup's
    tables are dropped and recreated. The database is restored in one transaction: if anything
    fails, nothing is left half-restored. Returns the backup's manifest.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    dbname = dbname or connection.settings_dict["NAME"]
    tables = existing_tables(dbname)
    if tables and not replace:
        raise BackupError(
            f"The database {dbname} already has {tables} tables, so the backup was not restored "
            "(restoring over live data would mix two registers). Restore into a new, empty "
            "database, or pass --replace-existing to drop and replace the backup's tables."
        )
    _, pg_restore = postgres_tools(server_major_version())
    with tempfile.TemporaryDirectory(prefix="partnerships-restore-") as work:
        try:
            with tarfile.open(path) as tar:
                # The "data" filter refuses absolute paths, links out of the folder and devices.
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{path} is not a readable backup: {error}") from error
        dump = Path(work) / DUMP_NAME
        if not dump.is_file():
            raise BackupError(
                f"{path} holds no {DUMP_NAME}, so it is not a backup of the register."
            )
        manifest_file = Path(work) / MANIFEST_NAME
        manifest = json.loads(manifest_file.read_text()) if manifest_file.is_file() else {}
        command = [
            str(pg_restore),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dbname,
        ]
        if replace:
            command += ["--clean", "--if-exists"]
        _run([*command, str(dump)], _libpq_environment(dbname), "pg_restore")
        # A dump holds no planner statistics and its rows are loaded as new, not yet known to
        # be visible to everyone. Until a vacuum PostgreSQL guesses at every table's contents
        # and cannot walk an index alone, so it can pick plans many times slower; on a server
        # whose autovacuum is off (or slow to reach the tables) it would go on doing so.
        with _connect(dbname, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        media = Path(work) / MEDIA_DIR
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest
