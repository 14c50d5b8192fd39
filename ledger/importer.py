"""Importing a つながる場 開催台帳 (DOMAIN.md §7): all or nothing, every bad row reported, never twice.

Each row is one つながる場 held. Rows with the same 事例番号 are one case (with a placeholder household:
the ledger names no one), discussed at several meetings, each keeping the issues of its own row. The
yearly tables then count the imported meetings exactly as they count meetings recorded in the app.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.models import Agency, AgencyCategory, Ward
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, CaseStatus, Household, IssueCategory
from cases.services.cases import next_case_number
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


class LedgerRejected(Exception):
    """The file imports nothing; `errors` lists every bad row (or the one reason the file cannot be read)."""

    def __init__(self, errors: list[CellError]):
        super().__init__(_("%(count)d件の誤りがあるため、何も取り込みませんでした。") % {"count": len(errors)})
        self.errors = errors


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
                         self.matchers[kind].closest(value))


def parse(municipality, filename: str, data: bytes) -> tuple[list[Row], list[CellError]]:
    """Every row checked; the rows that read, and an error for each bad cell."""
    masters = Masters(municipality)
    try:
        _header, raw = read_rows(filename, data)
    except LedgerFileError as error:
        return [], [CellError(0, "", filename, str(error))]
    rows, errors = [], []
    cases = {}
    read_any = False
    for number, cells in raw:
        read_any = True
        before = len(errors)

        def cell(column, cells=cells):
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
        case_number = normalize(cell("事例番号"))
        if not case_number:
            errors.append(CellError(number, "事例番号", "", _("事例番号が空欄です。")))
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
        if len(errors) == before and case_number:
            first = cases.setdefault(case_number, (number, ward, referrer))
            if first[1] != ward:
                errors.append(CellError(number, "区", str(cell("区")), _("事例番号 %(case)s は%(row)d行目で%(ward)sとされています。")
                                        % {"case": case_number, "row": first[0], "ward": first[1].name}))
            elif first[2] != referrer:
                errors.append(CellError(number, "相談のあった機関", referrer_text,
                                        _("事例番号 %(case)s の相談のあった機関が%(row)d行目と違います。") % {"case": case_number, "row": first[0]}))
        if len(errors) == before:
            rows.append(Row(number, held_on, ward, case_number, kind, basis, sv, referrer, participants, issues))
    if not read_any:
        return [], [CellError(0, "", filename, _("見出しのほかに行がありません。"))]
    return rows, errors


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


@transaction.atomic
def import_ledger(*, municipality, filename: str, data: bytes, user=None, dry_run: bool = False, request=None) -> Result:
    """Import the file, or raise LedgerRejected listing every bad row. A dry run checks and counts, writes nothing."""
    digest = hashlib.sha256(data).hexdigest()
    result = Result(filename=filename, dry_run=dry_run)
    previous = LedgerImport.objects.filter(municipality=municipality, sha256=digest).first()
    if previous is not None:
        result.already_imported = previous
        return result
    rows, errors = parse(municipality, filename, data)
    if errors:
        raise LedgerRejected(errors)
    result.rows = len(rows)
    existing_cases = {c.external_number: c for c in Case.all_objects.filter(
        municipality=municipality, external_number__in={r.case_number for r in rows})}
    present = set(Meeting.all_objects.filter(municipality=municipality, discussions__case__in=existing_cases.values())
                  .values_list("discussions__case__external_number", "held_on", "kind_id", "basis_id"))
    new_rows = [r for r in rows if (r.case_number, r.held_on, r.kind.pk, r.basis.pk) not in present]
    result.meetings_present = len(rows) - len(new_rows)
    result.meetings_created = len(new_rows)
    result.cases_created = len({r.case_number for r in new_rows} - set(existing_cases))
    for r in new_rows:
        fy = wareki.fiscal_year(r.held_on)
        result.per_fiscal_year[fy] = result.per_fiscal_year.get(fy, 0) + 1
    if dry_run:
        transaction.set_rollback(True)
        return result
    record = LedgerImport.objects.create(municipality=municipality, filename=filename[:255], sha256=digest, rows=len(rows),
                                         cases_created=result.cases_created, meetings_created=result.meetings_created,
                                         imported_by=user)
    convener = _system_user(municipality)
    cases = dict(existing_cases)
    last_day = {}
    for r in new_rows:
        last_day[r.case_number] = max(r.held_on, last_day.get(r.case_number, r.held_on))
    for r in sorted(new_rows, key=lambda r: (r.held_on, r.number)):
        if r.case_number in cases:
            continue
        household = Household.all_objects.create(
            municipality=municipality, ward=r.ward, note=_("開催台帳から取り込んだ事例の世帯です（台帳には世帯の情報がありません）。"))
        fy = wareki.fiscal_year(r.held_on)
        sequence, number = next_case_number(municipality.pk, fy)
        cases[r.case_number] = Case.all_objects.create(
            municipality=municipality, ward=r.ward, household=household, fiscal_year=fy, sequence=sequence, number=number,
            received_on=r.held_on, intake_channel="agency" if r.referrer else "visit", referring_category=r.referrer,
            status=CaseStatus.CLOSED, closed_on=last_day[r.case_number],
            closing_reason=_("開催台帳から取り込み（台帳に状況がないため終結として登録）"), created_by=convener,
            external_number=r.case_number, source_import=record, source_row=r.number)
    meetings = Meeting.all_objects.bulk_create([
        Meeting(municipality=municipality, ward=r.ward, kind=r.kind, basis=r.basis, held_on=r.held_on,
                starts_at=timezone.make_aware(dt.datetime.combine(r.held_on, dt.time(10))), status="held",
                sv_dispatched=r.sv, convener=convener, created_by=convener, source_import=record, source_row=r.number)
        for r in new_rows
    ])
    agencies = {}
    MeetingAgency.objects.bulk_create(
        MeetingAgency(meeting=m, agency=_agency(r.ward, category, agencies), invited=True, attended=True)
        for m, r in zip(meetings, new_rows, strict=True) for category in r.participants)
    discussions = MeetingCase.objects.bulk_create(
        MeetingCase(meeting=m, case=cases[r.case_number], issues_recorded=True) for m, r in zip(meetings, new_rows, strict=True))
    MeetingCaseIssue.objects.bulk_create(
        MeetingCaseIssue(discussion=d, category=category, suspected=suspected)
        for d, r in zip(discussions, new_rows, strict=True) for category, suspected in r.issues)
    audit_record(action=Action.CREATE, request=request, user=user, obj=record,
                 detail={"rows": len(rows), "cases": result.cases_created, "meetings": result.meetings_created})
    return result
