"""A case and household that a ledger import created say so on their pages (registered through cases.registry)."""

import pytest
from django.urls import reverse

from cases.models import Case
from ledger import parts
from ledger.importer import import_ledger
from ledger.parsing import LedgerFile
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(osaka, kita):
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("北区台帳.csv", LEDGER_CSV_KITA.encode("cp932")))
    return Case.all_objects.get(external_number="K-2")


def test_an_imported_case_and_its_household_name_the_ledger_row_they_came_from(client, coordinator_kita, imported):
    client.force_login(coordinator_kita)
    note = "台帳から取り込み: K-2（北区台帳.csv の4行目）"
    assert note in client.get(reverse("cases:case_detail", args=[imported.pk])).content.decode()
    assert note in client.get(reverse("cases:household_detail", args=[imported.household_id])).content.decode()


def test_a_case_recorded_in_the_app_says_nothing_of_ledgers(client, coordinator_kita, case_kita, imported):
    client.force_login(coordinator_kita)
    assert "台帳から取り込み" not in client.get(reverse("cases:case_detail", args=[case_kita.pk])).content.decode()
    assert "台帳から取り込み" not in client.get(reverse("cases:household_detail", args=[case_kita.household_id])).content.decode()


def test_each_part_costs_one_query(imported, django_assert_num_queries):
    household = imported.household
    Case.all_objects.filter(external_number="K-1").update(household=household)  # as after merging two households
    with django_assert_num_queries(1):
        notes = parts.household_notes(household=household)
    assert notes == ["台帳から取り込み: K-1（北区台帳.csv の2行目）", "台帳から取り込み: K-2（北区台帳.csv の4行目）"]
    with django_assert_num_queries(1):
        assert parts.case_part(case=imported).notes == ["台帳から取り込み: K-2（北区台帳.csv の4行目）"]
