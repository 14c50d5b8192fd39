"""Reading a つながる場 開催台帳 (DOMAIN.md §7, format v1): a file in, rows of plain values out.

Nothing here touches the database. Every problem is a `CellError` naming the row, the column, the value
and the reason (a ledger.notices.Notice, written in the reader's language when shown), so the importer can
report every bad row at once.
"""

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from core import wareki

from .notices import Notice, NoticeError

COLUMNS = ("開催日", "区", "事例番号", "会議種別", "開催根拠", "SV派遣", "相談のあった機関", "参加機関", "課題")
REQUIRED = ("開催日", "区", "事例番号", "開催根拠")
MAX_BYTES = 200 * 1024 * 1024


class LedgerFileError(NoticeError):
    """The file as a whole cannot be read (encoding, format, headers)."""


@dataclass(frozen=True)
class CellError:
    row: int  # the row number as the user sees it in Excel (the header is row 1)
    column: str
    value: str
    notice: Notice  # why, as a kind and its parameters: written in the reader's language when shown
    closest: str = ""
    kind: str = ""  # the AliasKind of an unknown name, so that the error screen can offer 「…として扱う」

    @property
    def reason(self) -> str:
        return self.notice.text()

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.notice.as_json(),
                "closest": self.closest, "kind": self.kind}


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


def _header(cells) -> list[str]:
    header = [normalize(c) for c in cells]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise LedgerFileError("no_header")
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise LedgerFileError("header_repeated", names=repeated)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise LedgerFileError("columns_missing", names=missing)
    return header


def read_rows(file: LedgerFile):
    """(header, rows): rows is an iterator of (row number, {column: value}) that skips blank rows.

    Reads lazily from a handle of its own, so a large file is never held as Python objects all at once.
    """
    if not file.size:
        raise LedgerFileError("file_empty")
    if file.size > MAX_BYTES:
        raise LedgerFileError("file_too_large")
    name = file.name.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(file)
    if name.endswith(".csv") or name.endswith(".txt"):
        encoding = encoding_of(file)
        return _csv_rows(io.TextIOWrapper(file.open(), encoding=encoding, newline=""))
    raise LedgerFileError("file_format")


def estimate_rows(file: LedgerFile) -> int:
    """About how many rows the file has, for a progress bar before it is read (0 if unknown)."""
    if file.name.lower().endswith(".xlsx"):
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


def _csv_rows(text):
    reader = csv.reader(text)
    try:
        first = next(reader)
    except StopIteration:
        text.close()
        raise LedgerFileError("file_empty") from None
    except csv.Error as error:
        text.close()
        raise LedgerFileError("csv_unreadable", error=str(error)) from None
    try:
        header = _header(first)
    except LedgerFileError:
        text.close()
        raise

    def rows():
        with text:
            for number, cells in enumerate(reader, start=2):
                cells = _blank_if_spaces(cells)
                if any(cells):
                    yield number, dict(zip(header, cells, strict=False))
    return header, rows()


def _xlsx_rows(file: LedgerFile):
    from openpyxl import load_workbook

    handle = file.open()
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        handle.close()
        raise LedgerFileError("xlsx_unreadable") from None
    values = book.worksheets[0].iter_rows(values_only=True)
    try:
        header = _header(["" if c is None else c for c in next(values)])
    except StopIteration:
        book.close()
        handle.close()
        raise LedgerFileError("file_empty") from None
    except LedgerFileError:
        book.close()
        handle.close()
        raise

    def rows():
        try:
            for number, cells in enumerate(values, start=2):
                cells = _blank_if_spaces(cells)
                if any(str(c) for c in cells):
                    yield number, dict(zip(header, cells, strict=False))
        finally:
            book.close()
            handle.close()
    return header, rows()
