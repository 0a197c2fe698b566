"""Backups restore whole: the drill restores the large demo data set and compares every table.

`manage.py backup` writes the database and the uploaded documents into one timestamped file;
`manage.py restore` loads it into an empty database. The drill seeds the large demo data set,
backs it up, restores it into a new database on the same server and checks that every table in
the public schema (audit history, users and sessions included) has the same rows, by count and
checksum, that the sequences carry on past the restored ids, and that the documents are the same
files, byte for byte.
"""

import hashlib
import re
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from partnerships_site.backups import (
    BACKUP_NAME,
    BackupError,
    backup_name,
    make_backup,
)
from register import roles
from register.models import (
    ChecklistConsideration,
    Document,
    Partnership,
    SignificanceThreshold,
)
from register.protocol import seed_checklist_and_threshold
from risks.defaults import seed_default_matrix
from risks.models import Matrix, Risk
from tests.factories import UserFactory

BASE_DIR = Path(django_settings.BASE_DIR)
LIBPQ_KEYS = {"host", "port", "user", "password", "sslmode"}


def server_params(dbname):
    """psycopg connection parameters for `dbname` on the test database's server."""
    params = {k: v for k, v in connection.get_connection_params().items() if k in LIBPQ_KEYS}
    return {**params, "dbname": dbname}


def tables_in(conn):
    return [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]


def fingerprint(dbname):
    """Each public table's row count and a checksum of its rows, and each sequence's position.

    The checksum is the md5 of every row's text, sorted, so it does not depend on the order
    rows come back in; the session's time zone and date style are fixed so both databases
    print timestamps the same way.
    """
    with psycopg.connect(**server_params(dbname)) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("SET datestyle = 'ISO, YMD'")
        tables = {}
        for table in tables_in(conn):
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' "
                "ORDER BY md5(t::text)), '')) FROM {} t"
            ).format(sql.Identifier(table))
            tables[table] = tuple(conn.execute(query).fetchone())
        sequences = dict(
            conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )
        triggers = conn.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND NOT t.tgisinternal"
        ).fetchone()[0]
    return tables, sequences, triggers


def not_vacuumed(dbname, tables=("register_partnership", "risks_risk", "risks_riskevent")):
    """Which of `tables` have not been through VACUUM ANALYZE (autovacuum's runs not counted)."""
    with psycopg.connect(**server_params(dbname)) as conn:
        done = {
            row[0]
            for row in conn.execute(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
            )
        }
    return set(tables) - done


def files_under(root):
    root = Path(root)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def restore_migration_data():
    """Put back what the data migrations seed, in case a transactional test flushed it."""
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    seed_checklist_and_threshold(ChecklistConsideration, SignificanceThreshold)
    seed_default_matrix(
        apps.get_model("risks", "RiskMatrix"),
        apps.get_model("risks", "LikelihoodLevel"),
        apps.get_model("risks", "ImpactLevel"),
        apps.get_model("risks", "ScoreBand"),
    )


@pytest.fixture
def scratch_database():
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with psycopg.connect(**server_params("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(**server_params("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# The restore drill --------------------------------------------------------------------------


@pytest.mark.proof
@pytest.mark.django_db(transaction=True)
def test_large_data_set_restores_with_every_table_and_document_equal(
    settings, tmp_path, scratch_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    timings = {}
    started = time.monotonic()
    restore_migration_data()
    call_command("seed_demo", "--size", "large", verbosity=0)
    timings["seed large"] = time.monotonic() - started
    partnerships, risks = Partnership.objects.count(), Risk.objects.count()
    assert partnerships >= 10_000
    assert risks >= 100_000
    # Every state of the lifecycle and every band of the matrix is in the data set.
    assert set(Partnership.objects.values_list("status", flat=True).distinct()) == set(
        Partnership.Status.values
    )
    matrix = Matrix.load()
    scores = Risk.objects.with_scores().values_list("actual_score", flat=True).distinct()
    assert {matrix.band_for(score).name for score in scores} == {b.name for b in matrix.bands}
    # The tables just filled have the planner's statistics and a visibility map, whether or
    # not autovacuum runs.
    assert not_vacuumed(connection.settings_dict["NAME"]) == set()
    # Loaded once: a second run adds nothing.
    call_command("seed_demo", "--size", "large", verbosity=0)
    assert (Partnership.objects.count(), Risk.objects.count()) == (partnerships, risks)

    # Uploaded documents, one with a name that is not plain ASCII.
    uploader = UserFactory(username="uploader")
    with_documents = list(Partnership.objects.order_by("pk")[:3])
    for number, (partnership, name) in enumerate(
        zip(with_documents, ["agreement.pdf", "terms.docx", "évaluation d'impact.txt"], strict=True)
    ):
        Document.objects.create(
            partnership=partnership,
            document_type=Document.Type.GOVERNING_DOCUMENT,
            title=f"Document {number}",
            file=ContentFile(bytes(range(256)) * (number + 1), name=name),
            uploaded_by=uploader,
        )
    documents = files_under(settings.MEDIA_ROOT)
    assert len(documents) == 3

    step = time.monotonic()
    call_command("backup", "--output-dir", str(tmp_path / "backups"), verbosity=0)
    timings["backup"] = time.monotonic() - step
    (backup,) = (tmp_path / "backups").iterdir()
    assert BACKUP_NAME.match(backup.name)

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    step = time.monotonic()
    call_command("restore", str(backup), "--database-name", scratch_database, verbosity=0)
    timings["restore"] = time.monotonic() - step
    # A dump carries no planner statistics or visibility map: the restore makes them.
    assert not_vacuumed(scratch_database) == set()

    step = time.monotonic()
    source_tables, source_sequences, source_triggers = fingerprint(connection.settings_dict["NAME"])
    restored_tables, restored_sequences, restored_triggers = fingerprint(scratch_database)
    timings["compare"] = time.monotonic() - step

    assert set(restored_tables) == set(source_tables)
    different = {
        table: (source_tables[table], restored_tables[table])
        for table in source_tables
        if source_tables[table] != restored_tables[table]
    }
    assert different == {}
    # The drill is only worth something if it compared the big tables, history included.
    for table in ["register_partnership", "risks_risk", "risks_riskevent", "auth_user"]:
        assert source_tables[table][0] > 0, table
    assert source_tables["risks_risk"][0] >= 100_000
    assert restored_sequences == source_sequences
    assert restored_triggers == source_triggers > 0
    assert files_under(settings.MEDIA_ROOT) == documents

    # New rows in the restored database take ids after the restored ones, and their history is
    # recorded by the restored triggers.
    with psycopg.connect(**server_params(scratch_database)) as conn:
        before = conn.execute("SELECT max(id) FROM register_organisation").fetchone()[0]
        new_id = conn.execute(
            "INSERT INTO register_organisation (name, sector, registration_number, website, "
            "is_active) VALUES ('Added after the restore', 'public', '', '', true) RETURNING id"
        ).fetchone()[0]
        events = conn.execute(
            "SELECT count(*) FROM register_organisationevent WHERE pgh_obj_id = %s", [new_id]
        ).fetchone()[0]
    assert new_id > before
    assert events == 1

    timings["total"] = time.monotonic() - started
    print(" ".join(f"{name}: {seconds:.0f}s" for name, seconds in timings.items()))


# Fast checks of the commands ------------------------------------------------------------------


def test_backup_name_is_the_utc_time_it_was_taken():
    taken = datetime(2026, 11, 26, 9, 30, 5, tzinfo=timezone(timedelta(hours=1)))

    assert backup_name(taken) == "partnerships-20261126T083005Z.tar"
    assert BACKUP_NAME.match(backup_name(taken))


@pytest.mark.django_db
def test_backup_writes_one_timestamped_file_with_the_dump_and_documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "partnerships" / "P-2026-001").mkdir(parents=True)
    (tmp_path / "media" / "partnerships" / "P-2026-001" / "terms.pdf").write_bytes(b"%PDF-1.7")
    taken = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)

    path = make_backup(tmp_path / "backups", now=taken)

    assert path == tmp_path / "backups" / "partnerships-20261126T083000Z.tar"
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [path.name]
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
    assert {"backup.json", "database.dump", "media/partnerships/P-2026-001/terms.pdf"} <= names
    with pytest.raises(BackupError, match="already exists"):
        make_backup(tmp_path / "backups", now=taken)


@pytest.mark.django_db
def test_restore_refuses_a_database_that_already_has_tables(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    backup = make_backup(tmp_path / "backups")
    database = connection.settings_dict["NAME"]
    tables_before = len(connection.introspection.table_names())

    with pytest.raises(CommandError, match=f"The database {database} already has"):
        call_command("restore", str(backup), "--database-name", database)

    # The same refusal from the command line, as `make restore` runs it: a non-zero exit.
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(backup), "--database-name", database],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert re.search(r"already has \d+ tables, so the backup was not restored", result.stderr)
    assert len(connection.introspection.table_names()) == tables_before
    assert not (tmp_path / "media").exists()


def test_restore_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at"):
        call_command("restore", str(tmp_path / "partnerships-20261126T083000Z.tar"))


@pytest.mark.parametrize(
    ("arguments", "told"), [((), True), (("--database-name", "scratch"), False)]
)
def test_a_restore_over_the_apps_database_says_to_restart_the_app_servers(
    monkeypatch, arguments, told
):
    """Each app server keeps drawn partnership pages (register/page_cache.py) in memory."""
    monkeypatch.setattr(
        "register.management.commands.restore.restore_backup",
        lambda *args, **kwargs: {"created_at": "2026-11-26T08:30:00Z"},
    )
    output = StringIO()
    call_command("restore", "partnerships-20261126T083000Z.tar", *arguments, stdout=output)
    assert "Restored the backup made at 2026-11-26T08:30:00Z" in output.getvalue()
    assert ("Restart the app servers" in output.getvalue()) is told
