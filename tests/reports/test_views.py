"""The bureau's report pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Action, AuditEvent
from tests.reports.test_annual import held

pytestmark = pytest.mark.django_db


def test_the_annual_page_shows_five_tables_charts_and_the_ward_comparison(client, bureau, coordinator_kita, kita):
    held(coordinator_kita, kita)
    client.force_login(bureau)
    page = client.get(reverse("reports:annual"), {"fy": 2020}).content.decode()
    for title in ("開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題", "区別の比較（令和2年度）", "令和2年度：開催 1 回"):
        assert title in page, title
    assert page.count('<svg class="chart"') == 5
    assert 'href="/reports/annual/annual.xlsx?fy=2020"' in page


def test_a_bad_year_is_explained(client, bureau):
    client.force_login(bureau)
    response = client.get(reverse("reports:annual"), {"fy": "1999"})
    assert response.status_code == 400 and "1999 は候補にありません" in response.content.decode()
    same = client.get(reverse("reports:annual"), {"fy": 2020, "compare": 2020})
    assert same.status_code == 400 and "別の年度" in same.content.decode()


def test_downloads_are_named_audited_and_suppressible(client, bureau, coordinator_kita, kita):
    held(coordinator_kita, kita)
    client.force_login(bureau)
    response = client.get(reverse("reports:annual_xlsx"), {"fy": 2020, "ward": kita.pk, "suppress": 3})
    assert "filename*=UTF-8''%E3%81%A4" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["開催根拠"]
    assert sheet["A1"].value.startswith("大阪市 北区") and ("地域ケア会議", "*", 0, None) in list(sheet.iter_rows(values_only=True))
    csv = client.get(reverse("reports:annual_csv"), {"fy": 2020})
    assert csv["Content-Type"] == "text/csv; charset=utf-8" and csv.content.startswith(b"\xef\xbb\xbf")
    assert AuditEvent.objects.filter(action=Action.EXPORT, user=bureau).count() == 2


def test_the_activity_page_shows_the_001_table_the_monthly_comparison_and_indicators(client, bureau, coordinator_kita, kita):
    import datetime as dt

    from meetings import services

    services.activity_record(user=coordinator_kita, ward=kita, kind="liaison", held_on=dt.date(2022, 5, 1), agency_count=9)
    client.force_login(bureau)
    page = client.get(reverse("reports:activities"), {"start": "2022-04-01", "end": "2023-01-31"}).content.decode()
    for text in ("連絡会参加", "相談件数", "評価指標", "会議設定議題数", "算出できません"):
        assert text in page, text
    bad = client.get(reverse("reports:activities"), {"start": "2023-01-31", "end": "2022-04-01"})
    assert bad.status_code == 400 and "始まり以降" in bad.content.decode()


def test_the_report_pages_cost_the_same_queries_for_one_meeting_or_several(client, bureau, coordinator_kita, kita,
                                                                           django_assert_num_queries):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings import services

    client.force_login(bureau)
    held(coordinator_kita, kita)
    services.activity_record(user=coordinator_kita, ward=kita, kind="liaison", held_on=dt.date(2020, 6, 1), agency_count=4)
    pages = [(reverse("reports:annual"), {"fy": 2020}),
             (reverse("reports:activities"), {"start": "2020-04-01", "end": "2021-01-31"})]
    counts = []
    for url, params in pages:
        client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            client.get(url, params)
        counts.append(len(captured))
    for day in range(2, 6):
        held(coordinator_kita, kita, day=dt.date(2020, 7, day), attended=("地域包括支援センター", "警察"), issues=("孤立", "依存症"))
        services.activity_record(user=coordinator_kita, ward=kita, kind="outreach", held_on=dt.date(2020, 7, day))
    for (url, params), expected in zip(pages, counts, strict=True):
        with django_assert_num_queries(expected):
            client.get(url, params)
