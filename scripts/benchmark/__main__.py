"""`make bench SCALE=small|city` → python -m scripts.benchmark: generate, measure, write docs/benchmarks/<scale>.*

Knobs (environment): BENCH_SCALE (city), BENCH_DATABASE_NAME (bench_<scale>), BENCH_REPEAT (15 small / 9 city),
BENCH_COMMAND_REPEAT (5), BENCH_LOAD_SECONDS (3 small / 20 city), BENCH_LOAD_USERS (50), BENCH_WORKERS (2·cores+1),
BENCH_LOAD_PAGES (comma-separated URL names; all by default), BENCH_LEDGER_SIZES (60000,100000 city; 600,1000 small),
BENCH_OUTPUT_DIR (docs/benchmarks), BENCH_KEEP=1 keeps the database, BENCH_REUSE=1 measures a kept one again.
"""

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

SCALE = os.environ.get("BENCH_SCALE", "city")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ.setdefault("BENCH_DATABASE_NAME", f"bench_{SCALE}")

import django  # noqa: E402

django.setup()


def log(message: str) -> None:
    sys.stderr.write(message + "\n")


def main() -> None:
    from accounts.models import User

    from . import db, files, generate, load, measure, report

    small = SCALE == "small"
    repeat = int(os.environ.get("BENCH_REPEAT", "15" if small else "9"))
    folder = Path(os.environ.get("BENCH_OUTPUT_DIR", "docs/benchmarks"))
    data = {"scale": SCALE, "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": f"make bench SCALE={SCALE}", "repeat": repeat}
    ids_file = Path(".data") / f"bench-{os.environ['BENCH_DATABASE_NAME']}.json"
    if os.environ.get("BENCH_REUSE") and ids_file.exists():
        data["generation"] = json.loads(ids_file.read_text())
    else:
        log(f"bench: generating the {SCALE} city into {os.environ['BENCH_DATABASE_NAME']}")
        start = time.perf_counter()
        db.recreate()
        migrate = time.perf_counter() - start
        data["generation"] = generate.generate(generate.SCALES[SCALE], log=log)
        data["generation"]["migrate_seconds"] = round(migrate, 1)
        ids_file.parent.mkdir(exist_ok=True)
        ids_file.write_text(json.dumps(data["generation"]))
    try:
        ids = data["generation"]["ids"]
        data["machine"] = report.machine()
        data["database_mb"] = round(db.size_bytes() / 2**20)
        data["counts"] = db.table_counts()
        users = {role: User.objects.get(pk=pk) for role, pk in ids["users"].items()}
        log("bench: yearly report and its floor")
        data["yearly_report"] = measure.yearly_report(ids, repeat)
        data["annual_command"] = measure.command(int(os.environ.get("BENCH_COMMAND_REPEAT", "5")))
        log("bench: pages, one user")
        data["unmeasured"] = measure.unmeasured()
        data["pages"] = measure.pages(ids, users, repeat)
        log("bench: pages under load")
        chosen = os.environ.get("BENCH_LOAD_PAGES")
        pages = [p for p in measure.page_list(ids) if not chosen or p["name"] in chosen.split(",")]
        data["load"] = load.under_load(
            pages, users, clients=int(os.environ.get("BENCH_LOAD_USERS", "50")),
            seconds=float(os.environ.get("BENCH_LOAD_SECONDS", "3" if small else "20")),
            workers=int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1))))
        log("bench: ledger import and exports")
        sizes = os.environ.get("BENCH_LEDGER_SIZES", "600,1000" if small else "60000,100000")
        data["ledger_imports"] = files.ledger_imports([int(n) for n in sizes.split(",")])
        data["exports"] = files.exports(ids, measure.REPORT_YEAR)
        json_path, md_path = report.write(data, folder)
        log(f"bench: wrote {json_path} and {md_path}")
    finally:
        if not os.environ.get("BENCH_KEEP"):
            db.drop()
            ids_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
