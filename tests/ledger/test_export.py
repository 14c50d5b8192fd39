"""Exporting ledgers: format v1 that import_ledger reads back into the same yearly tables, in bounded queries."""

import csv
import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import AgencyCategory, Municipality, Ward
from agencies.services import municipality_setup
from audit.models import Action, AuditEvent
from cases import services as case_services
from cases.models import IssueCategory
from core.wareki import fiscal_year
from ledger.export import ledger_export
from ledger.importer import import_ledger
from ledger.parsing import COLUMNS, LedgerFile
from meetings import services
from meetings.models import Meeting, MeetingAgency, MeetingBasis, MeetingKind, MeetingStatus
from reports.annual import annual_report, ward_comparison
from tests.factories import AgencyFactory, HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

REPORT_KEYS = ("ward", "fiscal_years", "labels", "meetings", "tables", "footnotes")


# ------------------------------------------------------------------------------------------------ helpers


def export(municipality, fmt="xlsx", **kwargs) -> bytes:
    out = io.BytesIO()
    ledger_export(municipality=municipality, output=out, fmt=fmt, **kwargs)
    return out.getvalue()


def empty_copy_of(municipality, name="複写市", code="999001"):
    """A new city with the same ward names, set up as any new city is: no meetings, no cases."""
    wards = list(Ward.objects.filter(municipality=municipality).order_by("sort_order", "pk").values_list("name", flat=True))
    return municipality_setup(name=name, code=code, wards=wards)


def tables(report: dict) -> dict:
    return {key: report[key] for key in REPORT_KEYS}


def years_held(municipality) -> list[int]:
    days = Meeting.all_objects.filter(municipality=municipality, status=MeetingStatus.HELD).values_list("held_on", flat=True)
    return sorted({fiscal_year(day) for day in days})


def assert_same_tables(source, destination, years, *, ward_name=None):
    """The yearly tables of each year (against the year before): the ward's, and the whole city's."""
    assert years
    for fy in years:
        if ward_name is None:
            assert tables(annual_report(municipality=destination, fiscal_year=fy).to_json()) == tables(
                annual_report(municipality=source, fiscal_year=fy).to_json()), fy
            assert ward_comparison(municipality=destination, fiscal_year=fy).to_json() == ward_comparison(municipality=source, fiscal_year=fy).to_json()
            wards = Ward.objects.filter(municipality=source).values_list("name", flat=True)
        else:
            wards = [ward_name]
        for name in wards:
            got = annual_report(municipality=destination, fiscal_year=fy, ward=Ward.objects.get(municipality=destination, name=name)).to_json()
            want = annual_report(municipality=source, fiscal_year=fy, ward=Ward.objects.get(municipality=source, name=name)).to_json()
            assert tables(got) == tables(want), (fy, name)
        if ward_name is not None:  # the destination holds that ward only: its city-wide tables are the ward's
            city = tables(annual_report(municipality=destination, fiscal_year=fy).to_json())
            assert {**city, "ward": ward_name} == tables(want), fy


def category(name):
    return AgencyCategory.objects.get(municipality=None, name=name)


def issue(name):
    return IssueCategory.objects.get(municipality=None, name=name)


def held(coordinator, ward, *, day, cases, kind="つながる場", basis="地域ケア会議", attended=("地域包括支援センター",),
         absent=(), sv=False, supervisor=None, same_category_twice=False):
    """A meeting held through the services: `cases` maps each case to its issues [(name, suspected)]."""
    agencies = [AgencyFactory(ward=ward, category=category(name), name=f"{ward.name}{name}{day}{kind}") for name in attended]
    if same_category_twice:
        agencies.append(AgencyFactory(ward=ward, category=category(attended[0]), name=f"{ward.name}{attended[0]}{day}別"))
    missing = [AgencyFactory(ward=ward, category=category(name), name=f"{ward.name}{name}{day}欠") for name in absent]
    meeting = services.meeting_schedule(
        user=coordinator, ward=ward, kind=MeetingKind.objects.get(municipality=None, name=kind),
        basis=MeetingBasis.objects.get(municipality=None, name=basis) if basis else None,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))), agencies=agencies + missing,
        cases=list(cases), sv_dispatched=sv, supervisor=supervisor)
    discussed = {case.pk: {"issues": [(issue(n), s) for n, s in found], "note": ""} for case, found in cases.items()}
    return services.meeting_record(user=coordinator, meeting=meeting, version=meeting.version,
                                   attended_agencies=agencies, discussions=discussed)


def new_case(coordinator, ward, *, day, referrer="地域包括支援センター"):
    household = HouseholdFactory(ward=ward)
    HouseholdMemberFactory(household=household)
    return case_services.case_open(user=coordinator, household=household, received_on=day,
                                   intake_channel="agency" if referrer else "phone",
                                   referring_category=category(referrer) if referrer else None)


@pytest.fixture
def casework(coordinator_kita, coordinator_nishinari, kita, nishinari, supervisor):
    """Meetings of 北区 and 西成区 over FY2019–FY2020 built through the services, with what the format drops."""
    a = new_case(coordinator_kita, kita, day=dt.date(2019, 4, 10))
    b = new_case(coordinator_kita, kita, day=dt.date(2019, 6, 1), referrer=None)
    c = new_case(coordinator_nishinari, nishinari, day=dt.date(2020, 4, 3), referrer="子ども・子育て担当")
    # Two cases at one meeting: two rows. An agency invited but absent is not written.
    held(coordinator_kita, kita, day=dt.date(2019, 7, 1), cases={a: [("精神障がい", True), ("孤立", False)], b: [("認知症", False)]},
         attended=("地域包括支援センター", "生活困窮担当"), absent=("警察",), sv=True, supervisor=supervisor)
    held(coordinator_kita, kita, day=dt.date(2020, 5, 12), cases={a: [("経済的困窮", False)]}, basis="支援会議")
    held(coordinator_nishinari, nishinari, day=dt.date(2021, 3, 31), cases={c: [("虐待関連", False), ("ヤングケアラー", False)]},
         basis="要保護児童対策地域協議会", attended=("子ども・子育て担当", "学校教育機関", "社会福祉協議会"))
    # Another kind: written (the format says 会議種別) but not counted by the tables, here or there.
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1), cases={b: [("認知症", False)]}, kind="支援会議", basis="支援会議")
    # Left out: a network meeting (no basis, no case), a meeting cancelled, one still to come.
    network = services.meeting_schedule(user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="包括化推進会議"),
                                        starts_at=timezone.make_aware(dt.datetime(2020, 7, 1, 10)))
    services.meeting_record(user=coordinator_kita, meeting=network, version=network.version)
    cancelled = services.meeting_schedule(
        user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.make_aware(dt.datetime(2020, 8, 1, 10)), cases=[a])
    services.meeting_cancel(user=coordinator_kita, meeting=cancelled, version=cancelled.version, reason="台風のため")
    services.meeting_schedule(user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
                              basis=MeetingBasis.objects.get(name="地域ケア会議"),
                              starts_at=timezone.now() + dt.timedelta(days=10), cases=[a])
    return {"a": a, "b": b, "c": c}


def sheet_rows(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


# ------------------------------------------------------------------------------------------------ the file


def test_each_case_discussed_at_a_meeting_held_is_one_row_in_format_v1(casework, osaka):
    rows = sheet_rows(export(osaka))
    assert rows[0] == COLUMNS
    a, b, c = (casework[k].number for k in "abc")
    assert rows[1:] == [
        (dt.datetime(2019, 7, 1), "北区", a, "つながる場", "地域ケア会議", "有", "地域包括支援センター",
         "地域包括支援センター、生活困窮担当", "精神障がい（疑い含む）、孤立"),
        (dt.datetime(2019, 7, 1), "北区", b, "つながる場", "地域ケア会議", "有", "本人・家族",
         "地域包括支援センター、生活困窮担当", "認知症"),
        (dt.datetime(2020, 5, 12), "北区", a, "つながる場", "支援会議", "無", "地域包括支援センター", "地域包括支援センター", "経済的困窮"),
        (dt.datetime(2020, 6, 1), "北区", b, "支援会議", "支援会議", "無", "本人・家族", "地域包括支援センター", "認知症"),
        (dt.datetime(2021, 3, 31), "西成区", c, "つながる場", "要保護児童対策地域協議会", "無", "子ども・子育て担当",
         "子ども・子育て担当、学校教育機関、社会福祉協議会", "虐待関連、ヤングケアラー"),
    ]


def test_dates_are_real_excel_date_cells_and_text_stays_text(casework, osaka):
    book = load_workbook(io.BytesIO(export(osaka)))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(sheet.cell(row, 1).is_date and sheet.cell(row, 1).number_format == "yyyy/m/d" for row in range(2, sheet.max_row + 1))
    assert all(sheet.cell(row, 3).data_type == "s" for row in range(2, sheet.max_row + 1))


def test_the_case_number_is_the_ledgers_own_number_when_the_case_came_from_a_ledger(osaka, kita):
    text = ",".join(COLUMNS) + "\n2020/5/12,北区,=K-1,,本人同意,○,,社会福祉協議会,ゴミ屋敷（疑い含む）\n"
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", text.encode()))
    # Written with a quote in front, so that it is never run as a formula (tests/ledger/test_formula_escape.py).
    assert sheet_rows(export(osaka))[1] == (dt.datetime(2020, 5, 12), "北区", "'=K-1", "つながる場", "本人同意（つながる場単独開催）",
                                           "有", "本人・家族", "社会福祉協議会", "ゴミ屋敷（疑い含む）")


def test_one_ward_and_one_fiscal_year(casework, osaka, kita):
    rows = sheet_rows(export(osaka, ward=kita, fiscal_year=2020))
    assert [(r[0], r[1]) for r in rows[1:]] == [(dt.datetime(2020, 5, 12), "北区"), (dt.datetime(2020, 6, 1), "北区")]
    assert sheet_rows(export(osaka, ward=kita, fiscal_year=2018)) == [COLUMNS]


def test_csv_is_utf8_with_a_bom_and_lists_joined_with_the_japanese_comma(casework, osaka):
    data = export(osaka, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1][0] == "2019-07-01" and rows[1][7] == "地域包括支援センター、生活困窮担当"


# ------------------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_city_exported_and_imported_into_an_empty_city_gives_the_same_yearly_tables(casework, osaka, fmt):
    copy = empty_copy_of(osaka)
    result = import_ledger(municipality=copy, file=LedgerFile.from_bytes(f"台帳.{fmt}", export(osaka, fmt=fmt)))
    assert (result.rows, result.meetings_created, result.cases_created) == (5, 5, 3)
    assert_same_tables(osaka, copy, years_held(osaka))


def test_one_fiscal_year_round_trips_on_its_own(casework, osaka):
    copy = empty_copy_of(osaka)
    import_ledger(municipality=copy, file=LedgerFile.from_bytes("台帳.xlsx", export(osaka, fiscal_year=2020)))
    assert annual_report(municipality=copy, fiscal_year=2019).to_json()["meetings"] == {"2019": 0, "2018": 0}
    # Against FY2021 (empty in both): FY2019, the default comparison, was not exported.
    assert tables(annual_report(municipality=copy, fiscal_year=2020, compare=2021).to_json()) == tables(
        annual_report(municipality=osaka, fiscal_year=2020, compare=2021).to_json())


def seed_demo():
    call_command("seed_demo", stdout=StringIO())
    return Municipality.objects.get(code="271004")


def test_the_demo_city_round_trips_through_xlsx_with_every_table_of_every_year_and_ward():
    osaka = seed_demo()
    copy = empty_copy_of(osaka)
    data = export(osaka)
    result = import_ledger(municipality=copy, file=LedgerFile.from_bytes("大阪市.xlsx", data))
    assert result.meetings_created == len(sheet_rows(data)) - 1 > 400
    years = years_held(osaka)
    assert years[:4] == [2019, 2020, 2021, 2022]
    assert_same_tables(osaka, copy, years)


def test_a_demo_ward_round_trips_through_csv():
    osaka = seed_demo()
    kita = Ward.objects.get(municipality=osaka, name="北区")
    copy = empty_copy_of(osaka)
    import_ledger(municipality=copy, file=LedgerFile.from_bytes("北区.csv", export(osaka, fmt="csv", ward=kita)))
    assert Meeting.all_objects.filter(municipality=copy).exclude(ward__name="北区").count() == 0
    assert_same_tables(osaka, copy, years_held(osaka), ward_name="北区")


def test_two_agencies_of_one_category_are_one_entry_and_are_reported(coordinator_kita, kita, osaka):
    case = new_case(coordinator_kita, kita, day=dt.date(2020, 5, 1))
    held(coordinator_kita, kita, day=dt.date(2020, 5, 12), cases={case: []}, same_category_twice=True)
    out = io.BytesIO()
    result = ledger_export(municipality=osaka, output=out)
    assert (result.rows, result.meetings, result.merged_participants, result.left_out) == (1, 1, 1, 0)
    assert sheet_rows(out.getvalue())[1][7] == "地域包括支援センター"


# ------------------------------------------------------------------------------------------------ queries


def ledger_of(n: int) -> bytes:
    """n meetings of 14 cases in two wards, three a day from 1 April 2020."""
    lines = [",".join(COLUMNS)]
    for i in range(n):
        day = dt.date(2020, 4, 1) + dt.timedelta(days=i // 3)
        ward, case = ("北区", f"K-{i % 7}") if i % 2 else ("西成区", f"N-{i % 7}")
        lines.append(f"{day:%Y/%m/%d},{ward},{case},,地域ケア会議,{i % 2},地域包括支援センター,"
                     f"\"地域包括支援センター,生活困窮担当\",認知症、孤立")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("meetings", [3, 40])
def test_the_number_of_queries_does_not_grow_with_the_meetings(osaka, kita, nishinari, django_assert_num_queries, meetings):
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", ledger_of(meetings)))
    # 1 discussions of the chunk, 2 their agencies present, 3 their issues (one chunk holds every row);
    # 4 meetings left out, 5 meetings with two agencies of a category, 6–8 the audit event (chain head, event, head).
    with django_assert_num_queries(8):
        result = ledger_export(municipality=osaka, output=io.BytesIO())
    assert result.rows == meetings


def test_the_queries_grow_with_the_chunks_only(osaka, kita, nishinari, django_assert_num_queries):
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", ledger_of(40)))
    # 4 full chunks of 10 rows × 3 queries, 1 query finding nothing more, then the 5 queries after the rows
    # (2 counts, the audit event with its chain head: 3).
    with django_assert_num_queries(4 * 3 + 1 + 5):
        result = ledger_export(municipality=osaka, output=io.BytesIO(), fmt="csv", chunk_size=10)
    assert (result.rows, result.meetings) == (40, 40)
    # 3 rows a chunk gives the same file as one chunk: no row lost or repeated at a chunk's edge.
    assert export(osaka, fmt="csv", chunk_size=3) == export(osaka, fmt="csv")


# ------------------------------------------------------------------------------------------------ command


def test_a_chunk_may_end_inside_a_meeting(casework, osaka):
    assert sheet_rows(export(osaka, chunk_size=1)) == sheet_rows(export(osaka))


def test_the_command_writes_the_file_and_an_audit_event(casework, osaka, kita, administrator, tmp_path):
    out = StringIO()
    path = tmp_path / "北区.xlsx"
    call_command("export_ledger", "--municipality", "大阪市", "--ward", "北区", "--fy", "令和2年度", "-o", str(path),
                 "--user", "admin", stdout=out)
    assert f"{path} に2行（つながる場など 2回）を出力しました。" in out.getvalue()
    assert "事例を協議していない会議 1回" in out.getvalue()  # the network meeting of FY2020
    assert sheet_rows(path.read_bytes())[0] == COLUMNS and not (tmp_path / "北区.xlsx.part").exists()
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert (event.user, event.municipality, event.object_type) == (administrator, osaka, "agencies.municipality")
    assert event.detail == {"export": "ledger", "format": "xlsx", "ward": "北区", "fiscal_year": 2020, "rows": 2, "meetings": 2}


def test_the_command_takes_the_format_from_the_file_name(casework, osaka, tmp_path):
    path = tmp_path / "台帳.csv"
    call_command("export_ledger", "--municipality", "大阪市", "-o", str(path), stdout=StringIO())
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and AuditEvent.objects.get(action=Action.EXPORT).detail["format"] == "csv"


@pytest.mark.parametrize(("arguments", "message"), [
    (["--municipality", "堺市"], "「堺市」という自治体は登録されていません。"),
    (["--municipality", "大阪市", "--ward", "東区"], "「東区」という区・圏域は大阪市にありません。使える名前：北区、西成区"),
    (["--municipality", "大阪市", "--fy", "来年"], "年度「来年」を読めません。"),
    (["--municipality", "大阪市", "--fy", "2999"], "年度「2999」は範囲外です"),
    (["--municipality", "大阪市", "--format", "xlsx", "-o", "台帳.csv"], "拡張子（.csv）と形式（xlsx）が合いません"),
    (["--municipality", "大阪市", "--user", "nobody"], "ログインID「nobody」の利用者は大阪市にいません。"),
])
def test_the_command_refuses_bad_input_in_japanese_and_writes_nothing(osaka, kita, nishinari, tmp_path, arguments, message):
    if "-o" not in arguments:
        arguments = [*arguments, "-o", str(tmp_path / "台帳.xlsx")]
    with pytest.raises(CommandError, match=message):
        call_command("export_ledger", *arguments, stdout=StringIO())
    assert not list(tmp_path.iterdir()) and not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_command_refuses_a_folder_it_cannot_write_to(osaka, kita, tmp_path):
    with pytest.raises(CommandError, match="に書き込めません"):
        call_command("export_ledger", "--municipality", "大阪市", "-o", str(tmp_path / "ない" / "台帳.xlsx"), stdout=StringIO())


@pytest.mark.parametrize(("text", "fy"), [("2020", 2020), ("２０２０年度", 2020), ("令和元年度", 2019), ("R2", 2020),
                                          ("H30年度", 2018)])
def test_the_fiscal_year_may_be_written_in_either_calendar(text, fy):
    from ledger.management.commands.export_ledger import parse_fiscal_year

    assert parse_fiscal_year(text) == fy


def test_attended_false_agencies_are_not_participants(casework, osaka):
    assert MeetingAgency.objects.filter(attended=False, meeting__status=MeetingStatus.HELD).exists()
    assert all("警察" not in (row[7] or "") for row in sheet_rows(export(osaka))[1:])
