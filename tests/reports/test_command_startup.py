"""Commands that start fast (#16 item 4): annual_report, export_ledger and import_ledger, run as `manage.py` runs
them (system checks included when a command asks for them), load neither the URL conf (every view) nor
drf-spectacular's schema machinery, and load openpyxl only for a workbook and matplotlib never. docs/benchmarks/startup.md has the
times; here only what is imported is asserted.

Each command runs in a process of its own against the test database, so the data is committed
(transaction=True) and the process reports which of the heavy modules it loaded.
"""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from core.backup import Database
from tests.reports.test_annual import held
from tests.test_backup import url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

MODULES = ("config.urls", "api.schema")  # every view; drf-spectacular's schema machinery
PACKAGES = ("matplotlib", "openpyxl")
# manage.py's own path (execute_from_command_line: checks, then the command), then the heavy modules it loaded.
RUN = f"""
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", *sys.argv[1:]])
finally:
    loaded = {{m for m in {MODULES!r} if m in sys.modules}} | {{p for p in {PACKAGES!r} if p in sys.modules}}
    print("LOADED", *sorted(loaded), file=sys.stderr)
"""


def manage(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    database = Database.from_settings(connection.settings_dict)
    environment = {**os.environ, "DATABASE_URL": url(database), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run([sys.executable, "-c", RUN, *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done, set(next(line for line in done.stderr.splitlines() if line.startswith("LOADED")).split()[1:])


@pytest.fixture
def two_meetings(coordinator_kita, kita):
    held(coordinator_kita, kita)
    held(coordinator_kita, kita, basis="支援会議")
    return kita.municipality


def test_the_yearly_report_as_json_loads_no_url_conf_no_workbook_and_no_charts(two_meetings):
    done, loaded = manage("annual_report", "--fy", "2020", "--municipality", two_meetings.name, "--format", "json")
    assert json.loads(done.stdout)["meetings"] == {"2020": 2, "2019": 0}  # the two held above, none the year before
    assert loaded == set()


def test_the_yearly_report_as_csv_loads_nothing_heavy_either(two_meetings):
    done, loaded = manage("annual_report", "--fy", "2020", "--municipality", two_meetings.name, "--format", "csv")
    assert "地域ケア会議" in done.stdout
    assert loaded == set()


def test_the_yearly_workbook_loads_openpyxl_and_still_no_url_conf_nor_matplotlib(two_meetings, tmp_path):
    target = tmp_path / "report.xlsx"
    _done, loaded = manage("annual_report", "--fy", "2020", "--municipality", two_meetings.name,
                                   "--format", "xlsx", "--output", str(target))
    assert loaded == {"openpyxl"}
    assert "開催根拠" in load_workbook(target).sheetnames


def test_the_ledger_round_trip_as_csv_loads_nothing_heavy(two_meetings, tmp_path):
    target = tmp_path / "ledger.csv"
    _done, loaded = manage("export_ledger", "--municipality", two_meetings.name, "--format", "csv", "-o", str(target))
    assert loaded == set()
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + 2  # the header and one row per case discussed
    done, loaded = manage("import_ledger", str(target), "--municipality", two_meetings.name, "--dry-run")
    assert "2行" in done.stdout
    assert loaded == set()


def test_the_ledger_as_a_workbook_loads_openpyxl_only(two_meetings, tmp_path):
    target = tmp_path / "ledger.xlsx"
    _done, loaded = manage("export_ledger", "--municipality", two_meetings.name, "-o", str(target))
    assert loaded == {"openpyxl"}
    _done, loaded = manage("import_ledger", str(target), "--municipality", two_meetings.name, "--dry-run")
    assert loaded == {"openpyxl"}
