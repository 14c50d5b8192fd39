"""Backup and restore of the database the settings point at (`make backup`, `make restore FILE=…`).

A backup is pg_dump's custom format (-Fc) and a manifest beside it (`<name>.dump.json`): when, which database,
the server's and pg_dump's versions, the migrations applied, the rows of every table and the dump's sha256. The
rows are counted in the very snapshot pg_dump dumps (pg_export_snapshot / --snapshot), so the manifest describes
exactly what the file holds even while people keep working.

A restore first checks the file against its manifest's sha256, refuses a database that already has tables unless
asked (--force, which drops what is there), restores in one transaction (all or nothing) and then counts the rows
again: every table must hold what the manifest says.

pg_dump and pg_restore must be at least the server's major version (Debian's 15 cannot dump a 16 server). They are
looked for in PG_BIN_DIR, then in the embedded server's package (pgserver: PostgreSQL 16, `make run` and tests),
then on PATH.
"""

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from django.utils.translation import gettext as _
from psycopg2 import sql

MANIFEST_SUFFIX = ".json"
MANIFEST_FORMAT = 1


class BackupError(Exception):
    """A refusal or failure, in words for the operator (Japanese)."""


@dataclass(frozen=True)
class Database:
    """Where to connect: a Django DATABASES entry's parts, as libpq takes them."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, entry: dict) -> "Database":
        options = entry.get("OPTIONS") or {}
        return cls(name=entry["NAME"], user=entry.get("USER") or "", password=entry.get("PASSWORD") or "",
                   host=entry.get("HOST") or options.get("host") or "", port=str(entry.get("PORT") or ""),
                   sslmode=options.get("sslmode", ""))

    def renamed(self, name: str) -> "Database":
        return Database(name, self.user, self.password, self.host, self.port, self.sslmode)

    def environment(self) -> dict[str, str]:
        """libpq's variables for pg_dump / pg_restore: the password never appears on a command line."""
        values = {"PGDATABASE": self.name, "PGUSER": self.user, "PGPASSWORD": self.password, "PGHOST": self.host,
                  "PGPORT": self.port, "PGSSLMODE": self.sslmode}
        return {**os.environ, **{key: value for key, value in values.items() if value}}

    def connect(self):
        parameters = {"dbname": self.name, "user": self.user, "password": self.password, "host": self.host,
                      "port": self.port, "sslmode": self.sslmode}
        return psycopg2.connect(**{key: value for key, value in parameters.items() if value})

    def described(self) -> dict[str, str]:
        """For the manifest: no password."""
        return {"name": self.name, "host": self.host, "port": self.port, "user": self.user}


# --- the PostgreSQL tools ----------------------------------------------------------------------------


def tool(name: str) -> str:
    configured = os.environ.get("PG_BIN_DIR", "")
    folders = [Path(configured)] if configured else []
    try:
        import pgserver  # the embedded server of development and tests (PostgreSQL 16)

        folders.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    for folder in folders:
        if (folder / name).is_file():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(_("%(tool)s が見つかりません。PostgreSQL のクライアント（サーバーと同じメジャーバージョン）を"
                            "入れるか、PG_BIN_DIR にその bin フォルダーを設定してください。") % {"tool": name})
    return found


def tool_version(path: str) -> tuple[str, int]:
    """("pg_dump (PostgreSQL) 16.4", 16)."""
    text = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    match = re.search(r"(\d+)(?:\.\d+)*", text)
    if match is None:
        raise BackupError(_("%(tool)s の版を読み取れません: %(text)s") % {"tool": path, "text": text})
    return text, int(match[1])


def _checked_tool(name: str, at_least: int) -> tuple[str, str, int]:
    path = tool(name)
    text, major = tool_version(path)
    if major < at_least:
        raise BackupError(_("%(tool)s は PostgreSQL %(found)s 用です。PostgreSQL %(needed)s 以上のものを使ってください"
                            "（PG_BIN_DIR で指定できます）。") % {"tool": path, "found": major, "needed": at_least})
    return path, text, major


def _run(command: list[str], database: Database) -> None:
    result = subprocess.run(command, env=database.environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(_("%(tool)s が失敗しました（終了コード %(code)s）: %(error)s")
                          % {"tool": Path(command[0]).name, "code": result.returncode, "error": result.stderr.strip()})


# --- what the database holds -------------------------------------------------------------------------


def tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [name for (name,) in cursor.fetchall()]


def row_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def migrations(cursor) -> list[list[str]]:
    cursor.execute("SELECT to_regclass('public.django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def _private_file(path: Path) -> None:
    """The dump holds personal data: created readable by its owner only, before pg_dump writes into it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# --- backup ------------------------------------------------------------------------------------------


def backup(database: Database, folder: Path, *, now: dt.datetime | None = None) -> Path:
    """Dump `database` into folder/<name>-<time>.dump with its manifest beside it; return the dump's path."""
    now = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    dump = folder / f"{database.name}-{now.astimezone():%Y%m%d-%H%M%S}.dump"
    if dump.exists() or manifest_path(dump).exists():
        raise BackupError(_("%(file)s はもうあります。") % {"file": dump})
    connection = database.connect()
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            pg_dump, pg_dump_version, pg_dump_major = _checked_tool("pg_dump", connection.server_version // 10000)
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(cursor)
            applied = migrations(cursor)
            _private_file(dump)
            try:
                # The snapshot stays valid while this transaction is open: pg_dump sees what was counted.
                _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], database)
            except BaseException:
                dump.unlink(missing_ok=True)
                raise
    finally:
        connection.close()
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "database": database.described(),
        "server_version": server_version,
        "pg_dump_version": pg_dump_version,
        "pg_dump_major": pg_dump_major,
        "file": dump.name,
        "size": dump.stat().st_size,
        "sha256": sha256(dump),
        "migrations": applied,
        "row_counts": counts,
    }
    path = manifest_path(dump)
    _private_file(path)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return dump


# --- restore -----------------------------------------------------------------------------------------


def read_manifest(dump: Path) -> dict:
    """The manifest of `dump`, after checking that the file is the one it describes."""
    if not dump.is_file():
        raise BackupError(_("バックアップファイル %(file)s がありません。") % {"file": dump})
    path = manifest_path(dump)
    if not path.is_file():
        raise BackupError(_("マニフェスト %(file)s がありません。バックアップと同じ場所に置いてください。") % {"file": path})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if sha256(dump) != manifest.get("sha256"):
        raise BackupError(_("バックアップファイル %(file)s の SHA-256 がマニフェストと一致しません。壊れているか、"
                            "書き換えられています。復元しません。") % {"file": dump})
    return manifest


def restore(dump: Path, database: Database, *, force: bool = False) -> dict:
    """Restore `dump` into `database` (verified first; all or nothing); return its manifest."""
    manifest = read_manifest(dump)
    dumped_with = manifest["pg_dump_major"]
    connection = database.connect()
    try:
        server_major = connection.server_version // 10000
        with connection.cursor() as cursor:
            existing = tables(cursor)
    finally:
        connection.close()
    if existing and not force:
        raise BackupError(_("データベース %(name)s には既に表が %(count)s 個あります。空のデータベースに復元してください。"
                            "上書きする場合は --force を付けてください（今ある内容は消えます）。")
                          % {"name": database.name, "count": len(existing)})
    pg_restore, _text, _major = _checked_tool("pg_restore", max(server_major, dumped_with))
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={database.name}"]
    if existing:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump)], database)
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            counts, applied = row_counts(cursor), migrations(cursor)
    finally:
        connection.close()
    expected = manifest["row_counts"]
    differing = sorted(table for table in set(expected) | set(counts) if expected.get(table) != counts.get(table))
    if differing or applied != manifest["migrations"]:
        raise BackupError(_("復元した内容がマニフェストと一致しません（表: %(tables)s）。")
                          % {"tables": ", ".join(differing) or _("マイグレーション")})
    return manifest
