"""Writing a つながる場 開催台帳 in format v1 (DOMAIN.md §7): what `import_ledger` reads, the other way round.

One row per case discussed at a meeting held (the unit of the yearly tables, DOMAIN.md §6), under the
header `parsing.COLUMNS`. Importing the file into an empty municipality with the same ward names gives the
same yearly tables. Rows are streamed: the selector reads the database a chunk at a time and openpyxl's
write-only workbook (or the CSV writer) writes each row as it comes, so memory does not grow with the
number of meetings.

What the format cannot say, and is therefore left out or simplified:
- meetings not held (scheduled, cancelled), meetings without a 開催根拠, and meetings that discussed no
  case (network meetings such as 包括化推進会議) are not written;
- 参加機関 lists agency categories, each once: two agencies of the same category at one meeting count twice
  in the tables but once after a round trip (`ExportResult.merged_participants` counts such meetings);
- only what the tables use is written: no household, person, agency name, attendee, minutes, decision,
  role assignment, consent, supervisor or time of day;
- 区 is the meeting's ward. A case discussed in two wards' meetings gives rows that disagree on 区, which
  the importer refuses (§7: 区 belongs to the case); exporting one ward at a time avoids it;
- the names are written as they are in the masters: a municipality's own (or retired) master rows import
  only where a master or alias of that name exists.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import audit_record
from core.spreadsheet import neutralise

from .parsing import COLUMNS
from .selectors import CHUNK_SIZE, LedgerRow, ledger_left_out, ledger_merged_participants, ledger_rows

FORMATS = ("xlsx", "csv")
SHEET_TITLE = gettext_lazy("開催台帳")
SEPARATOR = "、"
SUSPECTED = "（疑い含む）"
SELF_REFERRED = "本人・家族"
DATE_FORMAT = "yyyy/m/d"
WIDTHS = (12, 10, 14, 12, 26, 8, 22, 40, 40)


@dataclass
class ExportResult:
    format: str
    rows: int = 0
    meetings: int = 0
    left_out: int = 0  # meetings held that the format cannot express (no basis, or no case discussed)
    merged_participants: int = 0  # meetings with two agencies of one category present (counted once in the file)


def ledger_values(row: LedgerRow) -> list:
    """A row's cells in the order of COLUMNS; the date stays a date (the writer decides how to store it).

    Every text cell is neutralised (core.spreadsheet): a 事例番号 or a master name beginning with = + - @, a tab
    or a carriage return gets a leading quote, so that Excel shows it instead of running it; the importer
    takes the quote away again (parsing.read_rows), so the file imports back to the same values."""
    issues = [f"{name}{SUSPECTED}" if suspected else name for name, suspected in row.issues]
    return [row.held_on, *map(neutralise, [
        row.ward, row.case_number, row.kind, row.basis, "有" if row.sv else "無", row.referrer or SELF_REFERRED,
        SEPARATOR.join(row.participants), SEPARATOR.join(issues)])]


def ledger_export(*, municipality, output, ward=None, fiscal_year: int | None = None, fmt: str = "xlsx",
                  user=None, request=None, chunk_size: int = CHUNK_SIZE) -> ExportResult:
    """Write the meetings of `municipality` (or of one `ward`; optionally one fiscal year) as a ledger file.

    `output` is a path or a binary file object; `fmt` is "xlsx" or "csv" (UTF-8 with BOM). Writes one audit
    event (出力): the file holds case numbers and what was discussed about each case.
    """
    if fmt not in FORMATS:
        raise ValueError(_("出力形式は xlsx か csv を指定してください。"))
    result = ExportResult(format=fmt)
    rows = _counted(ledger_rows(municipality=municipality, ward=ward, fiscal_year=fiscal_year, chunk_size=chunk_size),
                    result)
    if isinstance(output, str | Path):
        with open(output, "wb") as handle:
            _WRITERS[fmt](rows, handle)
    else:
        _WRITERS[fmt](rows, output)
    scope = {"municipality": municipality, "ward": ward, "fiscal_year": fiscal_year}
    result.left_out = ledger_left_out(**scope)
    result.merged_participants = ledger_merged_participants(**scope)
    audit_record(action=Action.EXPORT, request=request, user=user, obj=municipality, detail={
        "export": "ledger", "format": fmt, "ward": ward.name if ward is not None else "", "fiscal_year": fiscal_year,
        "rows": result.rows, "meetings": result.meetings})
    return result


def _counted(rows, result: ExportResult):
    previous = None
    for row in rows:
        result.rows += 1
        if row.meeting_id != previous:  # rows come meeting by meeting
            result.meetings += 1
            previous = row.meeting_id
        yield row


def _write_xlsx(rows, handle) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(SHEET_TITLE))
    for position, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    for row in rows:
        values = ledger_values(row)
        day = WriteOnlyCell(sheet, value=values[0])
        day.number_format = DATE_FORMAT
        values[0] = day
        for position, value in enumerate(values[1:], start=1):  # text stays text, whatever it begins with
            values[position] = WriteOnlyCell(sheet, value=value)
            values[position].data_type = "s"
        sheet.append(values)
    book.save(handle)


def _write_csv(rows, handle) -> None:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        for row in rows:
            values = ledger_values(row)
            values[0] = values[0].isoformat()
            writer.writerow(values)
        text.flush()
    finally:
        text.detach()  # the caller owns the file object


_WRITERS = {"xlsx": _write_xlsx, "csv": _write_csv}
