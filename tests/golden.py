"""The golden figures of ../shared/golden, read as they are: never computed by the code under test.

The repository keeps a verbatim copy (tests/golden/) so that a clone outside the shared workspace still
has them; when ../shared/golden is present it is read instead, and tests/test_golden_copy.py checks the
copy has not drifted from it.
"""

import json
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared" / "golden"
COPY = REPOSITORY / "tests" / "golden"


def golden(name: str) -> dict:
    path = SHARED / name if (SHARED / name).exists() else COPY / name
    return json.loads(path.read_text(encoding="utf-8"))
