"""The ledger format v1 (DOMAIN.md §7): every accepted form, and the refusals that concern the file as a whole."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from ledger.parsing import (
    LedgerFile,
    LedgerFileError,
    Matcher,
    estimate_rows,
    normalize,
    parse_date,
    parse_flag,
    read_rows,
    split_list,
    split_suspected,
)

HEADER = "開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題"


@pytest.mark.parametrize("value", [
    "2020-05-12", "2020/5/12", "2020/05/12", "2020.5.12", "2020年5月12日", "令和2年5月12日", "令和2年5月12日",
    "R2.5.12", "R2/5/12", "r2.5.12", "Ｒ２．５．１２", "２０２０／５／１２", " 2020-05-12 ", "2020-05-12 00:00:00",
    dt.date(2020, 5, 12), dt.datetime(2020, 5, 12, 0, 0),
])
def test_every_accepted_date_form(value):
    assert parse_date(value) == dt.date(2020, 5, 12)


@pytest.mark.parametrize("value, expected", [
    ("令和元年5月1日", dt.date(2019, 5, 1)), ("R1.5.1", dt.date(2019, 5, 1)), ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("H31.4.30", dt.date(2019, 4, 30)), ("平成30年12月1日", dt.date(2018, 12, 1)),
])
def test_era_years(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("2020-02-30", "存在しない日付"), ("令和2年13月1日", "存在しない日付"), ("令和元年4月1日", "元号の期間"),
    ("来週", "日付として読めません"), ("", "空欄"), ("20200512", "日付として読めません"),
])
def test_impossible_dates_say_why(value, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


@pytest.mark.parametrize("value, expected", [
    ("有", True), ("無", False), ("あり", True), ("なし", False), ("○", True), ("×", False), ("1", True), ("0", False),
    ("〇", True), ("１", True), (1, True), (0, False), ("", False), (None, False),
])
def test_sv_flags(value, expected):
    assert parse_flag(value) is expected


def test_an_unknown_flag_says_what_is_accepted():
    with pytest.raises(ValueError, match="有・無"):
        parse_flag("たぶん")


def test_list_separators_and_each_entry_once():
    assert split_list("地域包括支援センター、生活困窮担当,社会福祉協議会，医療機関;警察\n民生委員・児童委員、生活困窮担当") == [
        "地域包括支援センター", "生活困窮担当", "社会福祉協議会", "医療機関", "警察", "民生委員・児童委員"]
    assert split_list("") == [] and split_list(None) == []


def test_suspected_marks():
    assert split_suspected("認知症（疑い含む）") == ("認知症", True)
    assert split_suspected("認知症(疑い含む)") == ("認知症", True)
    assert split_suspected("認知症") == ("認知症", False)


def test_names_are_normalised_and_障害_is_障がい():
    assert normalize(" 精神障害 ") == normalize("精神障碍") == normalize("精神障がい") == "精神障がい"
    assert normalize("ｼｬｶｲﾌｸｼ 協議会") == "シャカイフクシ協議会"


def test_the_matcher_uses_aliases_and_suggests_the_closest_name():
    matcher = Matcher(["障がい者基幹相談支援センター", "地域包括支援センター"], aliases={"基幹": "障がい者基幹相談支援センター"})
    assert matcher.find("障害者基幹相談支援センター") == "障がい者基幹相談支援センター"
    assert matcher.find("基幹") == "障がい者基幹相談支援センター"
    assert matcher.find("包括") is None
    assert matcher.closest("地域包括センター") == "地域包括支援センター"


def _csv(text, encoding="utf-8"):
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_utf8_with_or_without_bom_or_cp932(encoding):
    header, rows = read_rows(LedgerFile.from_bytes("台帳.csv", _csv(f"{HEADER}\n2020/5/12,北区,A-1,,地域ケア会議,有,,包括,認知症\n", encoding)))
    assert header[0] == "開催日"
    assert list(rows) == [(2, dict(zip(header, ["2020/5/12", "北区", "A-1", "", "地域ケア会議", "有", "", "包括", "認知症"],
                                       strict=True)))]


def test_blank_rows_are_skipped_and_row_numbers_are_excels():
    _header, rows = read_rows(LedgerFile.from_bytes("a.csv", _csv(f"{HEADER}\n,,,,,,,,\n2020/5/12,北区,A-1,,地域ケア会議,,,,\n")))
    assert [number for number, _row in rows] == [3]


def test_an_xlsx_with_date_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([dt.datetime(2020, 5, 12), "北区", "A-1", None, "支援会議", "○", None, "包括\n困窮", "認知症"])
    buffer = io.BytesIO()
    book.save(buffer)
    _header, rows = read_rows(LedgerFile.from_bytes("台帳.xlsx", buffer.getvalue()))
    (number, row), = list(rows)
    assert number == 2 and row["開催日"] == dt.datetime(2020, 5, 12) and row["会議種別"] == ""


@pytest.mark.parametrize("filename, data, message", [
    ("a.csv", b"", "空です"),
    ("a.csv", "開催日,区,事例番号,開催根拠,区\n".encode(), "見出しが重複しています：区"),
    ("a.csv", "開催日,区\n".encode(), "必要な列がありません：事例番号、開催根拠"),
    ("a.csv", b"\x00\x01\x02" * 1000, "CSV ファイルとして読めません"),
    ("a.csv", "開催日,区,事例番号,開催根拠\n".encode("utf-16"), "CSV ファイルとして読めません"),
    ("a.csv", b"\x81\x20" * 50, "文字コードを判別できません"),
    ("a.xlsx", b"PK\x03\x04 not really a zip", "Excel（.xlsx）のファイルとして読めません"),
    ("a.pdf", b"%PDF-1.4", "Excel（.xlsx）か CSV（.csv）"),
])
def test_files_that_cannot_be_read_say_why(filename, data, message):
    with pytest.raises(LedgerFileError, match=message):
        header, rows = read_rows(LedgerFile.from_bytes(filename, data))
        list(rows)


def test_a_ten_megabyte_binary_renamed_to_csv_is_refused():
    import random

    noise = random.Random(7).randbytes(10 * 1024 * 1024)
    with pytest.raises(LedgerFileError):
        read_rows(LedgerFile.from_bytes("台帳.csv", noise))


def test_a_file_on_disk_is_read_as_a_stream(tmp_path):
    path = tmp_path / "台帳.csv"
    path.write_bytes(_csv(f"{HEADER}\n" + "2020/5/12,北区,A-1,,地域ケア会議,,,,\n" * 3, "cp932"))
    file = LedgerFile.from_path(path)
    _header, rows = read_rows(file)
    assert [number for number, _row in rows] == [2, 3, 4] and file.size == path.stat().st_size
    assert estimate_rows(file) == 3
