"""Importing a つながる場 開催台帳 (DOMAIN.md §7): all or nothing, every bad row reported, never twice.

Each row is one つながる場 held. Rows with the same 事例番号 are one case (with a placeholder household:
the ledger names no one), discussed at several meetings, each keeping the issues of its own row. The
yearly tables then count the imported meetings exactly as they count meetings recorded in the app.

The file is read twice, a chunk of rows at a time, so memory does not grow with the number of rows:
the first pass checks every row and counts what will be created (`check`), the second writes (`import_ledger`,
which runs both passes in one transaction). What is kept between the passes is one small record per
事例番号. A `progress` callback hears how far each pass has got; raising `ImportCancelled` from it rolls
the whole import back.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Role
from agencies.models import Agency, AgencyCategory, Ward
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, CaseStatus, Household, IssueCategory
from cases.services.cases import reserve_case_numbers
from core import wareki
from meetings.models import Meeting, MeetingAgency, MeetingBasis, MeetingCase, MeetingCaseIssue, MeetingKind

from .models import AliasKind, LedgerImport, NameAlias
from .parsing import (
    CellError,
    LedgerFileError,
    Matcher,
    normalize,
    parse_date,
    parse_flag,
    read_rows,
    split_list,
    split_suspected,
)

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

Progress = Callable[[str, int, int], None]  # (phase "check" | "import", rows done, rows in the file or 0)


class LedgerRejected(Exception):
    """The file imports nothing; `errors` lists every bad row (or the one reason the file cannot be read)."""

    def __init__(self, errors: list[CellError]):
        super().__init__(_("%(count)d件の誤りがあるため、何も取り込みませんでした。") % {"count": len(errors)})
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
    participants: list
    issues: list  # [(IssueCategory, suspected)]

    @property
    def key(self):
        return (self.case_number, self.held_on, self.kind.pk, self.basis.pk)


@dataclass
class CaseInfo:
    """What the second pass needs to know about one 事例番号, gathered by the first."""

    row: int
    ward: Ward
    referrer: AgencyCategory | None
    first_new: tuple | None = None  # (date, row) of its earliest meeting not imported before
    last_new: dt.date | None = None


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
    errors: list = field(default_factory=list)
    cases: dict = field(default_factory=dict, repr=False)  # 事例番号 → CaseInfo

    def preview(self) -> dict:
        return {"rows": self.rows, "cases_created": self.cases_created, "meetings_created": self.meetings_created,
                "meetings_present": self.meetings_present,
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
        self.objects = {AliasKind.WARD: self.wards, AliasKind.KIND: self.kinds, AliasKind.BASIS: self.bases,
                        AliasKind.CATEGORY: self.categories, AliasKind.ISSUE: self.issues}

    def find(self, kind, value):
        name = self.matchers[kind].find(value)
        return self.objects[kind][name] if name else None

    def unknown(self, number, column, kind, value, what) -> CellError:
        return CellError(number, column, str(value), _("%(what)sが見つかりません。") % {"what": what},
                         self.matchers[kind].closest(value), kind=str(kind))


def _read_row(masters: Masters, number: int, cells: dict, errors: list, only_ward: Ward | None) -> Row | None:
    """One row as values, or None with its errors appended (every bad cell, not just the first)."""
    before = len(errors)

    def cell(column):
        value = cells.get(column, "")
        return "" if value is None else value

    try:
        held_on = parse_date(cell("開催日"))
    except ValueError as error:
        errors.append(CellError(number, "開催日", str(cell("開催日")), str(error)))
        held_on = None
    ward = masters.find(AliasKind.WARD, cell("区"))
    if ward is None:
        errors.append(masters.unknown(number, "区", AliasKind.WARD, cell("区"), _("区・圏域")))
    elif only_ward is not None and ward != only_ward:
        errors.append(CellError(number, "区", str(cell("区")),
                                _("担当の区・圏域（%(ward)s）の行だけを取り込めます。") % {"ward": only_ward.name}))
    case_number = normalize(cell("事例番号"))
    if not case_number:
        errors.append(CellError(number, "事例番号", "", _("事例番号が空欄です。")))
    elif len(case_number) > 50:
        errors.append(CellError(number, "事例番号", case_number[:60], _("事例番号は50文字までです。")))
    kind_text = cell("会議種別") or DEFAULT_KIND
    kind = masters.find(AliasKind.KIND, kind_text)
    if kind is None:
        errors.append(masters.unknown(number, "会議種別", AliasKind.KIND, kind_text, _("会議種別")))
    basis = masters.find(AliasKind.BASIS, cell("開催根拠"))
    if basis is None:
        errors.append(masters.unknown(number, "開催根拠", AliasKind.BASIS, cell("開催根拠"), _("開催根拠")))
    try:
        sv = parse_flag(cell("SV派遣"))
    except ValueError as error:
        errors.append(CellError(number, "SV派遣", str(cell("SV派遣")), str(error)))
        sv = False
    referrer = None
    referrer_text = str(cell("相談のあった機関")).strip()
    if referrer_text and normalize(referrer_text) not in ("本人・家族", "本人", "家族"):
        referrer = masters.find(AliasKind.CATEGORY, referrer_text)
        if referrer is None:
            errors.append(masters.unknown(number, "相談のあった機関", AliasKind.CATEGORY, referrer_text, _("機関種別")))
    participants = []
    for entry in split_list(cell("参加機関")):
        category = masters.find(AliasKind.CATEGORY, entry)
        if category is None:
            errors.append(masters.unknown(number, "参加機関", AliasKind.CATEGORY, entry, _("機関種別")))
        elif category not in participants:
            participants.append(category)
    issues = []
    for entry in split_list(cell("課題")):
        name, suspected = split_suspected(entry)
        category = masters.find(AliasKind.ISSUE, name)
        if category is None:
            errors.append(masters.unknown(number, "課題", AliasKind.ISSUE, name, _("課題")))
        elif category not in [c for c, _s in issues]:
            issues.append((category, suspected))
    if len(errors) > before:
        return None
    return Row(number, held_on, ward, case_number, kind, basis, sv, referrer, participants, issues)


def _chunks(municipality, filename: str, data: bytes, errors: list, only_ward=None) -> Iterator[tuple[int, list[Row]]]:
    """(rows read, the good ones among them), CHUNK rows at a time; bad cells go to `errors`. A file that
    cannot be read at all gives one error for row 0."""
    masters = Masters(municipality)
    try:
        _header, raw = read_rows(filename, data)
    except LedgerFileError as error:
        errors.append(CellError(0, "", filename, str(error)))
        return
    read_any = False
    while True:
        block = list(islice(raw, CHUNK))
        if not block:
            break
        read_any = True
        rows = [_read_row(masters, number, cells, errors, only_ward) for number, cells in block]
        yield len(block), [r for r in rows if r is not None]
    if not read_any:
        errors.append(CellError(0, "", filename, _("見出しのほかに行がありません。")))


def _present(municipality, case_numbers, exclude_import=None) -> tuple[set, set]:
    """(the 事例番号 already recorded as cases, the (事例番号, date, kind, basis) of their meetings).

    Found through the cases (the index on municipality and 事例番号), then their discussions: a plan that
    stays cheap while the import's own, not yet analysed, rows pile up in the same transaction.
    """
    numbers = dict(Case.all_objects.filter(municipality=municipality, external_number__in=case_numbers)
                   .values_list("pk", "external_number"))
    discussions = MeetingCase.objects.filter(case_id__in=numbers)
    if exclude_import is not None:
        discussions = discussions.exclude(meeting__source_import=exclude_import)
    present = {(numbers[case_id], held_on, kind, basis) for case_id, held_on, kind, basis in discussions.values_list(
        "case_id", "meeting__held_on", "meeting__kind_id", "meeting__basis_id")}
    return set(numbers.values()), present


def check(*, municipality, filename: str, data: bytes, ward=None, progress: Progress | None = None) -> Result:
    """The first pass: every row checked, and what an import would create counted. Writes nothing.

    `result.errors` lists every bad cell; with a `ward`, rows of any other ward are errors too.
    """
    result = Result(filename=filename)
    cases = result.cases
    existing = set()
    for read, rows in _chunks(municipality, filename, data, result.errors, only_ward=ward):
        result.rows += read
        recorded, present = _present(municipality, {r.case_number for r in rows})
        existing |= recorded
        for r in rows:
            info = cases.setdefault(r.case_number, CaseInfo(r.number, r.ward, r.referrer))
            if info.ward != r.ward:
                result.errors.append(CellError(r.number, "区", r.ward.name, _("事例番号 %(case)s は%(row)d行目で%(ward)sとされています。")
                                               % {"case": r.case_number, "row": info.row, "ward": info.ward.name}))
                continue
            if info.referrer != r.referrer:
                result.errors.append(CellError(
                    r.number, "相談のあった機関", r.referrer.name if r.referrer else _("本人・家族"),
                    _("事例番号 %(case)s の相談のあった機関が%(row)d行目と違います。") % {"case": r.case_number, "row": info.row}))
                continue
            if r.key in present:
                result.meetings_present += 1
                continue
            result.meetings_created += 1
            fy = wareki.fiscal_year(r.held_on)
            result.per_fiscal_year[fy] = result.per_fiscal_year.get(fy, 0) + 1
            info.first_new = min(info.first_new or (r.held_on, r.number), (r.held_on, r.number))
            info.last_new = max(info.last_new or r.held_on, r.held_on)
        if progress:
            progress("check", result.rows, 0)
    result.cases_created = sum(1 for n, info in cases.items() if info.first_new and n not in existing)
    result.errors.sort(key=lambda e: e.row)  # the checks across rows come after their chunk's; stable within a row
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


def _create_cases(municipality, plan: Result, record, convener) -> dict[str, int]:
    """Every 事例番号 of the file as a case id: new ones created (numbered in date order), imported ones
    that gain later meetings closed on their new last day."""
    ids = {}
    numbers = list(plan.cases)
    for start in range(0, len(numbers), 5000):
        part = numbers[start:start + 5000]
        for pk, number, closed_on, imported in (Case.all_objects.filter(municipality=municipality, external_number__in=part)
                                                .values_list("pk", "external_number", "closed_on", "source_import_id")):
            ids[number] = pk
            info = plan.cases[number]
            if imported and info.last_new and closed_on and info.last_new > closed_on:
                Case.all_objects.filter(pk=pk).update(closed_on=info.last_new)
    new = sorted(((info.first_new, number) for number, info in plan.cases.items() if info.first_new and number not in ids))
    by_year = defaultdict(list)
    for (first_day, _row), number in new:
        by_year[wareki.fiscal_year(first_day)].append(number)
    note = _("開催台帳から取り込んだ事例の世帯です（台帳には世帯の情報がありません）。")
    reason = _("開催台帳から取り込み（台帳に状況がないため終結として登録）")
    for fy, year_numbers in sorted(by_year.items()):
        for start in range(0, len(year_numbers), CHUNK):
            part = year_numbers[start:start + CHUNK]
            households = bulk_create_with_history(
                [Household(municipality=municipality, ward=plan.cases[n].ward, note=note) for n in part],
                Household, default_user=convener)
            cases = []
            for (sequence, label), number, household in zip(reserve_case_numbers(municipality.pk, fy, len(part)), part,
                                                            households, strict=True):
                info = plan.cases[number]
                cases.append(Case(
                    municipality=municipality, ward=info.ward, household=household, fiscal_year=fy, sequence=sequence,
                    number=label, received_on=info.first_new[0], intake_channel="agency" if info.referrer else "visit",
                    referring_category=info.referrer, status=CaseStatus.CLOSED, closed_on=info.last_new,
                    closing_reason=reason, created_by=convener, external_number=number, source_import=record,
                    source_row=info.row))
            for case in bulk_create_with_history(cases, Case, default_user=convener):
                ids[case.external_number] = case.pk
    return ids


def _write(municipality, filename, data, plan: Result, record, progress: Progress | None):
    """The second pass: the meetings, chunk by chunk, each with its agencies, its case and its issues."""
    convener = _system_user(municipality)
    case_ids = _create_cases(municipality, plan, record, convener)
    agencies = {}
    errors = []
    done = 0
    for read, rows in _chunks(municipality, filename, data, errors):
        _recorded, present = _present(municipality, {r.case_number for r in rows}, exclude_import=record)
        new_rows = [r for r in rows if r.key not in present]
        meetings = Meeting.all_objects.bulk_create([
            Meeting(municipality=municipality, ward=r.ward, kind=r.kind, basis=r.basis, held_on=r.held_on,
                    starts_at=timezone.make_aware(dt.datetime.combine(r.held_on, dt.time(10))), status="held",
                    sv_dispatched=r.sv, convener=convener, created_by=convener, source_import=record, source_row=r.number)
            for r in new_rows
        ])
        MeetingAgency.objects.bulk_create(
            MeetingAgency(meeting=m, agency=_agency(r.ward, category, agencies), invited=True, attended=True)
            for m, r in zip(meetings, new_rows, strict=True) for category in r.participants)
        discussions = MeetingCase.objects.bulk_create(
            MeetingCase(meeting=m, case_id=case_ids[r.case_number], issues_recorded=True)
            for m, r in zip(meetings, new_rows, strict=True))
        MeetingCaseIssue.objects.bulk_create(
            MeetingCaseIssue(discussion=d, category=category, suspected=suspected)
            for d, r in zip(discussions, new_rows, strict=True) for category, suspected in r.issues)
        done += read
        if progress:
            progress("import", done, plan.rows)
    if errors:  # the first pass read the same bytes under the same masters: this cannot happen
        raise LedgerRejected(errors)


@transaction.atomic
def import_ledger(*, municipality, filename: str, data: bytes, user=None, dry_run: bool = False, request=None,
                  ward=None, progress: Progress | None = None) -> Result:
    """Import the file, or raise LedgerRejected listing every bad row. A dry run checks and counts, writes nothing.

    With a `ward`, only that ward's rows are accepted (a coordinator's import). `progress` is called after
    each chunk of each pass; raising ImportCancelled from it undoes everything.
    """
    digest = hashlib.sha256(data).hexdigest()
    previous = LedgerImport.objects.filter(municipality=municipality, sha256=digest).first()
    if previous is not None:
        return Result(filename=filename, dry_run=dry_run, already_imported=previous)
    plan = check(municipality=municipality, filename=filename, data=data, ward=ward, progress=progress)
    plan.dry_run = dry_run
    if plan.errors:
        raise LedgerRejected(plan.errors)
    if dry_run:
        return plan
    record = LedgerImport.objects.create(municipality=municipality, filename=filename[:255], sha256=digest, rows=plan.rows,
                                         cases_created=plan.cases_created, meetings_created=plan.meetings_created,
                                         imported_by=user)
    _write(municipality, filename, data, plan, record, progress)
    audit_record(action=Action.CREATE, request=request, user=user, obj=record,
                 detail={"rows": plan.rows, "cases": plan.cases_created, "meetings": plan.meetings_created})
    return plan
