"""Imports of large ledgers (each in its own process, for its peak RSS) and the exports of a year's workbooks."""

import io
import json
import os
import subprocess
import sys
import time


def ledger_imports(sizes: list[int]) -> list[dict]:
    results = []
    for rows in sizes:
        done = subprocess.run([sys.executable, "-m", "scripts.benchmark.ledger_run", str(rows)], check=True,
                              capture_output=True, text=True, env={**os.environ})
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


def exports(ids: dict, fiscal_year: int) -> dict:
    from agencies.models import Municipality
    from ledger.export import ledger_export
    from reports.annual import annual_report, ward_comparison
    from reports.exports import to_xlsx
    from reports.layouts import layout_for

    city = Municipality.objects.get(pk=ids["city"])
    out = io.BytesIO()
    start = time.perf_counter()
    result = ledger_export(municipality=city, output=out, fiscal_year=fiscal_year, fmt="xlsx")
    ledger = {"seconds": round(time.perf_counter() - start, 2), "bytes": len(out.getvalue()), "rows": result.rows}
    start = time.perf_counter()
    layout = layout_for(city)
    workbook = to_xlsx(annual_report(municipality=city, fiscal_year=fiscal_year, layout=layout),
                       ward_comparison(municipality=city, fiscal_year=fiscal_year, layout=layout))
    annual = {"seconds": round(time.perf_counter() - start, 2), "bytes": len(workbook)}
    return {"ledger_xlsx": ledger, "annual_xlsx": annual}
