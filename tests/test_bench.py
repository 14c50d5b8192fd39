"""`make bench SCALE=small` runs here so that it cannot rot: the whole harness in a subprocess, against a database
of its own, with tiny repeat counts and a very short load. Time is never asserted; the harness itself asserts
that the yearly report's figures equal its hand-written SQL floor."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

SECTIONS = ("generation", "machine", "counts", "yearly_report", "annual_command", "pages", "load", "ledger_imports",
            "exports")


@pytest.fixture
def bench_run(tmp_path):
    env = {**os.environ, "BENCH_SCALE": "small", "BENCH_OUTPUT_DIR": str(tmp_path),
           "BENCH_DATABASE_NAME": os.environ.get("TEST_DATABASE_NAME", "test_tsunagaru") + "_bench",
           "BENCH_REPEAT": "1", "BENCH_COMMAND_REPEAT": "1", "BENCH_LOAD_SECONDS": "3", "BENCH_LOAD_USERS": "5",
           "BENCH_WORKERS": "2", "BENCH_LOAD_PAGES": "bench_shell,home:dashboard",
           "BENCH_LEDGER_SIZES": "60"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "scripts.benchmark"], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((tmp_path / "small.json").read_text(encoding="utf-8")), (tmp_path / "small.md")


def test_make_bench_small_measures_every_section_with_the_report_equal_to_its_floor(bench_run):
    data, markdown = bench_run
    assert set(SECTIONS) <= set(data)
    counts = data["counts"]
    # The small city: 1/100 of the city's shape (24 wards × 84 households, 10 years × 24 wards × 13 cases).
    assert counts["cases_household"] == 2016
    assert counts["cases_case"] == 3120
    assert counts["cases_consultation"] == 10_000
    assert counts["meetings_meeting"] == 600
    assert counts["referrals_referral"] == 1000
    assert counts["audit_auditevent"] >= 5000
    assert set(data["yearly_report"]) == {"city", "kita", "wards"}
    assert all(r["figures_equal"] for r in data["yearly_report"].values())
    assert data["yearly_report"]["city"]["meetings"]["2024"] > 0
    assert data["unmeasured"] == [], "every page of the URL conf is measured or deliberately skipped"
    assert [p["label"] for p in data["pages"] if p["status"] != 200] == []
    assert all(page["queries"] > 0 for page in data["pages"])
    assert {p["name"] for p in data["load"]["pages"]} == {"bench_shell", "home:dashboard"}
    assert all(p["requests"] > 0 and p["errors"] == 0 for p in data["load"]["pages"])
    assert data["ledger_imports"][0]["rows"] == 60 and data["ledger_imports"][0]["meetings_created"]
    assert data["exports"]["annual_xlsx"]["bytes"] > 0
    assert markdown.read_text(encoding="utf-8").startswith("## small scale")
