"""cProfile of the list and detail pages on a medium generated city (issue #16, docs/benchmarks/pages.md).

    python -m scripts.profile_pages [URL | role:URL ...]

Builds (once, then reuses: keepdb) the database `test_pages_prof` with scripts.bench's populate at small numbers
(BENCH_* below; change them by environment), then for each page: one warm-up request, the queries of one request,
and N (default 5) requests under cProfile. Prints ms per request, queries, the share of time in SQL and in render(),
and the project functions with the largest cumulative share. ROOT=<a checkout> profiles that checkout's code against
the same database (how the "before" figures were taken). Rough figures: the machine is shared.
"""

import cProfile
import os
import pstats
import sys
import time

ROOT = os.environ.get("ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["TEST_DATABASE_NAME"] = os.environ.get("PROFILE_DATABASE_NAME", "test_pages_prof")
for key, value in {"BENCH_HOUSEHOLDS_PER_WARD": "200", "BENCH_AUDIT_EVENTS": "20000", "BENCH_MEETINGS_PER_YEAR": "100",
                   "BENCH_REFERRALS_PER_YEAR": "4500"}.items():
    os.environ.setdefault(key, value)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases  # noqa: E402

N = int(os.environ.get("N", "5"))
TOP = int(os.environ.get("TOP", "6"))
SQL_CALLS = {"<method 'execute' of 'psycopg2.extensions.cursor' objects>",
             "<method 'fetchmany' of 'psycopg2.extensions.cursor' objects>",
             "<method 'commit' of 'psycopg2.extensions.connection' objects>"}
WRAPPERS = ("middleware.py", "access.py")


def pages():
    from accounts.models import Role, User
    from cases.models import Household
    from meetings.models import Meeting
    from referrals.models import Referral

    coordinator = User.objects.get(username="bench_coordinator")
    city = coordinator.municipality
    for username, role in (("bench_sv", Role.SUPERVISOR), ("bench_admin", Role.ADMINISTRATOR)):
        if not User.objects.filter(username=username).exists():
            User.objects.create_user(username, password="x", role=role, municipality=city)
    household = Household.all_objects.filter(ward=coordinator.ward).order_by("pk").first()
    case = household.cases.first()
    meeting = Meeting.all_objects.filter(ward=coordinator.ward).order_by("-pk").first()
    referral = Referral.all_objects.filter(case_ward=coordinator.ward, status="sent").order_by("pk").first()
    return {
        "coordinator": ["/", "/households/", f"/households/{household.pk}/", "/cases/", f"/cases/{case.pk}/",
                        "/meetings/", f"/meetings/{meeting.pk}/", "/meetings/new/", "/referrals/?box=ward",
                        f"/referrals/{referral.pk}/", f"/referrals/new/?case={case.pk}", "/notifications/"],
        "agency": ["/", "/referrals/?box=incoming", "/referrals/", "/notifications/"],
        "bureau": ["/"], "auditor": ["/", "/audit/"], "sv": ["/"], "admin": ["/"],
    }


def profile(client, url):
    client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(N):
        client.get(url)
    profiler.disable()
    ms = (time.perf_counter() - start) / N * 1000
    stats = pstats.Stats(profiler).stats
    total = max(v[3] for k, v in stats.items() if k[0].endswith("core/middleware.py") and k[2] == "__call__")
    sql = sum(v[3] for k, v in stats.items() if k[2] in SQL_CALLS)
    render = max([v[3] for k, v in stats.items() if k[0].endswith("django/shortcuts.py") and k[2] == "render"] or [0])
    rows = sorted(((v[3], k) for k, v in stats.items() if k[0].startswith(ROOT + "/") and ".venv" not in k[0]
                   and not k[0].endswith(WRAPPERS) and k[2] != "__call__"), reverse=True)
    out = sys.stdout.write
    out(f" {url}: {ms:.0f} ms/request, {len(queries)} queries; SQL {sql / total:.0%}, render() {render / total:.0%}\n")
    for seconds, (path, line, name) in rows[:TOP]:
        out(f"  {seconds / total:4.0%} {path.removeprefix(ROOT + '/')}:{line}({name})\n")


def main():
    from accounts.models import User
    from scripts import bench

    setup_databases(verbosity=0, interactive=False, keepdb=True)
    call_command("createcachetable", verbosity=0)
    if not User.objects.filter(username="bench_coordinator").exists():
        bench.populate()
    # One connection for the whole run, as a server with CONN_MAX_AGE would keep it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    only = sys.argv[1:]
    for role, urls in pages().items():
        client = Client()
        client.force_login(User.objects.get(username=f"bench_{role}"))
        for url in urls:
            if not only or url in only or f"{role}:{url}" in only:
                sys.stdout.write(f"\n[{role}]")
                profile(client, url)


if __name__ == "__main__":
    main()
