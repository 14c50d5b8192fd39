"""The 書き出す page: a coordinator's own ward, an administrator's any ward or the city; audited."""

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from ledger.importer import import_ledger
from ledger.parsing import COLUMNS, LedgerFile
from tests.conftest import LEDGER_CSV_KITA

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(osaka, kita, nishinari):
    text = LEDGER_CSV_KITA + "2020/8/1,西成区,N-1,,支援会議,無,,,\n"
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("all.csv", text.encode()))


def _download(client, **params):
    response = client.get(reverse("ledger:export"), params)
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_a_coordinator_downloads_their_wards_ledger(client, coordinator_kita, imported):
    client.force_login(coordinator_kita)
    page = client.get(reverse("ledger:export"))
    assert page.status_code == 200 and "全区・全圏域" not in page.content.decode()
    response, body = _download(client, ward=coordinator_kita.ward_id, format="xlsx", fiscal_year=2020)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == COLUMNS and {r[1] for r in rows[1:]} == {"北区"} and len(rows) == 4
    event = AuditEvent.objects.get(user=coordinator_kita, action="export")
    assert event.detail["ward"] == "北区" and event.detail["rows"] == 3


def test_a_coordinator_cannot_choose_another_ward(client, coordinator_kita, nishinari, imported):
    client.force_login(coordinator_kita)
    response, _body = _download(client, ward=nishinari.pk, format="csv")
    assert response.status_code == 400 and "正しく選択してください" in response.content.decode()
    response, _body = _download(client, format="csv")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="export").exists()


def test_an_administrator_downloads_the_whole_city_as_csv(client, administrator, imported):
    client.force_login(administrator)
    response, body = _download(client, format="csv", ward="")
    assert response.status_code == 200
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS) and "西成区" in text and "北区" in text


def test_a_bad_year_gets_a_japanese_message(client, administrator, imported):
    client.force_login(administrator)
    response, _body = _download(client, format="xlsx", fiscal_year="令和")
    assert response.status_code == 400 and "年度として読めません（例: 令和2年度、R2、2020）。" in response.content.decode()


def test_the_year_may_be_typed_in_wareki(client, coordinator_kita, imported):
    client.force_login(coordinator_kita)
    response, body = _download(client, ward=coordinator_kita.ward_id, format="csv", fiscal_year="Ｒ２年度")
    assert response.status_code == 200 and "開催台帳_北区_令和2年度.csv" in unquote(response["Content-Disposition"])
    assert len(body.decode("utf-8-sig").splitlines()) == 4  # the header and 北区's three meetings of 令和2年度
