"""`make db-stop` (config.devdb.stop) after `make run` ended badly, on real throwaway servers in tmp_path.

Each server is started the way `make run` starts .data/pg, by a process that is then killed with SIGTERM
(what `kill` sends) and so never gives back its pgserver handle; the shared .data/pg is never touched.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from config.devdb import stop

ROOT = Path(__file__).resolve().parents[2]
# `make run`'s part: start (or find) the server, say so, and wait until killed.
STARTER = (
    "import sys; from pathlib import Path; from config.devdb import embedded_database_url; "
    "print(embedded_database_url(Path(sys.argv[1]), 'postgres'), flush=True); sys.stdin.read()"
)


def _pid(data_dir):
    return int((data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0])


def _servers_of(data_dir):
    """Every live postmaster serving data_dir."""
    found = []
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        info = process.info
        if info["name"] == "postgres" and info["status"] != psutil.STATUS_ZOMBIE and str(data_dir) in (info["cmdline"] or []):
            found.append(process)
    return found


def _alive(process):
    """Running, and not a zombie (an exited server stays one until init reaps it)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(process):
    """Until the process has exited (psutil's wait polls for one that is not our child)."""
    try:
        process.wait(timeout=60)
    except psutil.NoSuchProcess:
        pass


def _drop_orphaned_segment(key, shmid):
    """A server killed with SIGKILL leaves its small System V segment behind. PostgreSQL removes it at the
    next start in the same directory, which for a throwaway directory never comes."""
    if not shutil.which("ipcrm"):
        return
    for line in subprocess.run(["ipcs", "-m"], capture_output=True, text=True, check=True).stdout.splitlines():
        fields = line.split()  # key shmid owner perms bytes nattch
        if len(fields) >= 6 and fields[0].startswith("0x") and int(fields[0], 16) == key and fields[1] == shmid:
            if fields[5] == "0":
                subprocess.run(["ipcrm", "-m", shmid], check=True)


@pytest.fixture
def server(tmp_path):
    """A running server whose starter was killed: its data directory, and the server's process."""
    data_dir = (tmp_path / "pg").resolve()
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(data_dir)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert starter.stdout.readline().startswith("postgresql://")
    finally:
        os.kill(starter.pid, signal.SIGTERM)
        starter.wait(timeout=60)
        starter.stdin.close()
        starter.stdout.close()
    process = psutil.Process(_pid(data_dir))
    key, shmid = (data_dir / "postmaster.pid").read_text(encoding="utf-8").split("\n")[6].split()
    yield data_dir, process
    for leftover in _servers_of(data_dir):  # whatever the test did, no server outlives it
        os.kill(leftover.pid, signal.SIGQUIT)
        _wait_gone(leftover)
    _drop_orphaned_segment(int(key), shmid)


def test_stop_stops_a_server_whose_starter_was_killed(server):
    data_dir, process = server
    assert _alive(process)
    assert (data_dir / ".handle_pids.json").exists()  # the killed starter's handle, never given back

    assert stop(data_dir) == "stopped"

    assert not _alive(process)
    assert _servers_of(data_dir) == []
    assert not (data_dir / "postmaster.pid").exists()


def test_stop_removes_the_pid_file_of_a_killed_server_and_starts_nothing(server):
    data_dir, process = server
    os.kill(process.pid, signal.SIGKILL)  # a crash, or the machine switched off: postmaster.pid stays
    _wait_gone(process)
    assert (data_dir / "postmaster.pid").exists()

    # What `make db-stop` runs.
    result = subprocess.run([sys.executable, "-m", "config.devdb", "stop", str(data_dir)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)

    assert "動いていませんでした" in result.stdout
    assert not (data_dir / "postmaster.pid").exists()
    assert _servers_of(data_dir) == []
    assert stop(data_dir) == "absent"


def test_stop_leaves_alone_a_process_that_now_has_the_dead_servers_number(server):
    data_dir, process = server
    pid_file = data_dir / "postmaster.pid"
    lines = pid_file.read_text(encoding="utf-8").split("\n")
    os.kill(process.pid, signal.SIGKILL)
    _wait_gone(process)
    bystander = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        pid_file.write_text("\n".join([str(bystander.pid), *lines[1:]]), encoding="utf-8")

        assert stop(data_dir) == "stale"

        assert bystander.poll() is None
        assert not pid_file.exists()
        assert _servers_of(data_dir) == []
    finally:
        bystander.stdin.close()
        bystander.wait(timeout=60)

