"""Formula injection (#15 finding 3) in the ledger export: no text cell of the CSV or the xlsx begins with
what a spreadsheet runs (= + - @ tab CR), and the importer reads the file back to exactly the values that went
out (core.spreadsheet.neutralise on the way out, restore on the way in)."""

import csv
import io

import pytest

from cases.models import Case
from core.spreadsheet import FORMULA_STARTS
from ledger.importer import import_ledger
from ledger.parsing import COLUMNS, LedgerFile, read_rows
from tests.conftest import LEDGER_CSV_KITA
from tests.ledger.test_export import empty_copy_of, export, sheet_rows

pytestmark = pytest.mark.django_db

# 事例番号 that a spreadsheet would run, and ones a user typed with a quote of their own (no spaces: the
# importer takes spaces out of a 事例番号).
FORMULAS = ["=1+1", "+81-3", "-42", "@SUM(A1)", '=HYPERLINK("http://evil.example","x")', "=cmd|'/Ccalc'!A0",
            "'=already_quoted", "''=twice", "'plain"]
# Whitespace first: the importer trims a 事例番号, so these are compared as the file reads back, not after import.
WHITESPACE = ["\t=1", "\r=2", "\t\r-3"]


def number_cases(municipality, numbers: list[str]) -> list[str]:
    """One case a meeting, each with one of `numbers` (set after an import of plain ones)."""
    rows = "".join(f"2020/5/{n + 1},北区,P-{n},,地域ケア会議,有,,地域包括支援センター,認知症\n" for n in range(len(numbers)))
    import_ledger(municipality=municipality,
                  file=LedgerFile.from_bytes("台帳.csv", (",".join(COLUMNS) + "\n" + rows).encode()))
    for n, number in enumerate(numbers):
        Case.all_objects.filter(municipality=municipality, external_number=f"P-{n}").update(external_number=number)
    return numbers


@pytest.fixture
def numbered(osaka, kita):
    return number_cases(osaka, FORMULAS + WHITESPACE)


def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_no_csv_cell_begins_with_what_a_spreadsheet_runs(osaka, numbered):
    rows = csv_cells(export(osaka, fmt="csv"))
    cells = [cell for row in rows[1:] for cell in row[1:]]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    numbers = [row[2] for row in rows[1:]]
    assert numbers == ["'=1+1", "'+81-3", "'-42", "'@SUM(A1)", "'=HYPERLINK(\"http://evil.example\",\"x\")",
                       "'=cmd|'/Ccalc'!A0", "''=already_quoted", "'''=twice", "'plain", "'\t=1", "'\r=2", "'\t\r-3"]


def test_no_xlsx_cell_is_a_formula_or_begins_with_one(osaka, numbered):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export(osaka))).worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row[1:]]
    assert all(cell.data_type == "s" for cell in cells)
    assert not [cell.value for cell in cells if cell.value.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_reads_back_to_exactly_the_values_that_went_out(osaka, numbered, fmt):
    _header, rows = read_rows(LedgerFile.from_bytes(f"台帳.{fmt}", export(osaka, fmt=fmt)))
    read = [cells["事例番号"] for _number, cells in rows]
    if fmt == "xlsx":  # XML turns a carriage return into a line feed (openpyxl writes it as it is): left out here
        read, numbered = zip(*[(got, sent) for got, sent in zip(read, numbered, strict=True) if "\r" not in sent],
                             strict=True)
    assert list(read) == list(numbered)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_is_identical(osaka, kita, fmt):
    """Exported, imported into an empty city, exported again: the same cells (the 事例番号 that begin with
    whitespace are trimmed by the importer, as any 事例番号 is, so they are left out here)."""
    number_cases(osaka, FORMULAS)
    first = export(osaka, fmt=fmt)
    copy = empty_copy_of(osaka)
    import_ledger(municipality=copy, file=LedgerFile.from_bytes(f"台帳.{fmt}", first))
    assert sorted(Case.all_objects.filter(municipality=copy).values_list("external_number", flat=True)) == sorted(FORMULAS)
    again = export(copy, fmt=fmt)
    if fmt == "csv":
        assert again == first
    else:
        assert sheet_rows(again) == sheet_rows(first)


def test_a_hand_made_ledger_without_quotes_imports_as_it_is_written(osaka, kita):
    """restore takes away only the quote the export put in front of a formula: plain values are untouched."""
    text = LEDGER_CSV_KITA.replace("K-1", "-K1").replace("K-2", "'K2")
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", text.encode()))
    assert sorted(Case.all_objects.values_list("external_number", flat=True)) == ["'K2", "-K1"]


def test_the_command_writes_neutralised_cells_too(osaka, numbered, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "台帳.csv"
    call_command("export_ledger", municipality="大阪市", output=str(path), stdout=io.StringIO())
    cells = [cell for row in csv_cells(path.read_bytes())[1:] for cell in row[1:]]
    assert len(cells) == 8 * len(numbered) and not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
