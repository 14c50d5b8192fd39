"""Embedded PostgreSQL for development and tests when DATABASE_URL is not set.

pgserver ships PostgreSQL 16 binaries inside a wheel, so a fresh machine needs nothing but Python.
The server is left running between commands (cleanup_mode=None) so that `make run` and `make test`
start in seconds the second time; `make db-stop` (`python -m config.devdb stop`) stops it.
"""

import os
import signal
import sys
import time
import warnings
from pathlib import Path

import psutil  # comes with pgserver

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


# What stop() found, as `make db-stop` reports it.
STOP_MESSAGES = {
    "stopped": "組み込みの PostgreSQL（{data_dir}）を停止しました。",
    "stale": "組み込みの PostgreSQL（{data_dir}）は動いていませんでした。残っていた postmaster.pid を削除しました。",
    "absent": "組み込みの PostgreSQL（{data_dir}）は動いていません。",
}


def _postmaster(data_dir: Path) -> psutil.Process | None:
    """The live server that data_dir/postmaster.pid names, or None. The file outlives a server that was
    killed or a machine that was switched off, and by then its number may belong to another process."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        ours = process.name() == "postgres" and str(data_dir.resolve()) in process.cmdline()
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        return None
    return process if ours else None


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _signal_and_wait(process: psutil.Process, signum: int, timeout: float) -> bool:
    os.kill(process.pid, signum)
    deadline = time.monotonic() + timeout
    while not _gone(process):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop(data_dir: Path, *, timeout: float = 60) -> str:
    """Stop data_dir's server, whatever `make run` left behind; one of STOP_MESSAGES' keys says what was found.

    Not through pgserver: it stops a server only when no other process holds a handle on it, and the handles of
    a `make run` ended by Ctrl-C or `kill` are never given back; it also starts a server before stopping one,
    so a postmaster.pid left by a dead server would start the database that was meant to stop.
    """
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return "absent"
    process = _postmaster(data_dir)
    if process is None:
        outcome = "stale"
    else:
        # SIGINT is PostgreSQL's fast shutdown (what `pg_ctl stop` sends); SIGQUIT its immediate one.
        stopped = _signal_and_wait(process, signal.SIGINT, timeout) or _signal_and_wait(process, signal.SIGQUIT, timeout)
        if not stopped:
            raise TimeoutError(f"PostgreSQL (pid {process.pid}) did not stop within {2 * timeout:.0f} seconds")
        outcome = "stopped"
    pid_file.unlink(missing_ok=True)  # a server that shut down cleanly removed it already
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)  # pgserver's handles on the server that is gone
    return outcome


if __name__ == "__main__":
    # python -m config.devdb stop [data_dir]
    if sys.argv[1:2] != ["stop"]:
        sys.exit("usage: python -m config.devdb stop [data_dir]")
    directory = Path(sys.argv[2] if len(sys.argv) > 2 else ".data/pg")
    sys.stdout.write(STOP_MESSAGES[stop(directory)].format(data_dir=directory) + "\n")
