"""Importing a つながる場 開催台帳 (DOMAIN.md §7): all or nothing, every bad row reported, never twice.

Each row is one つながる場 held. Rows with the same 事例番号 are one case (with a placeholder household:
the ledger names no one), discussed at several meetings, each keeping the issues of its own row. The
yearly tables then count the imported meetings exactly as they count meetings recorded in the app.

The file is read a chunk of rows at a time, so memory does not grow with the number of rows: the first
pass checks every row and counts what will be created (`check`), the second writes (`import_ledger`). What
is kept between the passes is the plan: one small record per 事例番号 (`Result.to_json`), which the page's
check job stores so that its import job reads the file only once more. A `progress` callback hears how far
each pass has got; raising `ImportCancelled` from it rolls the whole import back.

Rows for one 事例番号, 開催日, 会議種別 and 開催根拠 are one meeting, whether they come in two files (the second
adds nothing) or twice in one file: the check reports such rows as a group (「行5と行9は同じ会議です」) and
the import writes the group's first row only, unless the user says they are separate meetings
(`Result.choose_separate`, the page's confirm step). To find them the check keeps two small integers per row.
"""

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.models import Agency, AgencyCategory, Ward
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, CaseStatus, CaseStatusChange, Household, IssueCategory
from cases.services.bulk import case_bulk_close_later
from cases.services.cases import reserve_case_numbers
from core import wareki
from core.history import history_rows_for
from meetings.models import (
    Meeting,
    MeetingAgency,
    MeetingBasis,
    MeetingCase,
    MeetingCaseIssue,
    MeetingKind,
    MeetingStatus,
)

from .models import AliasKind, ImportedCase, ImportedMeeting, LedgerImport, NameAlias
from .notices import Notice, NoticeError
from .parsing import (
    CellError,
    Errors,
    LedgerFile,
    LedgerFileError,
    Limits,
    Matcher,
    normalize,
    parse_date,
    parse_flag,
    read_rows,
    split_list,
    split_suspected,
)
from .tables import Table, take_ids

DEFAULT_KIND = "つながる場"
CHUNK = 2000
# Short forms of the bases that ledgers use (DOMAIN.md §7).
BUILT_IN_ALIASES = {
    AliasKind.BASIS: {
        "本人同意": "本人同意（つながる場単独開催）",
        "つながる場単独開催": "本人同意（つながる場単独開催）",
        "要対協": "要保護児童対策地域協議会",
        "共催": "地域ケア会議・要保護児童対策地域協議会の共催",
        "地域ケア会議・要対協の共催": "地域ケア会議・要保護児童対策地域協議会の共催",
    },
}

REMEMBERED = 20_000  # distinct cell values whose reading a pass remembers, per kind (Masters)
MISSING = object()

Progress = Callable[[str, int, int], None]  # (phase "check" | "import", rows done, rows in the file or 0)


class LedgerRejected(Exception):
    """The file imports nothing; `errors` lists the bad rows (parsing.Errors: the first ones, and how many in
    all as `total`), or the one reason the file cannot be read."""

    def __init__(self, errors: list[CellError]):
        self.total = getattr(errors, "total", len(errors))
        super().__init__(_("%(count)d件の誤りがあるため、何も取り込みませんでした。") % {"count": self.total})
        self.errors = errors


class ImportCancelled(Exception):
    """Raised by a progress callback to stop; the import's transaction is rolled back."""


@dataclass
class Row:
    number: int
    held_on: dt.date
    ward: Ward
    case_number: str
    kind: MeetingKind
    basis: MeetingBasis
    sv: bool
    referrer: AgencyCategory | None
    participants: tuple  # (AgencyCategory, …)
    issues: tuple  # ((IssueCategory, suspected), …)

    @property
    def key(self):
        return (self.case_number, self.held_on, self.kind.pk, self.basis.pk)

    @property
    def content(self) -> int:
        """What the row says beyond its key, as a 24-bit hash: only to tell the user that rows of one meeting differ."""
        return hash((self.sv, frozenset(c.pk for c in self.participants),
                     frozenset((c.pk, suspected) for c, suspected in self.issues))) & 0xFFFFFF


@dataclass
class CaseInfo:
    """What the second pass needs to know about one 事例番号, gathered by the first."""

    row: int
    ward: Ward
    referrer: AgencyCategory | None
    first_new: tuple | None = None  # (date, row) of its earliest meeting not imported before
    last_new: dt.date | None = None
    index: int = 0  # its place among the file's 事例番号 (the check's key of a meeting starts with it)


@dataclass
class Duplicate:
    """Rows of one file that are one meeting (same 事例番号, 開催日, 会議種別 and 開催根拠), first row first."""

    rows: list[int]
    case_number: str
    held_on: dt.date
    identical: bool = True  # False when the other columns (SV派遣, 参加機関, 課題 …) differ
    separate: bool = False  # the user said they are separate meetings: every row is written

    def notice(self) -> Notice:
        return Notice("same_meeting" if self.identical else "same_meeting_differs", {
            "rows": self.rows, "case": self.case_number, "held_on": self.held_on.isoformat(), "separate": self.separate})

    def as_json(self) -> list:
        return [self.rows, self.case_number, self.held_on.isoformat(), self.identical, self.separate]

    @classmethod
    def from_json(cls, data: list) -> "Duplicate":
        rows, case_number, held_on, identical, separate = data
        return cls(list(rows), case_number, dt.date.fromisoformat(held_on), identical, separate)


@dataclass
class Result:
    filename: str
    rows: int = 0
    cases_created: int = 0
    meetings_created: int = 0
    meetings_present: int = 0
    already_imported: LedgerImport | None = None
    dry_run: bool = False
    per_fiscal_year: dict = field(default_factory=dict)
    errors: Errors = field(default_factory=Errors)  # the first bad cells (settings LEDGER_MAX_STORED_ERRORS), all counted
    cases: dict = field(default_factory=dict, repr=False)  # 事例番号 → CaseInfo
    duplicates: list[Duplicate] = field(default_factory=list)  # in the order of their first rows

    @property
    def meetings_merged(self) -> int:
        """Rows not written because an earlier row of the file is the same meeting."""
        return sum(len(d.rows) - 1 for d in self.duplicates if not d.separate)

    def choose_separate(self, first_rows) -> "Result":
        """The user says the duplicate groups starting at `first_rows` are separate meetings: each of their
        rows will be written and counted. Groups already separate, and rows that start no group, change nothing."""
        chosen = set(first_rows)
        for group in self.duplicates:
            if group.rows[0] in chosen and not group.separate:
                group.separate = True
                extra = len(group.rows) - 1
                self.meetings_created += extra
                fy = wareki.fiscal_year(group.held_on)
                self.per_fiscal_year[fy] = self.per_fiscal_year.get(fy, 0) + extra
        return self

    def skipped_rows(self) -> set[int]:
        """The rows the write pass leaves out: every row of a duplicate group but the first, unless separate."""
        return {row for d in self.duplicates if not d.separate for row in d.rows[1:]}

    def notices(self) -> list[Notice]:
        return [d.notice() for d in self.duplicates]

    def to_json(self) -> dict:
        """The plan for a later `import_ledger(plan=…)`: counts and, per 事例番号, what the write pass needs."""
        return {**self.preview(), "filename": self.filename,
                "duplicates": [d.as_json() for d in self.duplicates], "cases": {
            number: [info.row, info.ward.pk, info.referrer.pk if info.referrer else None,
                     info.first_new[0].isoformat() if info.first_new else None,
                     info.first_new[1] if info.first_new else None,
                     info.last_new.isoformat() if info.last_new else None]
            for number, info in self.cases.items()}}

    @classmethod
    def from_json(cls, data: dict, municipality) -> "Result | None":
        """The stored plan again, or None when a ward or category it names is gone (then check again)."""
        wards = {w.pk: w for w in Ward.objects.filter(municipality=municipality)}
        categories = {c.pk: c for c in AgencyCategory.objects.for_municipality(municipality)}
        result = cls(filename=data["filename"], rows=data["rows"], cases_created=data["cases_created"],
                     meetings_created=data["meetings_created"], meetings_present=data["meetings_present"],
                     per_fiscal_year={int(fy): n for fy, n in data["per_fiscal_year"].items()},
                     duplicates=[Duplicate.from_json(d) for d in data.get("duplicates", [])])
        for number, (row, ward, referrer, first_day, first_row, last_day) in data["cases"].items():
            if ward not in wards or (referrer is not None and referrer not in categories):
                return None
            result.cases[number] = CaseInfo(
                row, wards[ward], categories[referrer] if referrer is not None else None,
                (dt.date.fromisoformat(first_day), first_row) if first_day else None,
                dt.date.fromisoformat(last_day) if last_day else None)
        return result

    def preview(self) -> dict:
        return {"rows": self.rows, "cases_created": self.cases_created, "meetings_created": self.meetings_created,
                "meetings_present": self.meetings_present, "meetings_merged": self.meetings_merged,
                "duplicate_groups": len(self.duplicates),
                "per_fiscal_year": {str(fy): n for fy, n in sorted(self.per_fiscal_year.items())}}


class Masters:
    """The municipality's master lists as matchers, with the standard and the municipality's aliases."""

    def __init__(self, municipality):
        aliases = defaultdict(dict)
        for kind, table in BUILT_IN_ALIASES.items():
            aliases[kind].update(table)
        for alias in NameAlias.objects.filter(municipality__isnull=True) | NameAlias.objects.filter(municipality=municipality):
            aliases[alias.kind][alias.alias] = alias.target
        self.wards = {w.name: w for w in Ward.objects.filter(municipality=municipality)}
        self.kinds = {k.name: k for k in MeetingKind.objects.for_municipality(municipality).active()}
        self.bases = {b.name: b for b in MeetingBasis.objects.for_municipality(municipality).active()}
        self.categories = {c.name: c for c in AgencyCategory.objects.for_municipality(municipality).active()}
        self.issues = {c.name: c for c in IssueCategory.objects.for_municipality(municipality).active()}
        self.matchers = {
            AliasKind.WARD: Matcher(self.wards, aliases[AliasKind.WARD]),
            AliasKind.KIND: Matcher(self.kinds, aliases[AliasKind.KIND]),
            AliasKind.BASIS: Matcher(self.bases, aliases[AliasKind.BASIS]),
            AliasKind.CATEGORY: Matcher(self.categories, aliases[AliasKind.CATEGORY]),
            AliasKind.ISSUE: Matcher(self.issues, aliases[AliasKind.ISSUE]),
        }
        self._found: dict = {}
        self._entries: dict = {}
        self._dates: dict = {}
        self.objects = {AliasKind.WARD: self.wards, AliasKind.KIND: self.kinds, AliasKind.BASIS: self.bases,
                        AliasKind.CATEGORY: self.categories, AliasKind.ISSUE: self.issues}

    def find(self, kind, value):
        key = (kind, type(value), value)  # the type too: True == 1, but 「True」 is not 「1」
        found = self._found.get(key, MISSING)
        if found is MISSING:
            name = self.matchers[kind].find(value)
            found = self.objects[kind][name] if name else None
            self._remember(self._found, key, found)
        return found

    def entries(self, kind, value) -> tuple | None:
        """A list cell (参加機関, 課題) as (its masters, each once in order, and for 課題 whether suspected), or
        None when a name in it is unknown (the caller then reports each). Remembered per distinct cell."""
        key = (kind, type(value), value)
        found = self._entries.get(key, MISSING)
        if found is MISSING:
            found, seen = [], set()
            for entry in split_list(value):
                name, suspected = split_suspected(entry) if kind == AliasKind.ISSUE else (entry, None)
                master = self.find(kind, name)
                if master is None:
                    found = None
                    break
                if master.pk not in seen:
                    seen.add(master.pk)
                    found.append(master if suspected is None else (master, suspected))
            found = tuple(found) if found is not None else None
            self._remember(self._entries, key, found)
        return found

    def date(self, value) -> dt.date:
        """parsing.parse_date, remembered per distinct text (a ledger repeats its days); errors are not."""
        if isinstance(value, dt.date):
            return parse_date(value)
        key = (type(value), value)
        found = self._dates.get(key)
        if found is None:
            found = parse_date(value)
            self._remember(self._dates, key, found)
        return found

    @staticmethod
    def _remember(cache: dict, key, value) -> None:
        if len(cache) < REMEMBERED:  # a file of ever new values costs no more than this
            cache[key] = value

    def unknown(self, number, column, kind, value) -> CellError:
        return CellError(number, column, str(value), Notice("not_found", {"what": str(kind)}),
                         self.matchers[kind].closest(value), kind=str(kind))


# What core.wareki.parse_date's errors (DateError.code) say, as notices.
DATE_NOTICES = {"invalid": "date_unreadable", "invalid_date": "date_impossible", "era": "date_outside_era",
                "too_early": "date_too_early"}


def _value_notice(error: ValueError) -> Notice:
    if isinstance(error, NoticeError):
        return error.notice
    kind = DATE_NOTICES.get(getattr(error, "code", ""))
    return Notice(kind) if kind else Notice("text", {"text": str(error)})


def _read_row(masters: Masters, number: int, cells: dict, errors: Errors, only_ward: Ward | None,
              cell_chars: int = Limits.cell_chars) -> Row | None:
    """One row as values, or None with its errors appended (every bad cell, not just the first). A cell longer
    than `cell_chars` is an error of its own, and the row is read no further (a name is never looked up in it)."""
    too_long = [(column, value) for column, value in cells.items() if isinstance(value, str) and len(value) > cell_chars]
    for column, value in too_long:
        errors.append(CellError(number, column, value, Notice("cell_too_long", {"limit": f"{cell_chars:,}"})))
    if too_long:
        return None
    before = errors.total

    def cell(column):
        value = cells.get(column, "")
        return "" if value is None else value

    held_on = None
    if cell("開催日") == "":
        errors.append(CellError(number, "開催日", "", Notice("date_blank")))
    else:
        try:
            held_on = masters.date(cell("開催日"))
        except ValueError as error:
            errors.append(CellError(number, "開催日", str(cell("開催日")), _value_notice(error)))
    ward = masters.find(AliasKind.WARD, cell("区"))
    if ward is None:
        errors.append(masters.unknown(number, "区", AliasKind.WARD, cell("区")))
    elif only_ward is not None and ward.pk != only_ward.pk:
        errors.append(CellError(number, "区", str(cell("区")), Notice("other_ward", {"ward": only_ward.name})))
    case_number = normalize(cell("事例番号"))
    if not case_number:
        errors.append(CellError(number, "事例番号", "", Notice("case_number_blank")))
    elif len(case_number) > 50:
        errors.append(CellError(number, "事例番号", case_number[:60], Notice("case_number_too_long")))
    kind_text = cell("会議種別") or DEFAULT_KIND
    kind = masters.find(AliasKind.KIND, kind_text)
    if kind is None:
        errors.append(masters.unknown(number, "会議種別", AliasKind.KIND, kind_text))
    basis = masters.find(AliasKind.BASIS, cell("開催根拠"))
    if basis is None:
        errors.append(masters.unknown(number, "開催根拠", AliasKind.BASIS, cell("開催根拠")))
    try:
        sv = parse_flag(cell("SV派遣"))
    except ValueError as error:
        errors.append(CellError(number, "SV派遣", str(cell("SV派遣")), _value_notice(error)))
        sv = False
    referrer = None
    referrer_text = str(cell("相談のあった機関")).strip()
    if referrer_text and normalize(referrer_text) not in ("本人・家族", "本人", "家族"):
        referrer = masters.find(AliasKind.CATEGORY, referrer_text)
        if referrer is None:
            errors.append(masters.unknown(number, "相談のあった機関", AliasKind.CATEGORY, referrer_text))
    participants = masters.entries(AliasKind.CATEGORY, cell("参加機関"))
    if participants is None:  # a name unknown: each one reported
        for entry in split_list(cell("参加機関")):
            if masters.find(AliasKind.CATEGORY, entry) is None:
                errors.append(masters.unknown(number, "参加機関", AliasKind.CATEGORY, entry))
    issues = masters.entries(AliasKind.ISSUE, cell("課題"))
    if issues is None:
        for entry in split_list(cell("課題")):
            name, _suspected = split_suspected(entry)
            if masters.find(AliasKind.ISSUE, name) is None:
                errors.append(masters.unknown(number, "課題", AliasKind.ISSUE, name))
    # A missing date, or an unknown name in a list (reported above, each), is one of the errors.
    if errors.total > before or held_on is None or participants is None or issues is None:
        return None
    return Row(number, held_on, ward, case_number, kind, basis, sv, referrer, participants, issues)


def _chunks(municipality, file: LedgerFile, errors: Errors, only_ward=None) -> Iterator[tuple[int, list[Row]]]:
    """(rows read, the good ones among them), CHUNK rows at a time; bad cells go to `errors`. A file that
    cannot be read at all, or that goes beyond the limits (parsing.Limits) while it is read, gives one error
    for row 0 and no more rows."""
    masters = Masters(municipality)
    limits = Limits.current()
    try:
        _header, raw = read_rows(file)
    except LedgerFileError as error:
        errors.append(CellError(0, "", file.name, error.notice))
        return
    read_any = stopped = False
    while not stopped:
        block = []
        try:
            for item in islice(raw, CHUNK):
                block.append(item)
        except LedgerFileError as error:  # the rows read before it are still checked, and their errors shown
            errors.append(CellError(0, "", file.name, error.notice))
            stopped = True
        if not block:
            break
        read_any = True
        rows = [_read_row(masters, number, cells, errors, only_ward, limits.cell_chars) for number, cells in block]
        yield len(block), [r for r in rows if r is not None]
    if not read_any and not stopped:
        errors.append(CellError(0, "", file.name, Notice("no_rows")))


def _present(municipality, case_numbers, exclude_import=None) -> tuple[set, set]:
    """(the 事例番号 already recorded as cases, the (事例番号, date, kind, basis) of their meetings).

    Found through the cases (the index on municipality and 事例番号), then their discussions: a plan that
    stays cheap while the import's own, not yet analysed, rows pile up in the same transaction.
    """
    numbers = dict(Case.all_objects.filter(municipality=municipality, external_number__in=case_numbers)
                   .values_list("pk", "external_number"))
    discussions = MeetingCase.objects.filter(case_id__in=numbers)
    if exclude_import is not None:
        discussions = discussions.exclude(meeting__ledger_provenance__source=exclude_import)
    present = {(numbers[case_id], held_on, kind, basis) for case_id, held_on, kind, basis in discussions.values_list(
        "case_id", "meeting__held_on", "meeting__kind_id", "meeting__basis_id")}
    return set(numbers.values()), present


class _Keys:
    """A meeting (事例番号, 開催日, 会議種別, 開催根拠) as one exact integer: the 事例番号's place in the file, the
    day's ordinal (22 bits: up to 9999-12-31) and the kind's and basis's places among those met (16 bits each)."""

    def __init__(self) -> None:
        self.kinds: dict[int, int] = {}
        self.bases: dict[int, int] = {}

    def of(self, case_index: int, row: Row) -> int:
        kind = self.kinds.setdefault(row.kind.pk, len(self.kinds))
        basis = self.bases.setdefault(row.basis.pk, len(self.bases))
        return case_index << 54 | row.held_on.toordinal() << 32 | kind << 16 | basis


def check(*, municipality, file: LedgerFile, ward=None, progress: Progress | None = None) -> Result:
    """The first pass: every row checked, and what an import would create counted. Writes nothing.

    `result.errors` lists every bad cell; with a `ward`, rows of any other ward are errors too.
    """
    result = Result(filename=file.name)
    cases = result.cases
    existing = set()
    # Every meeting met so far (_Keys) → its first row | Row.content << 24, and the duplicate groups by their
    # first row: two small integers per row, about 130 bytes (13 MB for 100,000 rows: docs/benchmarks.md).
    # Row numbers fit in 24 bits: a 200 MB file has fewer than 16 million rows.
    keys = _Keys()
    seen: dict[int, int] = {}
    groups: dict[int, Duplicate] = {}
    for read, rows in _chunks(municipality, file, result.errors, only_ward=ward):
        result.rows += read
        recorded, present = _present(municipality, {r.case_number for r in rows})
        existing |= recorded
        for r in rows:
            info = cases.setdefault(r.case_number, CaseInfo(r.number, r.ward, r.referrer, index=len(cases)))
            if info.ward != r.ward:
                result.errors.append(CellError(r.number, "区", r.ward.name, Notice(
                    "case_ward_differs", {"case": r.case_number, "row": info.row, "ward": info.ward.name})))
                continue
            if info.referrer != r.referrer:
                result.errors.append(CellError(
                    r.number, "相談のあった機関", r.referrer.name if r.referrer else "本人・家族",
                    Notice("case_referrer_differs", {"case": r.case_number, "row": info.row})))
                continue
            if r.key in present:
                result.meetings_present += 1
                continue
            key = keys.of(info.index, r)
            first = seen.get(key)
            if first is not None:  # an earlier row of this file is the same meeting
                first_row = first & 0xFFFFFF
                group = groups.setdefault(first_row, Duplicate([first_row], r.case_number, r.held_on))
                group.rows.append(r.number)
                group.identical = group.identical and first >> 24 == r.content
                continue
            seen[key] = r.number | r.content << 24
            result.meetings_created += 1
            fy = wareki.fiscal_year(r.held_on)
            result.per_fiscal_year[fy] = result.per_fiscal_year.get(fy, 0) + 1
            info.first_new = min(info.first_new or (r.held_on, r.number), (r.held_on, r.number))
            info.last_new = max(info.last_new or r.held_on, r.held_on)
        if progress:
            progress("check", result.rows, 0)
    result.cases_created = sum(1 for n, info in cases.items() if info.first_new and n not in existing)
    result.duplicates = [groups[row] for row in sorted(groups)]
    # result.errors keeps itself in row order (the checks across rows come after their chunk's; stable within a row)
    return result


def _system_user(municipality):
    """The convener of imported meetings: an inactive account that cannot log in, one per municipality."""
    user, _created = get_user_model().objects.get_or_create(
        username=f"ledger-import-{municipality.code}",
        defaults={"role": Role.ADMINISTRATOR, "municipality": municipality, "is_active": False,
                  "last_name": "台帳取り込み", "first_name": ""},
    )
    return user


def _agency(ward, category, cache):
    key = (ward.pk, category.pk)
    if key not in cache:
        cache[key], _created = Agency.objects.get_or_create(
            municipality_id=ward.municipality_id, name=f"{ward.name}{category.name}",
            defaults={"ward": ward, "category": category})
    return cache[key]


def _create_cases(municipality, plan: Result, record, convener) -> tuple[dict[str, int], int]:
    """Every 事例番号 of the file as a case id: new ones created (numbered in date order) with a placeholder
    household, their 受付 and 終結 status changes and history rows, as cases' bulk services would write them
    (`case_bulk_create`, `household_bulk_create`) but by COPY (ledger.tables); imported ones that gain later
    meetings closed on their new last day."""
    ids = {}
    numbers = list(plan.cases)
    for start in range(0, len(numbers), 5000):
        part = numbers[start:start + 5000]
        later = {}
        for pk, number, closed_on, imported in (Case.all_objects.filter(municipality=municipality, external_number__in=part)
                                                .values_list("pk", "external_number", "closed_on", "ledger_provenance")):
            ids[number] = pk
            info = plan.cases[number]
            if imported and info.last_new and closed_on and info.last_new > closed_on:
                later[pk] = info.last_new
        if later:
            case_bulk_close_later(user=convener, closed_on=later)
    new = [number for _first, number in sorted(
        (info.first_new, number) for number, info in plan.cases.items() if info.first_new and number not in ids)]
    note = _("開催台帳から取り込んだ事例の世帯です（台帳には世帯の情報がありません）。")
    reason = _("開催台帳から取り込み（台帳に状況がないため終結として登録）")
    households = Table(Household, ["id", "ward_id"], municipality_id=municipality.pk, note=note)
    cases = Table(Case, ["id", "ward_id", "household_id", "fiscal_year", "sequence", "number", "received_on",
                         "intake_channel", "referring_category_id", "status_changed_at", "closed_on", "external_number"],
                  municipality_id=municipality.pk, status=CaseStatus.CLOSED, closing_reason=reason,
                  created_by_id=convener.pk)
    changes = Table(CaseStatusChange, ["case_id", "action", "from_status", "to_status", "reason", "changed_at"],
                    changed_by_id=convener.pk)
    provenance = Table(ImportedCase, ["case_id", "row"], source_id=record.pk)
    for start in range(0, len(new), CHUNK):
        part = new[start:start + CHUNK]
        infos = [plan.cases[number] for number in part]
        household_ids = take_ids(Household, len(part))
        households.write((pk, info.ward.pk) for pk, info in zip(household_ids, infos, strict=True))
        history_rows_for(Household, household_ids, user=convener)
        case_ids = take_ids(Case, len(part))
        years = [wareki.fiscal_year(info.first_new[0]) for info in infos]
        wanted = Counter(years)
        blocks = {fy: iter(reserve_case_numbers(municipality.pk, fy, count)) for fy, count in sorted(wanted.items())}
        rows, status_rows = [], []
        for pk, household, number, info, fy in zip(case_ids, household_ids, part, infos, years, strict=True):
            sequence, label = next(blocks[fy])
            received_on = info.first_new[0]
            ended = _at(info.last_new, 17)
            rows.append((pk, info.ward.pk, household, fy, sequence, label, received_on,
                         "agency" if info.referrer else "visit", info.referrer.pk if info.referrer else None, ended,
                         info.last_new, number))
            status_rows.append((pk, "open", "", CaseStatus.RECEIVED, "", _at(received_on, 9)))
            status_rows.append((pk, "close", CaseStatus.SUPPORTING, CaseStatus.CLOSED, reason, ended))
        cases.write(rows)
        history_rows_for(Case, case_ids, user=convener)
        changes.write(status_rows)
        provenance.write((pk, info.row) for pk, info in zip(case_ids, infos, strict=True))
        ids.update(zip(part, case_ids, strict=True))
    return ids, len(new)


@functools.lru_cache(maxsize=4096)  # a ledger's rows share their days
def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _write(municipality, file: LedgerFile, plan: Result, record, progress: Progress | None) -> tuple[int, int]:
    """The second pass: the meetings, chunk by chunk, each with its agencies, its case and its issues, where it
    came from and its history row, as meetings' bulk service (`meeting_bulk_record`) would write them, but by
    COPY. Returns (cases, meetings) created."""
    convener = _system_user(municipality)
    case_ids, cases_created = _create_cases(municipality, plan, record, convener)
    meetings_created = 0
    agencies: dict[tuple[int, int], Agency] = {}
    meetings = Table(Meeting, ["id", "ward_id", "kind_id", "basis_id", "starts_at", "held_on", "sv_dispatched"],
                     municipality_id=municipality.pk, convener_id=convener.pk, created_by_id=convener.pk,
                     status=MeetingStatus.HELD)
    links = Table(MeetingAgency, ["meeting_id", "agency_id"], invited=True, attended=True)
    discussions = Table(MeetingCase, ["id", "meeting_id", "case_id"], issues_recorded=True)
    issues = Table(MeetingCaseIssue, ["discussion_id", "category_id", "suspected"])
    provenance = Table(ImportedMeeting, ["meeting_id", "row"], source_id=record.pk)
    errors = Errors()
    done = 0
    skipped = plan.skipped_rows()  # rows that repeat a meeting of an earlier row
    for read, rows in _chunks(municipality, file, errors):
        _recorded, present = _present(municipality, {r.case_number for r in rows}, exclude_import=record)
        new_rows = [r for r in rows if r.key not in present and r.number not in skipped]
        meeting_ids = take_ids(Meeting, len(new_rows))
        discussion_ids = take_ids(MeetingCase, len(new_rows))
        meetings.write((pk, r.ward.pk, r.kind.pk, r.basis.pk, _at(r.held_on, 10), r.held_on, r.sv)
                       for pk, r in zip(meeting_ids, new_rows, strict=True))
        history_rows_for(Meeting, meeting_ids, user=convener)
        links.write((pk, _agency(r.ward, category, agencies).pk)
                    for pk, r in zip(meeting_ids, new_rows, strict=True) for category in r.participants)
        discussions.write((discussion, pk, case_ids[r.case_number])
                          for discussion, pk, r in zip(discussion_ids, meeting_ids, new_rows, strict=True))
        issues.write((discussion, category.pk, suspected)
                     for discussion, r in zip(discussion_ids, new_rows, strict=True) for category, suspected in r.issues)
        provenance.write((pk, r.number) for pk, r in zip(meeting_ids, new_rows, strict=True))
        meetings_created += len(new_rows)
        done += read
        if progress:
            progress("import", done, plan.rows)
    if errors:  # the masters changed since the check (an alias removed, a ward renamed): nothing is kept
        raise LedgerRejected(errors)
    return cases_created, meetings_created


@transaction.atomic
def import_ledger(*, municipality, file: LedgerFile, user=None, dry_run: bool = False, request=None,
                  ward=None, progress: Progress | None = None, plan: Result | None = None,
                  separate: Iterable[int] = ()) -> Result:
    """Import the file, or raise LedgerRejected listing every bad row. A dry run checks and counts, writes nothing.

    With a `ward`, only that ward's rows are accepted (a coordinator's import). With a `plan` (what `check`
    found, kept by the page's check job) the file is read once more, to write; without one, twice.
    Rows that repeat a meeting of an earlier row are written once, unless their group's first row is in
    `separate` (the user said they are separate meetings).
    `progress` is called after each chunk of each pass; raising ImportCancelled from it undoes everything.
    """
    digest = file.sha256()
    previous = LedgerImport.objects.filter(municipality=municipality, sha256=digest).first()
    if previous is not None:
        return Result(filename=file.name, dry_run=dry_run, already_imported=previous)
    if plan is None:
        plan = check(municipality=municipality, file=file, ward=ward, progress=progress)
    plan.dry_run = dry_run
    plan.choose_separate(separate)
    if plan.errors:
        raise LedgerRejected(plan.errors)
    if dry_run:
        return plan
    record = LedgerImport.objects.create(municipality=municipality, filename=file.name[:255], sha256=digest, rows=plan.rows,
                                         imported_by=user)
    # What was written, which is what the plan foresaw unless another import came in between.
    plan.cases_created, plan.meetings_created = _write(municipality, file, plan, record, progress)
    record.cases_created, record.meetings_created = plan.cases_created, plan.meetings_created
    record.save(update_fields=["cases_created", "meetings_created"])
    audit_record(action=Action.CREATE, request=request, user=user, obj=record,
                 detail={"rows": plan.rows, "cases": plan.cases_created, "meetings": plan.meetings_created})
    return plan
