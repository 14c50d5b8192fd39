"""`make bench`, part two: importing large ledgers (DOMAIN.md §7) on a throwaway database.

For 60,000 and 100,000 rows (BENCH_LEDGER_ROWS), as CSV and as .xlsx, read from a file on disk as the worker
reads an upload. Each measurement runs in a process of its own (`--one`), so that its peak resident memory
(VmHWM: the whole process, Django included) is the import's alone:

- the page's way: the check job (first pass, its plan stored as JSON), then the import job with that plan
  (one more pass, the rows written); rows/s of each and of both;
- the command line's way: `import_ledger` without a plan (both passes in one call).

Every run is rolled back, so each starts from the same empty city; the foreign keys, which PostgreSQL checks at
commit, are checked (SET CONSTRAINTS ALL IMMEDIATE) and timed before that. docs/benchmarks/ledger.md has the figures.
"""

import csv
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_ledger")
django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_LEDGER_ROWS", "60000,100000").split(",")]
KINDS = os.environ.get("BENCH_LEDGER_KINDS", "CSV,xlsx").split(",")
WARDS = ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区", "西淀川区", "淀川区",
         "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"]
BASES = ["地域ケア会議", "本人同意", "要対協", "支援会議", "共催"]
CATEGORIES = ["地域包括支援センター", "障害者基幹相談支援センター", "生活困窮担当", "社会福祉協議会", "保健センター"]
ISSUES = ["認知症", "経済的困窮", "ひきこもり", "精神障害（疑い含む）", "発達障がい（疑い含む）", "8050問題", "孤立"]
HEADER = ["開催日", "区", "事例番号", "会議種別", "開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題"]
CITY_CODE = "271004"


def ledger_rows(n):
    rng = random.Random(n)
    start = dt.date(2019, 4, 1)
    for i in range(n):
        case = i // 3  # about three meetings per case
        rng.seed(case)
        ward = rng.choice(WARDS)
        referrer = rng.choice(CATEGORIES)
        rng.seed(i)
        day = start + dt.timedelta(days=(case * 7 + (i % 3) * 30) % 1800)
        yield [f"{day.year}/{day.month}/{day.day}", ward, f"B-{case}", "", rng.choice(BASES), rng.choice("有無"),
               referrer, "、".join(rng.sample(CATEGORIES, 3)), "、".join(rng.sample(ISSUES, 2))]


def as_csv(n) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(ledger_rows(n))
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(n) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in ledger_rows(n):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def memory_mb(field: str = "VmHWM") -> float:
    """This process's peak (VmHWM) or present (VmRSS) resident memory. Not getrusage's ru_maxrss: Linux keeps
    that across exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def one(mode: str, path: str, database: str) -> dict:
    """One measurement in this process (`--one`): on the benchmark's database, rolled back at the end."""
    for alias in connections:  # the database the parent made, as the test runner points its connections
        connections[alias].settings_dict["NAME"] = database
    from agencies.models import Municipality
    from ledger.importer import Result, check, import_ledger
    from ledger.parsing import LedgerFile

    city = Municipality.objects.get(code=CITY_CODE)
    ledger = LedgerFile.from_path(Path(path))
    figures = {"baseline_mb": memory_mb("VmRSS")}
    with transaction.atomic():
        if mode == "page":
            start = time.perf_counter()
            stored = json.dumps(check(municipality=city, file=ledger).to_json())  # what the check job keeps
            figures["check_s"] = time.perf_counter() - start
            start = time.perf_counter()
            result = import_ledger(municipality=city, file=ledger, plan=Result.from_json(json.loads(stored), city))
            figures["write_s"] = time.perf_counter() - start
        else:
            start = time.perf_counter()
            result = import_ledger(municipality=city, file=ledger)
            figures["import_s"] = time.perf_counter() - start
        start = time.perf_counter()
        with connection.cursor() as cursor:  # the foreign keys are checked at commit: so here, and timed
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        figures["constraints_s"] = time.perf_counter() - start
        transaction.set_rollback(True)
    figures.update(peak_mb=memory_mb(), cases=result.cases_created, meetings=result.meetings_created)
    return figures


def main():
    from agencies.services import municipality_setup

    old = setup_databases(verbosity=0, interactive=False)
    results = []
    try:
        municipality_setup(name="大阪市", code=CITY_CODE, wards=WARDS)
        database = connection.settings_dict["NAME"]
        for n in SIZES:
            for kind in KINDS:
                path = Path(tempfile.mkdtemp()) / f"ledger.{kind.lower()}"
                path.write_bytes((as_csv if kind == "CSV" else as_xlsx)(n))
                runs = {}
                for mode in ("page", "command"):
                    with connection.cursor() as cursor:
                        # The runs before were rolled back: their dead rows are cleared and the statistics made true
                        # again. Left to autovacuum, a table holding only dead rows gets reltuples 0 with its pages
                        # kept, and the plans of reports' count triggers turn quadratic (docs/benchmarks/ledger.md).
                        cursor.execute("VACUUM ANALYZE")
                    out = subprocess.run([sys.executable, "-m", "scripts.bench_ledger", "--one", mode, str(path), database],
                                         check=True, capture_output=True, text=True, env=os.environ)
                    runs[mode] = json.loads(out.stdout.strip().splitlines()[-1])
                results.append((n, kind, path.stat().st_size, runs))
                path.unlink()
                sys.stderr.write(f"{n} {kind}: {runs}\n")
        out = sys.stdout.write
        out(f"\nPostgreSQL {connection.pg_version // 10000}, Python {sys.version.split()[0]}, {os.cpu_count()} cores\n\n")
        out("Seconds; rows/s with the foreign keys checked (as at commit). Peak: the process's resident memory.\n\n"
            "| rows | file | size | check | import with the plan | FK check | rows/s (import) | rows/s (check + import) "
            "| peak | import without a plan | FK check | rows/s | peak | Django alone | cases | meetings |\n"
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        for n, kind, size, runs in results:
            page, command = runs["page"], runs["command"]
            write = page["write_s"] + page["constraints_s"]
            whole = command["import_s"] + command["constraints_s"]
            out(f"| {n:,} | {kind} | {size / 1e6:.1f} MB | {page['check_s']:.1f} | {page['write_s']:.1f} | "
                f"{page['constraints_s']:.1f} | {n / write:,.0f} | {n / (page['check_s'] + write):,.0f} | "
                f"{page['peak_mb']:.0f} MB | {command['import_s']:.1f} | {command['constraints_s']:.1f} | {n / whole:,.0f} | "
                f"{command['peak_mb']:.0f} MB | {page['baseline_mb']:.0f} MB | {page['cases']:,} | {page['meetings']:,} |\n")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        sys.stdout.write(json.dumps(one(*sys.argv[2:5])) + "\n")
    else:
        main()
