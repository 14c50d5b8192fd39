"""`make bench`, part two: importing large ledgers (DOMAIN.md §7) on a throwaway database.

For 10,000 and 100,000 rows, as CSV and as .xlsx, read from a file on disk as the worker reads an upload:
the time of the check (first pass), of the whole import (both passes, one transaction: the command line),
of the import that follows the check's stored plan (one more pass: the page's import job), and the peak of
Python memory the import allocates (tracemalloc, in a separate run, because tracing slows it down). Bounded memory shows as a peak that does not grow
ten-fold with the rows. Runs in its own process so that nothing else shares its memory.
"""

import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_ledger")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_LEDGER_ROWS", "10000,100000").split(",")]
WARDS = ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区", "西淀川区", "淀川区",
         "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"]
BASES = ["地域ケア会議", "本人同意", "要対協", "支援会議", "共催"]
CATEGORIES = ["地域包括支援センター", "障害者基幹相談支援センター", "生活困窮担当", "社会福祉協議会", "保健センター"]
ISSUES = ["認知症", "経済的困窮", "ひきこもり", "精神障害（疑い含む）", "発達障がい（疑い含む）", "8050問題", "孤立"]
HEADER = ["開催日", "区", "事例番号", "会議種別", "開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題"]


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


def main():
    from agencies.services import municipality_setup
    from ledger.importer import Result, check, import_ledger
    from ledger.parsing import LedgerFile

    old = setup_databases(verbosity=0, interactive=False)
    results = []
    try:
        city = municipality_setup(name="大阪市", code="271004", wards=WARDS)
        for n in SIZES:
            for kind, make in (("CSV", as_csv), ("xlsx", as_xlsx)):
                # Read from a file on disk a megabyte at a time, as the worker reads an upload from storage.
                path = Path(tempfile.mkdtemp()) / f"ledger.{kind.lower()}"
                path.write_bytes(make(n))
                ledger = LedgerFile.from_path(path)
                start = time.perf_counter()
                plan = check(municipality=city, file=ledger)
                check_s = time.perf_counter() - start
                assert not plan.errors, plan.errors[:3]
                stored = plan.to_json()  # what the page's check job keeps for its import job
                timings = []
                for traced, with_plan in ((False, False), (True, False), (False, True)):
                    with transaction.atomic():
                        if traced:
                            tracemalloc.start()
                        start = time.perf_counter()
                        result = import_ledger(municipality=city, file=ledger,
                                               plan=Result.from_json(stored, city) if with_plan else None)
                        timings.append(time.perf_counter() - start)
                        if traced:
                            _current, peak = tracemalloc.get_traced_memory()
                            tracemalloc.stop()
                        transaction.set_rollback(True)  # every run starts from the same empty city
                results.append((n, kind, ledger.size, check_s, timings[0], timings[2], peak, result.cases_created,
                                result.meetings_created))
                path.unlink()
                sys.stderr.write(f"{n} {kind}: {timings[0]:.1f} s\n")
        out = sys.stdout.write
        out(f"\nPostgreSQL {connection.pg_version // 10000}, Python {sys.version.split()[0]}, {os.cpu_count()} cores\n\n")
        out("| rows | file | size | check s | import s (check + write) | rows/s | import s with the check's plan | "
            "rows/s | peak Python memory | cases | meetings |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        for n, kind, size, check_s, import_s, planned_s, peak, cases, meetings in results:
            out(f"| {n:,} | {kind} | {size / 1e6:.1f} MB | {check_s:.1f} | {import_s:.1f} | {n / import_s:,.0f} | "
                f"{planned_s:.1f} | {n / planned_s:,.0f} | {peak / 1e6:.0f} MB | {cases:,} | {meetings:,} |\n")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
