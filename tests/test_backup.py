"""Backup and restore (#15 item 10; core.backup, `manage.py backup` / `restore`, `make backup` / `make restore`).

Real data is made (cases, meetings in 令和元年度 and 令和2年度, referrals, consultations, and the audit events all of
that writes), backed up with pg_dump, and restored into a fresh database made in the same server. Then every table
holds as many rows as before, the yearly tables of both years are identical, and `verify_audit` finds the hash
chains intact — with the same key only (AUDIT_CHAIN_KEY, else SECRET_KEY). A restore refuses a database that has
tables (unless --force) and a file whose sha256 is not its manifest's.

The restored database is read by other processes (settings with DATABASE_URL), exactly as the product would be.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from core import backup
from tests.reports.test_annual import held

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "progress"])

# The yearly tables of every city for 令和元年度 (2019) and 令和2年度 (2020), as JSON, from the database at DATABASE_URL.
FIGURES = """
import json, django
django.setup()
from agencies.models import Municipality
from reports.annual import annual_report
print(json.dumps({f"{city.name} {year}": annual_report(municipality=city, fiscal_year=year)
                  for city in Municipality.objects.order_by("code") for year in (2019, 2020)},
                 default=str, sort_keys=True, ensure_ascii=False))
"""
VERIFY = """
import sys, django
django.setup()
from django.conf import settings
if len(sys.argv) > 1:
    settings.SECRET_KEY = sys.argv[1]  # another installation's key
from django.core.management import call_command
call_command("verify_audit")
"""


def url(database: backup.Database) -> str:
    where = f"host={database.host}" if database.host.startswith("/") else ""
    host = "" if where else f"{database.host}:{database.port or 5432}"
    return f"postgresql://{database.user}:{database.password}@{host}/{database.name}" + (f"?{where}" if where else "")


def run(code: str, database: backup.Database, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": url(database), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def figures(database: backup.Database) -> dict:
    result = run(FIGURES, database)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def counts(database: backup.Database) -> dict[str, int]:
    with database.connect() as opened, opened.cursor() as cursor:
        return backup.row_counts(cursor)


@pytest.fixture
def source():
    return backup.Database.from_settings(connection.settings_dict)


@pytest.fixture
def fresh(source):
    """An empty database in the same server, dropped afterwards."""
    database = source.renamed(f"{source.name}_restored")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database.name}"')
    yield database
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


@pytest.fixture
def data(coordinator_kita, coordinator_nishinari, kita, nishinari, referral_kita, consultation_kita):
    held(coordinator_kita, kita, day=dt.date(2019, 6, 1), basis="支援会議")
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1))
    held(coordinator_kita, kita, day=dt.date(2020, 9, 1), basis="支援会議")
    held(coordinator_nishinari, nishinari, day=dt.date(2020, 7, 1), attended=("社会福祉協議会",))
    assert AuditEvent.objects.count() > 0


def test_a_backup_restored_into_a_fresh_database_has_every_row_the_same_figures_and_an_intact_audit_chain(
        data, source, fresh, tmp_path):
    dump = backup.backup(source, tmp_path)
    manifest = json.loads(backup.manifest_path(dump).read_text(encoding="utf-8"))
    before = counts(source)
    assert manifest["row_counts"] == before
    assert manifest["sha256"] == backup.sha256(dump)
    assert manifest["pg_dump_major"] >= 16 and manifest["server_version"].startswith("16")
    assert ["audit", "0001_initial"] in manifest["migrations"]
    assert before["audit_auditevent"] > 0 and before["meetings_meeting"] == 4

    backup.restore(dump, fresh)

    assert counts(fresh) == before  # every table
    expected = figures(source)
    assert len(expected) == 2 and all("2020" in key or "2019" in key for key in expected)
    assert figures(fresh) == expected  # the yearly tables of 令和元年度 and 令和2年度
    verified = run(VERIFY, fresh)
    assert verified.returncode == 0, verified.stderr
    assert "監査ログは改ざんされていません" in verified.stdout


def test_the_restored_audit_chain_verifies_only_with_the_same_key(data, source, fresh, tmp_path):
    backup.restore(backup.backup(source, tmp_path), fresh)
    other_key = run(VERIFY, fresh, "another-installations-secret-key")
    assert other_key.returncode != 0
    assert "改ざんを検出しました" in other_key.stderr


def test_the_dump_and_manifest_are_readable_by_their_owner_only(data, source, tmp_path):
    dump = backup.backup(source, tmp_path / "backups")
    for path in (dump, backup.manifest_path(dump)):
        assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700


def test_a_restore_refuses_a_database_with_tables_unless_forced(data, source, fresh, tmp_path):
    dump = backup.backup(source, tmp_path)
    backup.restore(dump, fresh)
    with pytest.raises(backup.BackupError, match="既に表が"):
        backup.restore(dump, fresh)
    backup.restore(dump, fresh, force=True)  # drops what is there first
    assert counts(fresh) == counts(source)


def test_a_restore_refuses_a_file_that_is_not_the_one_its_manifest_describes(data, source, fresh, tmp_path):
    dump = backup.backup(source, tmp_path)
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    with pytest.raises(backup.BackupError, match="SHA-256"):
        backup.restore(dump, fresh)
    assert counts(fresh) == {}  # nothing was touched


def test_a_restore_without_its_manifest_is_refused(data, source, fresh, tmp_path):
    dump = backup.backup(source, tmp_path)
    backup.manifest_path(dump).unlink()
    with pytest.raises(backup.BackupError, match="マニフェスト"):
        backup.restore(dump, fresh)


def test_the_commands_back_up_and_restore_the_database_they_are_pointed_at(data, source, fresh, tmp_path, capsys):
    call_command("backup", dir=str(tmp_path))
    (dump,) = tmp_path.glob("*.dump")
    assert "バックアップしました" in capsys.readouterr().out
    call_command("restore", str(dump), url=url(fresh))
    assert "復元しました" in capsys.readouterr().out
    assert counts(fresh) == counts(source)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(dump), url=url(fresh))


def test_make_has_backup_and_restore_targets_that_run_the_commands():
    dry = subprocess.run(["make", "-n", "backup", "restore", "FILE=backups/x.dump", "FORCE=1"], cwd=ROOT,
                         capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "manage.py backup" in dry.stdout and 'manage.py restore "backups/x.dump" --force' in dry.stdout
