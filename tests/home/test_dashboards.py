"""What each role sees first (home.dashboards)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from cases.services import household_merge
from ledger.importer import import_ledger
from ledger.parsing import LedgerFile
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db

HEADER = LEDGER_CSV_KITA.splitlines()[0]


def _import(osaka, cases: int, name: str):
    rows = "".join(f"2020/5/{1 + i},北区,{name}-{i},,地域ケア会議,無,,,\n" for i in range(cases))
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes(f"{name}.csv", f"{HEADER}\n{rows}".encode("cp932")))


def test_imported_households_do_not_crowd_the_recently_registered_ones(client, coordinator_kita, household_kita, osaka):
    _import(osaka, 6, "K")
    client.force_login(coordinator_kita)
    response = client.get(reverse("home:dashboard"))
    assert response.context["recent_households"] == [household_kita]
    page = response.content.decode()
    assert f'<a href="{reverse("ledger:import_list")}">台帳から取り込んだ世帯 6件</a>' in page


def test_without_imports_the_dashboard_says_nothing_of_them(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("home:dashboard"))
    assert response.context["recent_households"] == [household_kita] and "台帳から取り込んだ世帯" not in response.content.decode()


def test_a_household_the_office_registered_stays_its_own_after_an_imported_case_joins_it(client, coordinator_kita,
                                                                                        case_kita, osaka):
    _import(osaka, 2, "K")
    imported = Case.all_objects.get(external_number="K-0").household
    household_merge(user=coordinator_kita, source=imported, target=case_kita.household, reason="同じ世帯でした")
    client.force_login(coordinator_kita)
    response = client.get(reverse("home:dashboard"))
    assert response.context["recent_households"] == [case_kita.household]
    assert "台帳から取り込んだ世帯 1件" in response.content.decode()  # K-1's


def test_the_coordinators_dashboard_costs_the_same_queries_for_two_imported_households_or_eight(client, coordinator_kita,
                                                                                               household_kita, osaka):
    client.force_login(coordinator_kita)
    counts = []
    for cases, name in ((2, "A"), (6, "B")):
        _import(osaka, cases, name)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home:dashboard")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
