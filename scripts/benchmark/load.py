"""Pages under load: gunicorn on 127.0.0.1 (config.settings.bench, DEBUG off, the bench database) driven by
locust headless, 50 users, a bounded time per page; the shell page (config.urls_bench) is the floor."""

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sessions(user, count: int) -> list[str]:
    """`count` signed-in sessions of `user`, as the login page would leave them (no second factor owed)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for _ in range(count):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _locust(host: str, path: str, keys: list[str], users: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "run"
        env = {**os.environ, "BENCH_LOCUST_PATH": path, "BENCH_LOCUST_SESSIONS": ",".join(keys),
               "BENCH_LOCUST_COOKIE": settings.SESSION_COOKIE_NAME}
        subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
                        "-r", str(users), "-t", f"{max(1, round(seconds))}s", "--host", host, "--csv", str(prefix),
                        "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
                       check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 120)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows["Aggregated"]

    def ms(value):  # "N/A" when no request finished in time
        return float(value) if value and value != "N/A" else None

    requests = int(row["Request Count"])
    return {"requests": requests, "errors": int(row["Failure Count"]), "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": ms(row["50%"]), "p95_ms": ms(row["95%"])}


def under_load(pages: list[dict], users: dict, *, clients: int, seconds: float, workers: int) -> dict:
    """Each page for `seconds` with `clients` users; ratio = page's req/s ÷ the shell floor's."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", str(workers), "--log-level", "warning"], env=env)
    try:
        host = f"http://127.0.0.1:{port}"
        _wait(f"{host}/healthz")
        keys = {role: sessions(user, clients) for role, user in users.items()}
        results = []
        for page in pages:
            results.append({**page, **_locust(host, page["url"], keys[page["role"]], clients, seconds)})
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor_rps = next((r["rps"] for r in results if r["name"] == "bench_shell"), None)
    for result in results:
        result["ratio_to_floor"] = round(result["rps"] / floor_rps, 2) if floor_rps else None
    return {"clients": clients, "seconds_per_page": seconds, "workers": workers, "floor_rps": floor_rps, "pages": results}
