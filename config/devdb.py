"""Embedded PostgreSQL for development and tests when DATABASE_URL is not set.

pgserver ships PostgreSQL 16 binaries inside a wheel, so a fresh machine needs nothing but Python.
The server is left running between commands (cleanup_mode=None) so that `make run` and `make test`
start in seconds the second time; `make db-stop` stops it.
"""

import warnings
from pathlib import Path

DEV_DATABASE = "tsunagaru"


def _server(data_dir: Path, cleanup_mode):
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); the fallback it takes is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        return pgserver.get_server(data_dir, cleanup_mode=cleanup_mode)


def embedded_database_url(data_dir: Path, database: str = DEV_DATABASE) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    server = _server(data_dir, None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def stop(data_dir: Path) -> None:
    if (data_dir / "postmaster.pid").exists():
        _server(data_dir, "stop").cleanup()
