"""One page of a kept bench database as one user: server time and queries; PROF=1 adds a cProfile of three views,
SQL=1 the statements. `BENCH_KEEP=1 make bench` keeps the database, then:
`BENCH_DATABASE_NAME=bench_city python -m scripts.benchmark.profile "cases:case_detail (coordinator)"` (labels as in
docs/benchmarks/city.md; a URL name matches every page of that name)."""

import cProfile
import io
import json
import os
import pstats
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ.setdefault("BENCH_DATABASE_NAME", "bench_city")

import django

django.setup()


def _collect(queries: list):
    def collect(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    return collect


def main(wanted: list[str]) -> None:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    from accounts.models import User

    from . import measure

    ids = json.loads(open(f".data/bench-{os.environ['BENCH_DATABASE_NAME']}.json").read())["ids"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    client = Client()
    out = sys.stdout
    for page in measure.page_list(ids):
        if wanted and page["label"] not in wanted and page["name"] not in wanted:
            continue
        client.force_login(User.objects.get(pk=ids["users"][page["role"]]))
        client.get(page["url"])
        queries: list[str] = []
        with connection.execute_wrapper(_collect(queries)):
            start = time.perf_counter()
            response = client.get(page["url"])
            elapsed = (time.perf_counter() - start) * 1000
        out.write(f"== {page['label']} {page['url']} {response.status_code} {elapsed:.1f} ms {len(queries)} queries\n")
        if os.environ.get("SQL"):
            out.writelines(f"    {sql[:200]}\n" for sql in queries)
        if os.environ.get("PROF"):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                client.get(page["url"])
            profile.disable()
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(35)
            out.write(text.getvalue()[:8000])


if __name__ == "__main__":
    main(sys.argv[1:])
