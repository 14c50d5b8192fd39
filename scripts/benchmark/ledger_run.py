"""One ledger import in a process of its own (so its peak RSS is its own): `python -m scripts.benchmark.ledger_run N`.

Rows from scripts.bench_ledger's generator, read from a file on disk as the worker reads an upload, imported into the
bench city through the importer's public entry point inside a transaction that is rolled back. Prints JSON."""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
django.setup()

from django.db import connection, transaction  # noqa: E402


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss survives exec on Linux and would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int) -> dict:
    from agencies.models import Municipality
    from ledger.importer import import_ledger
    from ledger.parsing import LedgerFile
    from scripts.bench_ledger import as_csv

    city = Municipality.objects.get(code="271004")
    path = Path(tempfile.mkdtemp()) / "ledger.csv"
    path.write_bytes(as_csv(rows))
    try:
        with transaction.atomic():
            start = time.perf_counter()
            result = import_ledger(municipality=city, file=LedgerFile.from_path(path))
            # The foreign keys are checked at commit (deferred): check them now, inside the time, then roll back.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            seconds = time.perf_counter() - start
            transaction.set_rollback(True)
    finally:
        path.unlink()
    peak_mb = _peak_rss_mb()
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "peak_rss_mb": round(peak_mb), "meetings_created": getattr(result, "meetings_created", None)}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(int(sys.argv[1]))) + "\n")
