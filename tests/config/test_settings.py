"""config/settings/local.py, what `make run` uses, read in a fresh interpreter with only the variables given
(DATABASE_URL set, so that the embedded server is not started)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _local_settings(*names, **variables):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": "postgres://nobody@localhost:1/unused",
        **variables,
    }
    code = f"import config.settings.local as s; print(*(getattr(s, n) for n in {names!r}))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_make_run_has_debug_off_and_still_serves_static_files():
    assert _local_settings("DEBUG", "DEBUG_TECHNICAL", "WHITENOISE_USE_FINDERS", "WHITENOISE_AUTOREFRESH") == [
        "False", "False", "True", "True",
    ]  # fmt: skip


def test_a_developer_turns_debug_on_by_asking():
    assert _local_settings("DEBUG", "DEBUG_TECHNICAL", DJANGO_DEBUG="1") == ["True", "False"]
    assert _local_settings("DEBUG", "DEBUG_TECHNICAL", DJANGO_DEBUG="1", DJANGO_DEBUG_TECHNICAL="1") == ["True", "True"]
