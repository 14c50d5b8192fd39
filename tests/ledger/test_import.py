"""Importing ledgers: all or nothing, every bad row reported, never twice, counted by the yearly tables."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cases.models import Case
from ledger.importer import LedgerRejected, import_ledger
from ledger.models import AliasKind, ImportedMeeting, LedgerImport, NameAlias
from ledger.parsing import LedgerFile
from meetings.models import Meeting, MeetingCaseIssue
from reports.annual import annual_report

pytestmark = pytest.mark.django_db

HEADER = "開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題\n"
GOOD = HEADER + (
    "2020/5/12,北区,K-1,,地域ケア会議,有,地域包括支援センター,地域包括支援センター、生活困窮担当,認知症、経済的困窮（疑い含む）\n"
    "令和2年6月1日,北区,K-1,つながる場,本人同意,無,地域包括支援センター,地域包括支援センター,認知症\n"
    "R2.7.3,西成区,N-9,,要対協,○,,障害者基幹相談支援センター;社会福祉協議会;社会福祉協議会,ひきこもり\n"
)


def _import(osaka, text=GOOD, name="台帳.csv", encoding="utf-8", **kwargs):
    return import_ledger(municipality=osaka, file=LedgerFile.from_bytes(name, text.encode(encoding)), **kwargs)


def _state():
    return (Case.all_objects.count(), Meeting.all_objects.count(), MeetingCaseIssue.objects.count(),
            LedgerImport.objects.count())


def test_rows_become_cases_and_meetings_that_the_yearly_tables_count(osaka, kita, nishinari):
    result = _import(osaka)
    assert (result.rows, result.cases_created, result.meetings_created) == (3, 2, 3)
    k1 = Case.all_objects.get(external_number="K-1")
    assert k1.discussions.count() == 2 and k1.referring_category.name == "地域包括支援センター"
    assert k1.ledger_provenance.source.filename == "台帳.csv" and k1.ledger_provenance.row == 2
    first, second = Meeting.all_objects.filter(discussions__case=k1).order_by("held_on")
    assert sorted((i.category.name, i.suspected) for i in first.discussions.get().issues.all()) == [
        ("経済的困窮", True), ("認知症", False)]
    assert [i.category.name for i in second.discussions.get().issues.all()] == ["認知症"]
    report = annual_report(municipality=osaka, fiscal_year=2020).to_json()
    assert report["meetings"]["2020"] == 3
    participants = {row["label"]: row["counts"]["2020"] for row in report["tables"]["participants"]}
    # のべ: 2 + 1 + 2 (社会福祉協議会 listed twice in one row counts once); 障害者 → 障がい者
    assert participants["計"] == 5 and participants["障がい者基幹相談支援センター"] == 1
    sv = {row["label"]: row["counts"]["2020"] for row in report["tables"]["sv"]}
    assert (sv["有"], sv["無"]) == (2, 1)


def test_importing_the_same_file_again_creates_nothing(osaka, kita, nishinari):
    _import(osaka)
    before = _state()
    again = _import(osaka)
    assert again.already_imported is not None and _state() == before


def test_overlapping_rows_in_another_file_are_not_duplicated(osaka, kita, nishinari):
    _import(osaka)
    extra = GOOD + "2020/8/1,北区,K-2,,支援会議,無,,,\n"
    result = _import(osaka, extra, name="台帳2.csv")
    assert (result.meetings_created, result.meetings_present, result.cases_created) == (1, 3, 1)


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig"])
def test_cp932_and_bom(osaka, kita, nishinari, encoding):
    assert _import(osaka, encoding=encoding).meetings_created == 3


def test_a_dry_run_counts_and_writes_nothing(osaka, kita, nishinari):
    result = _import(osaka, dry_run=True)
    assert (result.cases_created, result.meetings_created, result.per_fiscal_year) == (2, 3, {2020: 3})
    assert _state() == (0, 0, 0, 0)


BAD = HEADER + (
    "2020/5/12,北区,K-1,,地域ケア会議,有,地域包括支援センター,地域包括支援センター,認知症\n"
    "2020/2/30,北区,K-2,,地域ケア会議,無,,,\n"                       # impossible date
    "2020/5/13,東区,K-3,,地域ケア会議,無,,,\n"                        # unknown ward
    "2020/5/14,北区,K-4,,説明会,無,,,\n"                              # unknown basis
    "2020/5/15,北区,K-5,,地域ケア会議,多分,,,\n"                       # bad flag
    "2020/5/16,北区,K-6,,地域ケア会議,無,地域包括センター,,\n"          # unknown category
    "2020/5/17,北区,K-7,,地域ケア会議,無,,,宇宙人\n"                    # unknown issue
    "2020/5/18,西成区,K-1,,地域ケア会議,無,地域包括支援センター,,\n"     # same case, other ward
    "2020/5/19,北区,,,地域ケア会議,無,,,\n"                            # no case number
)


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_one(osaka, kita, nishinari):
    with pytest.raises(LedgerRejected) as rejected:
        _import(osaka, BAD)
    found = [(e.row, e.column) for e in rejected.value.errors]
    assert found == [(3, "開催日"), (4, "区"), (5, "開催根拠"), (6, "SV派遣"), (7, "相談のあった機関"), (8, "課題"),
                     (9, "区"), (10, "事例番号")]
    by_row = {e.row: e for e in rejected.value.errors}
    assert "存在しない日付" in by_row[3].reason
    assert by_row[7].closest == "地域包括支援センター" and by_row[7].value == "地域包括センター"
    assert "2行目で北区" in by_row[9].reason
    assert _state() == (0, 0, 0, 0)


@pytest.mark.parametrize("data, reason", [
    (b"", "空です"), ("開催日,区,事例番号,開催根拠,区\n".encode(), "重複"), (HEADER.encode(), "行がありません"),
    (b"\x00\xff" * 5_000_000, "CSV ファイルとして読めません"),
])
def test_files_that_cannot_be_read_import_nothing(osaka, kita, data, reason):
    with pytest.raises(LedgerRejected) as rejected:
        import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", data))
    assert reason in rejected.value.errors[0].reason and _state() == (0, 0, 0, 0)


def test_an_alias_the_administrator_adds_is_used(osaka, kita):
    text = HEADER + "2020/5/12,北区,K-1,,地域ケア会議,無,包括,,\n"
    with pytest.raises(LedgerRejected):
        _import(osaka, text)
    NameAlias.objects.create(municipality=osaka, kind=AliasKind.CATEGORY, alias="包括", target="地域包括支援センター")
    assert _import(osaka, text).meetings_created == 1


def test_the_command_reports_every_bad_row_and_exits_non_zero(osaka, kita, nishinari, tmp_path):
    path = tmp_path / "台帳.csv"
    path.write_text(BAD, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="8件の誤り"):
        call_command("import_ledger", str(path), "--municipality", "大阪市", stderr=err)
    assert "7行目 相談のあった機関「地域包括センター」: 機関種別が見つかりません。（近い名称: 地域包括支援センター）" in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_ledger", str(good), "--municipality", "大阪市", "--dry-run", stdout=out)
    assert "3行を取り込めます（確認のみ）: 事例 新規2件、つながる場 新規3回" in out.getvalue() and _state() == (0, 0, 0, 0)
    assert "：令和2年度 3回" in out.getvalue()  # fiscal years in 和暦 (#14 item 9)
    call_command("import_ledger", str(good), "--municipality", "大阪市", stdout=out)
    call_command("import_ledger", str(good), "--municipality", "大阪市", stdout=out)
    assert "取り込み済み" in out.getvalue() and Meeting.all_objects.count() == 3
    assert re.search(r"このファイルは 令和\d+年\d+月\d+日 \d\d:\d\d に取り込み済み", out.getvalue())
    with pytest.raises(CommandError, match="自治体「堺市」がありません"):
        call_command("import_ledger", str(good), "--municipality", "堺市")


def test_an_imported_case_and_its_placeholder_household_open_for_the_wards_coordinator(client, osaka, kita, nishinari,
                                                                                    coordinator_kita):
    from django.urls import reverse

    _import(osaka)
    case = Case.all_objects.get(external_number="K-1")
    client.force_login(coordinator_kita)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    page = client.get(reverse("cases:household_detail", args=[case.household_id])).content.decode()
    assert "開催台帳から取り込んだ事例の世帯です" in page
    assert client.get(reverse("cases:household_list")).status_code == 200


def test_the_administrator_adds_an_alias_in_the_admin(client, administrator, osaka):
    from django.urls import reverse

    client.force_login(administrator)
    response = client.post(reverse("admin:ledger_namealias_add"), {
        "kind": "category", "alias": "障害者基幹相談支援センター", "target": "障がい者基幹相談支援センター"})
    assert response.status_code == 302 and NameAlias.objects.get().municipality == osaka
    assert client.get(reverse("admin:ledger_ledgerimport_changelist")).status_code == 200


def test_the_command_shows_a_progress_bar_for_each_pass(osaka, kita, nishinari, tmp_path, monkeypatch):
    from ledger import importer

    monkeypatch.setattr(importer, "CHUNK", 1)
    path = tmp_path / "台帳.csv"
    path.write_text(GOOD, encoding="utf-8")
    err = io.StringIO()
    call_command("import_ledger", str(path), "--municipality", "大阪市", "--progress", stdout=io.StringIO(), stderr=err)
    bars = err.getvalue()
    assert "確認" in bars and "書き込み" in bars and "3/3" in bars
    quiet = io.StringIO()
    call_command("import_ledger", str(path), "--municipality", "大阪市", "--no-progress", stdout=io.StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


def test_a_later_ledger_moves_an_imported_cases_closing_day(osaka, kita, nishinari):
    _import(osaka)
    later = HEADER + "2021/9/1,北区,K-1,,支援会議,無,地域包括支援センター,,\n"
    result = _import(osaka, later, name="次の台帳.csv")
    assert (result.cases_created, result.meetings_created) == (0, 1)
    k1 = Case.all_objects.get(external_number="K-1")
    assert k1.closed_on.isoformat() == "2021-09-01" and k1.received_on.isoformat() == "2020-05-12"


# ------------------------------------------------------------------------------------------------ rows of one meeting

# Rows 2 and 4 are one meeting written twice (as a re-import of row 2 would be); row 3 is another meeting.
DOUBLED = [
    ["開催日", "区", "事例番号", "会議種別", "開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題"],
    [dt.datetime(2020, 5, 12), "北区", "K-1", None, "地域ケア会議", "有", "地域包括支援センター", "地域包括支援センター", "認知症"],
    [dt.datetime(2020, 6, 1), "北区", "K-1", None, "支援会議", "無", "地域包括支援センター", None, None],
    [dt.datetime(2020, 5, 12), "北区", "K-1", None, "地域ケア会議", "有", "地域包括支援センター", "地域包括支援センター", "認知症"],
]


def _file(rows, fmt: str) -> LedgerFile:
    """The rows as a real ledger file: CP932 CSV (dates as Excel saves them) or xlsx (date cells)."""
    if fmt == "csv":
        text = "".join(",".join(c.strftime("%Y/%m/%d") if isinstance(c, dt.datetime) else (c or "") for c in row) + "\r\n"
                       for row in rows)
        return LedgerFile.from_bytes("台帳.csv", text.encode("cp932"))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return LedgerFile.from_bytes("台帳.xlsx", out.getvalue())


def _meetings_2020(osaka):
    return annual_report(municipality=osaka, fiscal_year=2020).to_json()["meetings"]["2020"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_two_rows_of_one_meeting_in_one_file_are_one_meeting_as_in_a_re_import(osaka, kita, fmt):
    checked = import_ledger(municipality=osaka, file=_file(DOUBLED, fmt), dry_run=True)
    assert (checked.meetings_created, checked.meetings_merged) == (2, 1)
    [group] = checked.duplicates
    assert (group.rows, group.identical, group.separate) == ([2, 4], True, False)
    assert str(group.notice()) == "行2と行4は同じ会議です（事例番号 K-1、令和2年5月12日）。"
    result = import_ledger(municipality=osaka, file=_file(DOUBLED, fmt))
    assert (result.meetings_created, Meeting.all_objects.count(), _meetings_2020(osaka)) == (2, 2, 2)
    # The same rows in a second file: nothing new, as before.
    again = import_ledger(municipality=osaka, file=LedgerFile.from_bytes("別.csv", _file(DOUBLED, "csv").open().read() + b"\r\n"))
    assert (again.meetings_created, again.meetings_present, Meeting.all_objects.count()) == (0, 3, 2)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_the_user_calls_separate_meetings_are_each_imported(osaka, kita, fmt):
    result = import_ledger(municipality=osaka, file=_file(DOUBLED, fmt), separate=[2])
    assert (result.meetings_created, result.meetings_merged, result.per_fiscal_year) == (3, 0, {2020: 3})
    assert result.duplicates[0].separate and Meeting.all_objects.count() == 3 and _meetings_2020(osaka) == 3
    rows = sorted(ImportedMeeting.objects.values_list("row", flat=True))
    assert rows == [2, 3, 4]


def test_rows_of_one_meeting_that_say_different_things_are_told_apart(osaka, kita):
    rows = [*DOUBLED, [dt.datetime(2020, 6, 1), "北区", "K-1", None, "支援会議", "有", "地域包括支援センター", None, "孤立"]]
    checked = import_ledger(municipality=osaka, file=_file(rows, "csv"), dry_run=True)
    first, second = checked.duplicates
    assert (first.rows, first.identical) == ([2, 4], True) and (second.rows, second.identical) == ([3, 5], False)
    assert str(second.notice()).startswith("行3と行5は事例番号・開催日・会議種別・開催根拠が同じです")


def test_three_rows_of_one_meeting_are_one_group(osaka, kita):
    checked = import_ledger(municipality=osaka, file=_file([*DOUBLED, DOUBLED[1]], "xlsx"), dry_run=True)
    [group] = checked.duplicates
    assert group.rows == [2, 4, 5] and checked.meetings_merged == 2
    assert str(group.notice()).startswith("行2・行4と行5は同じ会議です")


def test_the_command_lists_rows_of_one_meeting_and_takes_separate(osaka, kita, tmp_path):
    path = tmp_path / "台帳.xlsx"
    path.write_bytes(_file(DOUBLED, "xlsx").open().read())
    out = io.StringIO()
    call_command("import_ledger", str(path), "--municipality", "大阪市", "--dry-run", stdout=out)
    assert "行2と行4は同じ会議です（事例番号 K-1、令和2年5月12日）。 1回の会議として取り込めます。" in out.getvalue()
    call_command("import_ledger", str(path), "--municipality", "大阪市", "--separate", "2", stdout=out)
    assert "別の会議として取り込みました" in out.getvalue() and Meeting.all_objects.count() == 3
