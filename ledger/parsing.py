"""Reading a つながる場 開催台帳 (DOMAIN.md §7, format v1): a file in, rows of plain values out.

Nothing here touches the database. Every problem is a `CellError` naming the row, the column, the value
and the reason (a ledger.notices.Notice, written in the reader's language when shown), so the importer can
report every bad row at once.
"""

import bisect
import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import struct
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from core import wareki
from core.spreadsheet import restore

from .notices import Notice, NoticeError

COLUMNS = ("開催日", "区", "事例番号", "会議種別", "開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題")
REQUIRED = ("開催日", "区", "事例番号", "開催根拠")


@dataclass(frozen=True)
class Limits:
    """How large a ledger file may be, checked before and while it is read (settings LEDGER_MAX_*).

    A city's real ledger has a few thousand rows of nine columns, a cell at most a few hundred characters
    (every 課題 with 「（疑い含む）」 is 275); the defaults leave room for ten times that and stop a hostile file
    long before it costs memory or time: nothing is read whole, and nothing is quadratic in what is read.
    """

    upload_bytes: int = 50 * 1024 * 1024  # the file as sent
    uncompressed_bytes: int = 200 * 1024 * 1024  # an xlsx's parts together, as its zip directory declares them
    part_bytes: int = 20 * 1024 * 1024  # one xlsx part held whole in memory (shared strings, styles …)
    compression_ratio: int = 100  # an xlsx's parts together against their compressed size
    zip_members: int = 200  # parts of an xlsx (Excel writes about 10 to 30)
    rows: int = 100_000  # rows under the header
    columns: int = 100
    cell_chars: int = 1_000
    stored_errors: int = 100  # errors kept to show (the first by row); every error is still counted

    SETTINGS = {"upload_bytes": "LEDGER_MAX_UPLOAD_BYTES", "uncompressed_bytes": "LEDGER_MAX_UNCOMPRESSED_BYTES",
                "part_bytes": "LEDGER_MAX_XLSX_PART_BYTES", "compression_ratio": "LEDGER_MAX_COMPRESSION_RATIO",
                "zip_members": "LEDGER_MAX_ZIP_MEMBERS", "rows": "LEDGER_MAX_ROWS", "columns": "LEDGER_MAX_COLUMNS",
                "cell_chars": "LEDGER_MAX_CELL_CHARS", "stored_errors": "LEDGER_MAX_STORED_ERRORS"}

    @classmethod
    def current(cls) -> "Limits":
        """The limits as the settings say now (a test may override one)."""
        return cls(**{field: int(getattr(settings, name, getattr(cls, field))) for field, name in cls.SETTINGS.items()})

    @property
    def line_chars(self) -> int:
        """The longest line of a CSV: every column at its longest, each quote doubled, with its separator."""
        return self.columns * (2 * self.cell_chars + 3)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}"


class LedgerFileError(NoticeError):
    """The file as a whole cannot be read (encoding, format, headers)."""


VALUE_SHOWN = 100  # characters of a bad value quoted in an error (a hostile cell may hold a million)


@dataclass(frozen=True)
class CellError:
    row: int  # the row number as the user sees it in Excel (the header is row 1)
    column: str
    value: str
    notice: Notice  # why, as a kind and its parameters: written in the reader's language when shown
    closest: str = ""
    kind: str = ""  # the AliasKind of an unknown name, so that the error screen can offer 「…として扱う」

    def __post_init__(self):
        if len(self.value) > VALUE_SHOWN:  # quoted in part; no alias is offered for a value not shown whole
            object.__setattr__(self, "value", self.value[:VALUE_SHOWN] + "…")
            object.__setattr__(self, "kind", "")

    @property
    def reason(self) -> str:
        return self.notice.text()

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.notice.as_json(),
                "closest": self.closest, "kind": self.kind}


class Errors(list):
    """The errors of a file, bounded: the `keep` of the lowest rows (in row order, a row's errors in the order
    found), with the number of all of them (`total`) and, per column and reason, how many and the first one
    (`summary`). A file with 300,000 bad rows costs no more memory than one with a hundred."""

    def __init__(self, keep: int | None = None):
        super().__init__()
        self.keep = Limits.current().stored_errors if keep is None else keep
        self.total = 0
        self.counts: Counter = Counter()
        self.first: dict[tuple[str, str], CellError] = {}

    def append(self, error: CellError) -> None:
        self.total += 1
        key = (error.column, error.notice.kind)
        self.counts[key] += 1
        self.first.setdefault(key, error)
        if len(self) < self.keep:
            bisect.insort_right(self, error, key=_row_of)
        elif self and error.row < self[-1].row:
            bisect.insort_right(self, error, key=_row_of)
            self.pop()

    def __bool__(self) -> bool:
        return self.total > 0

    def summary(self) -> list[dict]:
        """[{"column", "reason" (the first such error's notice), "count"}], most frequent first."""
        return [{"column": column, "reason": self.first[(column, kind)].notice.as_json(), "count": count}
                for (column, kind), count in self.counts.most_common()]


def _row_of(error: CellError) -> int:
    return error.row


# ------------------------------------------------------------------------------------------------ names


def normalize(text) -> str:
    """NFKC, trimmed, inner spaces removed, and 障害 / 障碍 written as 障がい (DOMAIN.md §7)."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    text = re.sub(r"\s+", "", text)
    return text.replace("障害", "障がい").replace("障碍", "障がい")


SEPARATORS = re.compile(r"[、,;\n\r]+")
SUSPECTED = re.compile(r"[(（]疑い(?:含む)?[)）]$")


def split_list(value) -> list[str]:
    """「、」「,」「，」「;」 or line breaks between entries; each entry once, in order."""
    entries = []
    for part in SEPARATORS.split(unicodedata.normalize("NFKC", str(value or ""))):
        part = part.strip()
        if part and part not in entries:
            entries.append(part)
    return entries


def split_suspected(entry: str) -> tuple[str, bool]:
    """「認知症（疑い含む）」 → ("認知症", True)."""
    text = unicodedata.normalize("NFKC", entry).strip()
    stripped = SUSPECTED.sub("", text)
    return stripped.strip(), stripped != text


class Matcher:
    """Names of one master list, matched after normalisation, through aliases; suggests the closest name."""

    def __init__(self, names, aliases=None):
        self.names = list(names)
        self.by_key = {normalize(name): name for name in self.names}
        for alias, target in (aliases or {}).items():
            if target in self.names:
                self.by_key.setdefault(normalize(alias), target)

    def find(self, value) -> str | None:
        return self.by_key.get(normalize(value))

    def closest(self, value) -> str:
        key = normalize(value)
        hits = difflib.get_close_matches(key, list(self.by_key), n=1, cutoff=0.4)
        if not hits:
            hits = [k for k in self.by_key if key and (key in k or k in key)][:1]
        return self.by_key[hits[0]] if hits else ""


# ------------------------------------------------------------------------------------------------ values


def parse_date(value) -> dt.date:
    """An Excel date cell, or text as a person types it (core.wareki.parse_date: 2020-05-12, 2020/5/12,
    2020年5月12日, 令和2年5月12日, 令和元年…, R2.5.12, H31/4/30); a text cell with a midnight time is its day."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    text = re.sub(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2})?$", r"\1", text)
    if not text:
        raise ValueError(_("開催日が空欄です。"))
    return wareki.parse_date(text)


TRUE_FLAGS = {"有", "あり", "有り", "○", "〇", "◯", "1", "TRUE", "はい", "YES", "派遣"}
FALSE_FLAGS = {"無", "なし", "無し", "×", "✕", "0", "FALSE", "いいえ", "NO", "-", ""}


def parse_flag(value) -> bool:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().upper()
    if text in TRUE_FLAGS:
        return True
    if text in FALSE_FLAGS:
        return False
    raise NoticeError("flag_unreadable")


# ------------------------------------------------------------------------------------------------- files


CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class LedgerFile:
    """A ledger file to read, as often as needed, a megabyte at a time: never held whole in memory.

    `name` is the name the user gave it (its extension says the format); `open` gives a fresh binary handle.
    """

    name: str
    open: Callable[[], BinaryIO]
    size: int

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> "LedgerFile":
        return cls(name or path.name, lambda: path.open("rb"), path.stat().st_size)

    @classmethod
    def from_storage(cls, storage, stored_name: str, name: str) -> "LedgerFile":
        return cls(name, lambda: storage.open(stored_name, "rb"), storage.size(stored_name))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "LedgerFile":
        """For a file already in memory (an export read back, a test)."""
        return cls(name, lambda: io.BytesIO(data), len(data))

    def chunks(self) -> Iterator[bytes]:
        with self.open() as handle:
            while block := handle.read(CHUNK_BYTES):
                yield block

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for block in self.chunks():
            digest.update(block)
        return digest.hexdigest()


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls)
END_OF_DIRECTORY = b"PK\x05\x06"
DIRECTORY_ENTRY_BYTES = 400  # a zip's directory entry for one part: 46 bytes and its name, generously


def inspect_file(file: LedgerFile, limits: Limits | None = None) -> str:
    """Cheap checks before anything parses the file, in the web request and again in the worker: its size,
    its type by its first bytes, and for an xlsx its zip directory (the sizes its parts declare, which
    Python's zipfile never reads past: nothing is decompressed here). Returns "xlsx" or "csv"."""
    limits = limits or Limits.current()
    if not file.size:
        raise LedgerFileError("file_empty")
    if file.size > limits.upload_bytes:
        raise LedgerFileError("file_too_large_limit", limit=megabytes(limits.upload_bytes))
    name = file.name.lower()
    with file.open() as handle:
        head = handle.read(8192)
    if name.endswith(".xlsx"):
        if head.startswith(OLE_MAGIC):
            raise LedgerFileError("xls_old")
        if not head.startswith(ZIP_MAGIC):
            raise LedgerFileError("xlsx_unreadable")
        _inspect_zip(file, limits)
        return "xlsx"
    if name.endswith(".csv") or name.endswith(".txt"):
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in head:
            raise LedgerFileError("not_text")
        return "csv"
    raise LedgerFileError("file_format")


def _inspect_zip(file: LedgerFile, limits: Limits) -> None:
    with file.open() as handle:
        tail_size = min(file.size, 22 + 65535)  # the end record and the longest comment
        handle.seek(file.size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(END_OF_DIRECTORY)
        if at < 0 or len(tail) - at < 22:
            raise LedgerFileError("xlsx_unreadable")
        entries, directory_size, directory_at = struct.unpack("<HLL", tail[at + 10:at + 20])
        if entries == 0xFFFF or 0xFFFFFFFF in (directory_size, directory_at):  # zip64: no ledger needs it
            raise LedgerFileError("xlsx_members", limit=f"{limits.zip_members:,}")
        if entries > limits.zip_members or directory_size > limits.zip_members * DIRECTORY_ENTRY_BYTES:
            raise LedgerFileError("xlsx_members", limit=f"{limits.zip_members:,}")
        handle.seek(0)
        try:
            parts = zipfile.ZipFile(handle).infolist()  # the directory only
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
            raise LedgerFileError("xlsx_unreadable") from None
    if len(parts) > limits.zip_members:
        raise LedgerFileError("xlsx_members", limit=f"{limits.zip_members:,}")
    expanded = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if expanded > limits.uncompressed_bytes:
        raise LedgerFileError("xlsx_expands", limit=megabytes(limits.uncompressed_bytes))
    if expanded > limits.compression_ratio * max(packed, 1):
        raise LedgerFileError("xlsx_ratio", ratio=f"{expanded // max(packed, 1):,}", limit=f"{limits.compression_ratio:,}")
    for part in parts:  # a worksheet is streamed and a picture is not read; any other part is held whole
        folder = part.filename.lower().rsplit("/", 1)[0]
        if part.file_size > limits.part_bytes and folder not in ("xl/worksheets", "xl/media"):
            raise LedgerFileError("xlsx_part", limit=megabytes(limits.part_bytes))


def encoding_of(file: LedgerFile) -> str:
    """UTF-8 (with or without BOM) or CP932, whichever reads the whole file; anything binary is refused.

    Decoded a megabyte at a time and thrown away, so a large file is never held in memory.
    """
    with file.open() as handle:
        if b"\x00" in handle.read(65536):
            raise LedgerFileError("not_text")
    for encoding in ("utf-8-sig", "cp932"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for block in file.chunks():
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise LedgerFileError("encoding")


def _header(cells, limits: Limits) -> list[str]:
    cells = list(cells)
    while cells and (cells[-1] is None or not str(cells[-1]).strip()):
        cells.pop()
    if len(cells) > limits.columns:  # counted before anything is built from them
        raise LedgerFileError("too_many_columns", count=f"{len(cells):,}", limit=f"{limits.columns:,}")
    header = [normalize(restore(c)) for c in cells]
    if not any(header):
        raise LedgerFileError("no_header")
    counts = Counter(header)
    repeated = sorted(h for h, n in counts.items() if h and n > 1)
    if repeated:
        raise LedgerFileError("header_repeated", names=repeated)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LedgerFileError("columns_missing", names=missing)
    return header


def read_rows(file: LedgerFile, limits: Limits | None = None):
    """(header, rows): rows is an iterator of (row number, {column: value}) that skips blank rows.

    Reads lazily from a handle of its own, so a large file is never held as Python objects all at once.
    The file is inspected first (`inspect_file`), and read within `limits`: a file beyond them raises
    LedgerFileError, here or while its rows are read. Text cells are read back as the product wrote them
    (core.spreadsheet.restore undoes the quote that keeps a formula from running).
    """
    limits = limits or Limits.current()
    if inspect_file(file, limits) == "xlsx":
        return _xlsx_rows(file, limits)
    encoding = encoding_of(file)
    return _csv_rows(io.TextIOWrapper(file.open(), encoding=encoding, newline=""), limits)


def estimate_rows(file: LedgerFile) -> int:
    """About how many rows the file has, for a progress bar before it is read (0 if unknown, or if the file
    is refused: reading it says why)."""
    try:
        fmt = inspect_file(file)
    except LedgerFileError:
        return 0
    if fmt == "xlsx":
        from openpyxl import load_workbook

        try:
            with file.open() as handle:
                book = load_workbook(handle, read_only=True)
                rows = (book.worksheets[0].max_row or 1) - 1
                book.close()
            return max(rows, 0)
        except Exception:  # unreadable: the check itself says why
            return 0
    return max(sum(block.count(b"\n") for block in file.chunks()) - 1, 0)


def _blank_if_spaces(cells) -> list:
    """A cell holding nothing but spaces (ASCII or 全角) is blank, as it looks in Excel: an optional column
    such as 会議種別 then takes its default instead of being read as an unknown name."""
    return ["" if c is None or (isinstance(c, str) and not c.strip()) else c for c in cells]


def _lines(text, limits: Limits, position: list[int]):
    """The file's lines for the csv reader, none longer than `limits.line_chars` (read at most that far)."""
    while line := text.readline(limits.line_chars + 1):
        if len(line) > limits.line_chars:
            raise LedgerFileError("line_too_long", row=position[0], chars=f"{limits.cell_chars:,}",
                                  columns=f"{limits.columns:,}")
        yield line


def _records(text, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV, each cell at most `limits.cell_chars` long: the csv module's field limit
    is set to it while a row is read (and put back, as it is the whole process's)."""
    position = [1]
    reader = csv.reader(_lines(text, limits, position))
    while True:
        previous = csv.field_size_limit(limits.cell_chars)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise LedgerFileError("cell_too_long_in_row", row=position[0], limit=f"{limits.cell_chars:,}") from None
            raise LedgerFileError("csv_unreadable", error=str(error)[:200]) from None
        finally:
            csv.field_size_limit(previous)
        yield position[0], cells
        position[0] += 1


def _csv_rows(text, limits: Limits):
    records = _records(text, limits)
    try:
        _number, first = next(records)
        header = _header(first, limits)
    except StopIteration:
        text.close()
        raise LedgerFileError("file_empty") from None
    except LedgerFileError:
        text.close()
        raise

    def rows():
        with text:
            for number, cells in records:
                cells = _blank_if_spaces(cells)
                if any(cells):
                    if number > limits.rows + 1:
                        raise LedgerFileError("too_many_rows", limit=f"{limits.rows:,}")
                    yield number, dict(zip(header, map(restore, cells), strict=False))
    return header, rows()


def _xlsx_rows(file: LedgerFile, limits: Limits):
    """The first sheet, streamed (openpyxl read-only): its declared size is checked first, and openpyxl is
    asked for no more than the limits (plus one row and one column, to tell a sheet that goes beyond them).
    The sheet's row and column numbers can lie only downwards: rows are counted as they come."""
    from openpyxl import load_workbook

    handle = file.open()
    book = None
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        if (sheet.max_row or 0) > limits.rows + 1:
            raise LedgerFileError("too_many_rows", limit=f"{limits.rows:,}")
        if (sheet.max_column or 0) > limits.columns:
            raise LedgerFileError("too_many_columns", count=f"{sheet.max_column:,}", limit=f"{limits.columns:,}")
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=limits.columns + 1, values_only=True), None)
        if first is None:
            raise LedgerFileError("file_empty")
        if len(first) > limits.columns and first[-1] is not None:  # read no further than one beyond the limit
            raise LedgerFileError("too_many_columns_limit", limit=f"{limits.columns:,}")
        header = _header(first, limits)
        values = sheet.iter_rows(min_row=2, max_row=limits.rows + 2, max_col=len(header), values_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        if book is not None:
            book.close()
        handle.close()
        if isinstance(error, LedgerFileError):
            raise
        raise LedgerFileError("xlsx_unreadable") from None

    def rows():
        try:
            for number, cells in enumerate(values, start=2):
                if number > limits.rows + 1:  # a row beyond the limit, or openpyxl's padding after one
                    raise LedgerFileError("too_many_rows", limit=f"{limits.rows:,}")
                cells = _blank_if_spaces(cells)
                if any(str(c) for c in cells):
                    yield number, dict(zip(header, map(restore, cells), strict=False))
        except LedgerFileError:
            raise
        except Exception:  # a part that does not decompress to what it declared (a broken or forged zip)
            raise LedgerFileError("xlsx_unreadable") from None
        finally:
            book.close()
            handle.close()
    return header, rows()
