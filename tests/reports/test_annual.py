"""The yearly tables: rounding, layouts, ward filter, empty years, outputs, fixed query count, the API."""

import csv
import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import AgencyCategory
from cases import services as case_services
from cases.models import IssueCategory
from meetings import services
from meetings.models import MeetingBasis, MeetingKind
from reports import exports, suppression
from reports.activities import year_earlier
from reports.annual import DEFAULT_LAYOUT, YearPair, annual_report, half_up, ratio, ward_comparison
from reports.layouts import layout_copy_default, layout_for
from reports.models import LayoutTable
from tests.factories import AgencyFactory, HouseholdFactory, HouseholdMemberFactory
from tests.golden import golden

pytestmark = pytest.mark.django_db


def _category(name):
    return AgencyCategory.objects.get(municipality=None, name=name)


def held(coordinator, ward, *, day=dt.date(2020, 6, 1), basis="地域ケア会議", referrer="地域包括支援センター",
         attended=("地域包括支援センター",), issues=("精神障がい",), sv=False, supervisor=None):
    """A つながる場 held with one new case, the agencies present and the issues discussed."""
    household = HouseholdFactory(ward=ward)
    HouseholdMemberFactory(household=household)
    case = case_services.case_open(user=coordinator, household=household, received_on=day, intake_channel="agency",
                                   referring_category=_category(referrer) if referrer else None)
    agencies = [AgencyFactory(ward=ward, category=_category(name), name=f"{ward.name}{name}{household.pk}") for name in attended]
    meeting = services.meeting_schedule(
        user=coordinator, ward=ward, kind=MeetingKind.objects.get(name="つながる場"), basis=MeetingBasis.objects.get(name=basis),
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))), agencies=agencies, cases=[case],
        sv_dispatched=sv, supervisor=supervisor,
    )
    discussed = {case.pk: {"issues": [(IssueCategory.objects.get(name=n), False) for n in issues], "note": ""}}
    return services.meeting_record(user=coordinator, meeting=meeting, version=meeting.version, attended_agencies=agencies,
                                   discussions=discussed)


def row(report, table, label):
    return next(r for r in report["tables"][table] if r["label"] == label)


class TestRounding:
    @pytest.mark.parametrize(("value", "places", "expected"), [
        (0.5, 0, 1), (1.5, 0, 2), (2.5, 0, 3), (29.66, 0, 30), (34.49, 0, 34), (6.25, 1, 6.3), (4.45, 1, 4.5), (5.15, 1, 5.2),
    ])
    def test_half_up_not_bankers_rounding(self, value, places, expected):
        assert half_up(value, places) == expected

    def test_ratios_of_zero_meetings_are_zero(self):
        assert (ratio(5, 0, 0), ratio(5, 0, 1)) == (0, 0.0)

    def test_percent_and_averages_round_half_up(self, coordinator_kita, kita):
        # 1 of 8 meetings = 12.5% → 13; 13 agencies / 8 = 1.625 → 1.6; 9 issues / 8 = 1.125 → 1.1
        for n in range(8):
            held(coordinator_kita, kita, referrer="生活困窮担当" if n == 0 else "地域包括支援センター",
                 attended=("地域包括支援センター", "高齢福祉担当") if n < 5 else ("地域包括支援センター",),
                 issues=("精神障がい", "孤立") if n == 0 else ("精神障がい",))
        report = annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()
        assert row(report, "referrer", "生活困窮担当")["percent"]["2020"] == 13
        assert report["tables"]["participants_per_meeting"]["2020"] == 1.6
        assert report["tables"]["issues_per_case"]["2020"] == 1.1


class TestTables:
    def test_each_table_counts_what_domain_section_6_says(self, coordinator_kita, kita, supervisor):
        held(coordinator_kita, kita, basis="支援会議", referrer="見守り相談室", attended=("地域包括支援センター", "警察"),
             issues=("ゴミ屋敷", "依存症", "ひきこもり"), sv=True, supervisor=supervisor)
        held(coordinator_kita, kita, day=dt.date(2019, 6, 1), referrer=None, issues=("孤立",))
        report = annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()
        assert report["meetings"] == {"2020": 1, "2019": 1}
        assert row(report, "basis", "支援会議")["counts"] == {"2020": 1, "2019": 0}
        assert [r["label"] for r in report["tables"]["basis"]][-1] == "計"
        assert row(report, "sv", "有")["counts"] == {"2020": 1, "2019": 0}
        assert row(report, "referrer", "見守り相談室")["counts"]["2020"] == 1
        assert row(report, "referrer", "その他")["counts"]["2019"] == 1  # 本人・家族 falls into その他
        assert row(report, "participants", "その他")["counts"]["2020"] == 1  # 警察
        assert row(report, "participants", "計")["counts"]["2020"] == 2
        assert row(report, "issues", "その他")["counts"]["2020"] == 1  # 依存症
        assert row(report, "issues", "精神障がい（疑い含む）")["counts"]["2020"] == 0

    def test_a_ward_report_counts_only_that_wards_meetings(self, coordinator_kita, coordinator_nishinari, kita, nishinari):
        held(coordinator_kita, kita)
        held(coordinator_nishinari, nishinari)
        held(coordinator_nishinari, nishinari)
        assert annual_report(municipality=kita.municipality, fiscal_year=2020, ward=nishinari).to_json()["meetings"]["2020"] == 2
        assert annual_report(municipality=kita.municipality, fiscal_year=2020, ward=kita).to_json()["meetings"]["2020"] == 1
        comparison = ward_comparison(municipality=kita.municipality, fiscal_year=2020).to_json()
        assert comparison["meetings"] == [1, 2]
        assert [line["ward"] for line in comparison["tables"]["sv"]["rows"]] == ["北区", "西成区"]
        assert comparison["tables"]["sv"]["total"] == [3, 0, 3]

    def test_an_empty_year_gives_zeros_not_errors(self, osaka):
        report = annual_report(municipality=osaka, fiscal_year=2030, compare=2029).to_json()
        assert report["meetings"] == {"2030": 0, "2029": 0}
        assert report["tables"]["participants_per_meeting"] == {"2030": 0.0, "2029": 0.0}
        assert all(r["percent"] == {"2030": 0, "2029": 0} for r in report["tables"]["referrer"])

    def test_meetings_not_held_or_of_other_kinds_do_not_count(self, coordinator_kita, kita, case_kita):
        services.meeting_schedule(user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
                                  basis=MeetingBasis.objects.get(name="支援会議"),
                                  starts_at=timezone.make_aware(dt.datetime(2020, 7, 1, 10)), cases=[case_kita])
        meeting = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="個別ケース会議"),
                                            basis=MeetingBasis.objects.get(name="支援会議"),
                                            starts_at=timezone.make_aware(dt.datetime(2020, 7, 2, 10)), cases=[case_kita])
        services.meeting_record(user=coordinator_kita, meeting=meeting, version=meeting.version)
        assert annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()["meetings"]["2020"] == 0

    def test_the_query_count_does_not_grow_with_the_meetings(self, coordinator_kita, kita, django_assert_num_queries):
        held(coordinator_kita, kita)
        with django_assert_num_queries(QUERIES_ANNUAL + 2):  # not cached yet: one counting statement a year
            annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()
        with django_assert_num_queries(QUERIES_ANNUAL):
            annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()
        for n in range(6):
            held(coordinator_kita, kita, day=dt.date(2020, 7, 1 + n), attended=("地域包括支援センター", "警察"),
                 issues=("孤立", "依存症"))
        with django_assert_num_queries(QUERIES_ANNUAL + 1):  # only 2020 changed: 2019 stays cached
            annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()
        with django_assert_num_queries(QUERIES_ANNUAL):
            annual_report(municipality=kita.municipality, fiscal_year=2020).to_json()


# The cached counts of both years (1), the bases, agency categories and issue categories that name them (3).
QUERIES_ANNUAL = 4


class TestLayouts:
    def test_moving_a_category_in_and_out_of_sonota(self, coordinator_kita, kita):
        held(coordinator_kita, kita, referrer="学校教育機関", attended=("警察",), issues=("依存症",))
        default = annual_report(municipality=kita.municipality, fiscal_year=2020, layout=layout_for(kita.municipality)).to_json()
        assert row(default, "referrer", "その他")["counts"]["2020"] == 1
        layout = layout_copy_default(kita.municipality)
        layout.rows.create(table=LayoutTable.REFERRER, name="学校教育機関", sort_order=1)
        layout.rows.filter(table=LayoutTable.REFERRER, name="見守り相談室").delete()
        layout.rows.create(table=LayoutTable.ISSUES, name="依存症", sort_order=999)
        layout.referrer_other_note = ""
        layout.save()
        report = annual_report(municipality=kita.municipality, fiscal_year=2020, layout=layout_for(kita.municipality)).to_json()
        labels = [r["label"] for r in report["tables"]["referrer"]]
        assert labels[0] == "学校教育機関" and "見守り相談室" not in labels
        assert row(report, "referrer", "学校教育機関")["counts"]["2020"] == 1
        assert row(report, "referrer", "その他")["counts"]["2020"] == 0
        assert [r["label"] for r in report["tables"]["issues"]][-3:] == ["依存症", "その他", "計"]
        # A blank note is written from the data; a given one is kept.
        assert report["footnotes"]["referrer_other"] == ""
        assert report["footnotes"]["issues_other"] == golden("osaka_tsunagaru_r1_r2.json")["footnotes"]["issues_other"]

    def test_a_layout_row_must_name_a_real_category(self, kita):
        from django.core.exceptions import ValidationError

        layout = layout_copy_default(kita.municipality)
        bad = layout.rows.model(layout=layout, table=LayoutTable.REFERRER, name="存在しない機関")
        with pytest.raises(ValidationError, match="存在しない機関"):
            bad.full_clean()


class TestOutputs:
    @pytest.fixture
    def report(self, coordinator_kita, kita):
        held(coordinator_kita, kita)
        held(coordinator_kita, kita, day=dt.date(2019, 5, 1), basis="支援会議")
        return annual_report(municipality=kita.municipality, fiscal_year=2020)

    def test_the_workbook_has_a_sheet_per_table_laid_out_like_seed_000(self, report):
        book = load_workbook(io.BytesIO(exports.to_xlsx(report)))
        assert book.sheetnames == ["開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題"]
        basis = book["開催根拠"]
        assert [c.value for c in basis[3]] == ["開催根拠", "R2年度", "R元年度", "増減"]
        values = {r[0]: r[1:] for r in basis.iter_rows(min_row=4, values_only=True) if r[0]}
        assert values["地域ケア会議"] == (1, 0, 1) and values["支援会議"] == (0, 1, -1) and values["計"] == (1, 1, 0)
        referrer = book["相談のあった機関"]
        assert [c.value for c in referrer[3]][:3] == ["相談のあった機関", "R2年度 件数", "R2年度 割合(%)"]
        participants = {r[0]: r[1:3] for r in book["参加機関"].iter_rows(min_row=4, values_only=True) if r[0]}
        assert participants["1回あたり平均参加機関数"] == (1.0, 1.0)
        assert any("その他には" in str(r[0]) for r in book["課題"].iter_rows(values_only=True) if r[0])
        # Values only, printable on A4.
        assert not any(isinstance(c.value, str) and c.value.startswith("=") for s in book for r in s.iter_rows() for c in r)
        assert int(basis.page_setup.paperSize) == int(basis.PAPERSIZE_A4)

    def test_the_csv_opens_in_japanese_excel(self, report):
        content = exports.to_csv(report)
        assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert ["開催根拠", "R2年度", "R元年度", "増減"] in rows and ["計", "1", "1", "0"] in rows

    def test_small_counts_can_be_suppressed_for_publication(self, report, kita):
        published, _wards = suppression.for_publication(report, 3, municipality=kita.municipality, layout=DEFAULT_LAYOUT)
        assert row(published.to_json(), "basis", "地域ケア会議")["counts"] == {"2020": "*", "2019": 0}
        # Each 計 is the one count of its year: shown, it would give that count away.
        assert row(published.to_json(), "basis", "計")["counts"] == {"2020": "*", "2019": "*"}
        assert published.to_json()["suppressed_below"] == 3 and "suppressed_below" not in report.to_json()
        assert row(report.to_json(), "basis", "地域ケア会議")["counts"]["2020"] == 1  # the original is untouched
        assert "3件未満" in " ".join(str(c) for r in load_workbook(io.BytesIO(exports.to_xlsx(published)))["開催根拠"].iter_rows(values_only=True) for c in r if c)

    def test_charts_are_svg_with_text_left_as_text(self, report):
        svg = exports.chart_svg(report, "issues")
        assert svg.startswith("<svg") and "精神障がい（疑い含む）" in svg and "R2年度" in svg and "http://" not in svg.split(">", 1)[1]


class TestCommandAndApi:
    def test_the_command_writes_the_golden_json_for_the_demo(self, tmp_path):
        call_command("seed_demo", stdout=StringIO())
        out = StringIO()
        call_command("annual_report", "--fy", "2020", "--compare", "2019", "--format", "json", stdout=out)
        report, expected = json.loads(out.getvalue()), golden("osaka_tsunagaru_r1_r2.json")
        for key in ("fiscal_years", "labels", "meetings", "footnotes"):
            assert report[key] == expected[key], key
        for name, want in expected["tables"].items():
            got = report["tables"][name]
            if isinstance(want, list):
                assert [{k: r[k] for k in w} for r, w in zip(got, want, strict=True)] == want, name
            else:
                assert got == want, name
        target = tmp_path / "r2.xlsx"
        call_command("annual_report", "--fy", "2020", "--ward", "北区", "--format", "xlsx", "--output", str(target), stderr=StringIO())
        assert load_workbook(target).sheetnames[0] == "開催根拠"

    def test_the_command_explains_what_is_wrong(self, osaka):
        with pytest.raises(CommandError, match="「中区」という区・圏域"):
            call_command("annual_report", "--fy", "2020", "--ward", "中区")
        with pytest.raises(CommandError, match="--output"):
            call_command("annual_report", "--fy", "2020", "--format", "xlsx")
        with pytest.raises(CommandError, match="別の年度"):
            call_command("annual_report", "--fy", "2020", "--compare", "2020")

    def test_the_api_returns_the_report_and_japanese_errors(self, client, bureau, coordinator_kita, kita):
        held(coordinator_kita, kita)
        client.force_login(bureau)
        url = reverse("api:reports_annual")
        body = client.get(url, {"fy": 2020, "ward": "北区"}).json()
        assert (body["ward"], body["meetings"], body["fiscal_years"]) == ("北区", {"2020": 1, "2019": 0}, [2020, 2019])
        bad = client.get(url, {"fy": "令和2"})
        assert bad.status_code == 400
        assert "西暦の数字" in bad.json()["error"]["fields"]["fy"][0]
        assert "中区" in client.get(url, {"fy": 2020, "ward": "中区"}).json()["error"]["fields"]["ward"][0]
        client.force_login(coordinator_kita)
        assert client.get(url, {"fy": 2020}).status_code == 403


class TestActivityPeriods:
    @pytest.mark.parametrize(("day", "expected"), [
        (dt.date(2023, 1, 31), dt.date(2022, 1, 31)), (dt.date(2025, 2, 28), dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), dt.date(2023, 2, 28)), (dt.date(2022, 4, 1), dt.date(2021, 4, 1)),
    ])
    def test_the_same_day_a_year_earlier_keeps_month_ends(self, day, expected):
        assert year_earlier(day) == expected


class TestYearPair:
    """The rule "the compared year is another year" lives in YearPair.of; the form, the API and the command ask it."""

    def test_the_compared_year_defaults_to_the_year_before(self):
        assert YearPair.of(2020).years == [2020, 2019] and YearPair.of(2020, 2017).years == [2020, 2017]

    def test_the_same_year_is_refused_in_japanese(self, osaka):
        with pytest.raises(ValidationError, match="別の年度") as refused:
            YearPair.of(2020, 2020)
        assert refused.value.code == "same_year"
        with pytest.raises(ValidationError, match="別の年度"):
            annual_report(municipality=osaka, fiscal_year=2020, compare=2020)
