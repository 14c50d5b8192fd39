"""The bureau's report pages."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Action, AuditEvent
from core import wareki
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
    assert sheet["A1"].value == "大阪市　令和2年度（比較: 令和元年度）北区　つながる場の開催状況（開催根拠）"
    assert ("地域ケア会議", "*", 0, None) in list(sheet.iter_rows(values_only=True))
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
        client.get(url, params)  # the writes invalidated the cached counts: read them once more
        with django_assert_num_queries(expected):
            client.get(url, params)


def test_the_annual_page_opens_on_the_latest_year_with_meetings(client, bureau, coordinator_kita, kita):
    import datetime as dt

    from django.utils import timezone

    from core.wareki import fiscal_year, fiscal_year_bounds, fiscal_year_label

    client.force_login(bureau)
    current = fiscal_year(timezone.localdate())
    empty = client.get(reverse("reports:annual")).content.decode()  # nothing held yet: the last complete year
    assert f"{fiscal_year_label(current - 1)}：開催 0 回" in empty
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1))
    page = client.get(reverse("reports:annual")).content.decode()
    assert "令和2年度：開催 1 回" in page and 'href="/reports/annual/annual.xlsx?fy=2020"' in page
    held(coordinator_kita, kita, day=fiscal_year_bounds(current)[0])  # this year has begun and has a meeting
    assert f"{fiscal_year_label(current)}：開催 1 回" in client.get(reverse("reports:annual")).content.decode()


def test_the_ward_comparison_downloads_as_csv(client, bureau, coordinator_kita, kita):
    held(coordinator_kita, kita)
    client.force_login(bureau)
    page = client.get(reverse("reports:annual"), {"fy": 2020}).content.decode()
    assert 'href="/reports/annual/wards.csv?fy=2020"' in page
    response = client.get(reverse("reports:annual_wards_csv"), {"fy": 2020})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E3%81%A4%E3%81%AA%E3%81%8C%E3%82%8B%E5%A0%B4_%E5%8C%BA%E5%88%A5" in response["Content-Disposition"]
    assert "令和2年度　区別の比較" in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action=Action.EXPORT, user=bureau)
    assert event.detail["report"] == "wards" and event.detail["fy"] == "2020"
    assert client.get(reverse("reports:annual_wards_csv"), {"fy": 1999}).status_code == 400


def test_a_ratio_against_a_year_with_no_consultations_cannot_be_compared(client, bureau, consultation_kita):
    client.force_login(bureau)
    day = consultation_kita.held_at.date()
    page = client.get(reverse("reports:activities"), {"start": day.replace(day=1), "end": day}).content.decode()
    assert "1 件（昨年度同月 0 件、比較できません）" in page and "倍" not in page
    api = client.get(reverse("api:reports_activities"), {"start": day.replace(day=1), "end": day}).json()
    assert api["consultations"] == {"current": 1, "previous": 0} and api["consultations_vs_same_months_last_year"] is None


def _month_rows(page):
    """The rows of 活動と相談's month table: (月, 相談件数, 昨年度同月) as shown."""
    table = page.split(">月</th>", 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', table)


def test_the_month_table_says_when_a_period_has_no_consultations(client, bureau, db):
    client.force_login(bureau)
    page = client.get(reverse("reports:activities"), {"start": "2022-04-01", "end": "2022-06-30"}).content.decode()
    assert _month_rows(page) == []
    assert "データはありません" in page.split(">月</th>", 1)[1].split("</table>", 1)[0]


def test_a_month_with_consultations_only_a_year_earlier_is_a_row_of_the_month_table(client, bureau, consultation_kita):
    client.force_login(bureau)
    day = timezone.localtime(consultation_kita.held_at).date()
    a_year_on = day.replace(year=day.year + 1)
    page = client.get(reverse("reports:activities"), {"start": a_year_on.replace(day=1), "end": a_year_on})
    assert _month_rows(page.content.decode()) == [(wareki.format_month(a_year_on), "0", "1")]
