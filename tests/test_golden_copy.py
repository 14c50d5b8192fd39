import pytest

from tests.golden import COPY, SHARED


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/golden is not beside this clone; the copy is used")
def test_the_repositorys_copy_of_the_golden_files_is_verbatim():
    copies = sorted(path.name for path in COPY.glob("*.json"))
    assert copies == sorted(path.name for path in SHARED.glob("*.json"))
    for name in copies:
        assert (COPY / name).read_bytes() == (SHARED / name).read_bytes(), name
