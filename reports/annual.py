"""The yearly つながる場 tables of seed 000 (DOMAIN.md §6): one computation behind every output.

The unit is a case discussed at a つながる場 held (「1回の開催＝1事例」): a meeting that discussed two
cases counts twice. Only meetings of a kind marked 「年次集計の対象」 count. The counts come from one
statement, cached per (municipality, fiscal year) and invalidated exactly (reports.counts); names and the
layout are applied here. The number of queries is fixed: it does not grow with the number of meetings.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy

from agencies.models import AgencyCategory, Ward
from cases.models import IssueCategory
from core.wareki import fiscal_year, fiscal_year_bounds, fiscal_year_label
from meetings.models import MeetingBasis, MeetingCase, MeetingStatus

from .counts import WardCounts, city, empty, year_counts
from .scope import scoped

OTHER = "その他"
TOTAL = "計"


@dataclass(frozen=True)
class Layout:
    """Which categories get a row of their own; the rest fall into その他 (seed 000's layout by default)."""

    basis: tuple = ("地域ケア会議", "支援会議", "本人同意（つながる場単独開催）", "要保護児童対策地域協議会",
                    "地域ケア会議・要保護児童対策地域協議会の共催")
    referrer: tuple = ("地域包括支援センター", "生活困窮担当", "子ども・子育て担当", "見守り相談室", "生活保護担当")
    participants: tuple = ("地域包括支援センター", "高齢福祉担当", "生活困窮担当", "障がい者基幹相談支援センター", "生活保護担当")
    issues: tuple = ("精神障がい", "経済的困窮", "知的障がい", "病気・けが", "虐待関連", "ゴミ屋敷", "ひきこもり",
                     "発達障がい", "認知症", "孤立")
    footnotes: dict = field(default_factory=lambda: {
        "referrer_other": "高齢福祉担当、障がい者基幹相談支援センター、学校教育機関、精神保健福祉相談員、障がい福祉担当、福祉サービス事業所等",
        "participants_other": "見守り相談室、精神保健福祉相談員、障がい福祉担当、子ども・子育て担当等",
        "issues_other": "依存症、近隣住民とのトラブル、身体障がい（疑い含む）、制度の狭間、自殺企図等",
    })


DEFAULT_LAYOUT = Layout()

SAME_YEAR = gettext_lazy("比較する年度には、集計する年度と別の年度を選んでください。")


@dataclass(frozen=True)
class YearPair:
    """The year reported and the year it is compared with. The one place the rule lives: the page's form, the
    API, the command and the report itself all ask `YearPair.of`."""

    fiscal_year: int
    compare: int

    @classmethod
    def of(cls, fiscal_year: int, compare: int | None = None) -> "YearPair":
        """`compare` defaults to the year before; it is never the year reported (ValidationError "same_year")."""
        compare = fiscal_year - 1 if compare is None else compare
        if compare == fiscal_year:
            raise ValidationError(SAME_YEAR, code="same_year")
        return cls(fiscal_year, compare)

    @property
    def years(self) -> list[int]:
        return [self.fiscal_year, self.compare]


@dataclass(frozen=True)
class AnnualReport:
    """The five tables of seed 000 for two fiscal years (DOMAIN.md §6). `to_json()` is the report JSON."""

    municipality: str
    ward: str | None
    fiscal_years: list[int]
    labels: dict[str, str]
    meetings: dict[str, int]
    tables: dict[str, Any]
    footnotes: dict[str, str]
    suppressed_below: int | None = None  # set on a copy for publication (suppression.suppress_report)

    def to_json(self) -> dict:
        data: dict[str, Any] = {"municipality": self.municipality, "ward": self.ward, "fiscal_years": self.fiscal_years,
                "labels": self.labels, "meetings": self.meetings, "tables": self.tables, "footnotes": self.footnotes}
        if self.suppressed_below is not None:
            data["suppressed_below"] = self.suppressed_below
        return data

    @property
    def year_columns(self) -> list[str]:
        return [str(y) for y in self.fiscal_years]


@dataclass(frozen=True)
class WardComparison:
    """One row per ward for each table, with the city total (the bureau's comparison)."""

    fiscal_year: int
    label: str
    meetings: list[int]
    tables: dict[str, dict]
    municipality: str = ""  # the titles of the exports
    suppressed_below: int | None = None  # set on a copy for publication (suppression.suppress_comparison)

    def to_json(self) -> dict:
        data: dict[str, Any] = {"fiscal_year": self.fiscal_year, "label": self.label, "meetings": self.meetings,
                                "tables": self.tables}
        if self.suppressed_below is not None:
            data["suppressed_below"] = self.suppressed_below
        return data


def half_up(value: Decimal | float, places: int = 0):
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def ratio(numerator: int, denominator: int, places: int):
    if not denominator:
        return 0 if places == 0 else 0.0
    return half_up(Decimal(numerator) / Decimal(denominator), places)


def discussions_between(*, municipality, start, end, ward=None):
    """The unit of the tables: cases discussed at meetings counted in them, held on days start..end."""
    discussions = MeetingCase.objects.filter(
        meeting__status=MeetingStatus.HELD, meeting__kind__in_annual_tables=True,
        meeting__held_on__gte=start, meeting__held_on__lte=end,
    )
    return scoped(discussions, municipality=municipality, ward=ward, prefix="meeting__")


def discussions_in(*, municipality, fiscal_year: int, ward=None):
    start, end = fiscal_year_bounds(fiscal_year)
    return discussions_between(municipality=municipality, start=start, end=end, ward=ward)


def latest_fiscal_year_with_data(*, municipality, until: int) -> int | None:
    """The last fiscal year, up to `until`, with a meeting counted in the tables (None when there is none):
    the yearly page opens on it rather than on an empty year."""
    _start, end = fiscal_year_bounds(until)
    last = discussions_between(municipality=municipality, start=dt.date.min, end=end).aggregate(
        last=Max("meeting__held_on"))["last"]
    return fiscal_year(last) if last is not None else None


class Source:
    """What one municipality's tables are folded from, each loaded once however many tables are built: the
    counts of the years asked (reports.counts, cached) and the master rows that name their categories."""

    def __init__(self, municipality) -> None:
        self.municipality = municipality
        self._counts: dict[int, WardCounts] = {}
        self._masters: dict[type, dict[int, Any]] = {}
        self._wards: list | None = None

    def counts(self, years: Iterable[int]) -> dict[int, WardCounts]:
        missing = [year for year in years if year not in self._counts]
        if missing:
            self._counts.update(year_counts(municipality=self.municipality, years=missing))
        return {year: self._counts[year] for year in years}

    def masters(self, model) -> dict[int, Any]:
        """The municipality's and the national rows, in the master's order (sort_order, pk)."""
        if model not in self._masters:
            self._masters[model] = {obj.pk: obj for obj in model.objects.for_municipality(self.municipality)}
        return self._masters[model]

    def objects(self, model, pks) -> dict[int, Any]:
        """Rows by pk: from the masters, and any other the counts name (data written past the services)."""
        known = self.masters(model)
        found = {pk: known[pk] for pk in pks if pk in known}
        if len(found) < len(set(pks)):
            found.update({obj.pk: obj for obj in model.objects.filter(pk__in=set(pks) - set(found))})
            known.update(found)
        return found

    def wards(self) -> list:
        if self._wards is None:
            self._wards = list(Ward.objects.filter(municipality=self.municipality).order_by("sort_order", "pk"))
        return self._wards


def _rows(named: list, counts_by_year: dict, key: str, years: list[int]) -> list[dict]:
    """Named rows (label, ids), then その他 for every other id, then 計."""
    named_ids = {pk for _label, ids in named for pk in ids}
    rows = []
    for label, ids in named:
        rows.append({"label": label, "counts": {str(y): sum(counts_by_year[y][key].get(pk, 0) for pk in ids) for y in years}})
    rows.append({"label": OTHER, "counts": {
        str(y): sum(n for pk, n in counts_by_year[y][key].items() if pk not in named_ids) for y in years
    }})
    rows.append({"label": TOTAL, "counts": {str(y): sum(counts_by_year[y][key].values()) for y in years}})
    return rows


def _name(obj) -> str:
    return obj.name


def issue_label(category) -> str:
    """Seed 000 writes the issues that may be suspected as 「精神障がい（疑い含む）」."""
    return f"{category.name}（疑い含む）" if category.allows_suspected else category.name


def _named(model, names, source: Source, label=_name):
    """(label, [ids]) per name: the standard row and any of the municipality's own rows of that name."""
    objects = [obj for obj in source.masters(model).values() if obj.name in names]
    rows = []
    for name in names:
        matches = [obj for obj in objects if obj.name == name]
        rows.append((label(matches[0]) if matches else name, [obj.pk for obj in matches]))
    return rows


def _tables(counts: dict, columns: list, source: Source, layout: Layout) -> dict:
    """The five tables over `columns` (fiscal years, or ward ids), keyed by str(column)."""
    meetings = {str(c): counts[c]["meetings"] for c in columns}
    bases = _named(MeetingBasis, layout.basis, source)
    basis_rows = _rows(bases, counts, "basis", columns)
    # The basis table has no その他: any other basis used gets a row of its own before 計.
    other_basis = basis_rows.pop(-2)
    named_ids = {pk for _label, ids in bases for pk in ids}
    if any(other_basis["counts"].values()):
        extra = source.objects(MeetingBasis, {pk for c in columns for pk in counts[c]["basis"] if pk is not None} - named_ids)
        for basis in sorted(extra.values(), key=lambda basis: (basis.sort_order, basis.pk)):
            basis_rows.insert(-1, {"label": basis.name, "counts": {str(c): counts[c]["basis"].get(basis.pk, 0) for c in columns}})
        unknown = {str(c): counts[c]["basis"].get(None, 0) for c in columns}
        if any(unknown.values()):
            basis_rows.insert(-1, {"label": "不明", "counts": unknown})

    sv_rows = [
        {"label": "無", "counts": {str(c): counts[c]["sv"].get(False, 0) for c in columns}},
        {"label": "有", "counts": {str(c): counts[c]["sv"].get(True, 0) for c in columns}},
        {"label": TOTAL, "counts": meetings.copy()},
    ]
    referrers = _named(AgencyCategory, layout.referrer, source)
    referrer_rows = _rows(referrers, counts, "referrer", columns)
    for row in referrer_rows:
        row["percent"] = {str(c): ratio(row["counts"][str(c)] * 100, counts[c]["meetings"], 0) for c in columns}
    participants = _named(AgencyCategory, layout.participants, source)
    participant_rows = _rows(participants, counts, "participants", columns)
    issues = _named(IssueCategory, layout.issues, source, issue_label)
    issue_rows = _rows(issues, counts, "issues", columns)
    return {
        "meetings": meetings,
        "tables": {
            "basis": basis_rows,
            "sv": sv_rows,
            "referrer": referrer_rows,
            "participants": participant_rows,
            "participants_per_meeting": {
                str(c): ratio(participant_rows[-1]["counts"][str(c)], counts[c]["meetings"], 1) for c in columns
            },
            "issues": issue_rows,
            "issues_per_case": {str(c): ratio(issue_rows[-1]["counts"][str(c)], counts[c]["meetings"], 1) for c in columns},
        },
        "named": {"referrer": referrers, "participants": participants, "issues": issues},
    }


def _other_members(model, named, counts: dict, source: Source, label=_name) -> str:
    """What その他 held, most frequent first: the footnote when the layout gives none."""
    named_ids = {pk for _label, ids in named for pk in ids}
    others = {pk: n for pk, n in counts.items() if pk is not None and pk not in named_ids and n}
    objects = source.objects(model, list(others))
    names = [label(objects[pk]) for pk, _n in sorted(others.items(), key=lambda item: (-item[1], item[0]))]
    if counts.get(None):  # cases that came from the person or family, not an agency
        names.append("本人・家族")
    return "、".join(names[:6]) + ("等" if names else "")


def _source(municipality, source: Source | None) -> Source:
    if source is None:
        return Source(municipality)
    if source.municipality.pk != municipality.pk:
        raise ValueError("the source belongs to another municipality")
    return source


def annual_report(*, municipality, fiscal_year: int, compare: int | None = None, ward=None,
                  layout: Layout = DEFAULT_LAYOUT, source: Source | None = None) -> AnnualReport:
    """The report for `fiscal_year` against `compare` (default: the year before; never the same year).
    Pass the same `source` to the ward comparison of the same page: the years are then read once."""
    years = YearPair.of(fiscal_year, compare).years
    source = _source(municipality, source)
    by_ward = source.counts(years)
    counts = {y: (by_ward[y].get(ward.pk, empty()) if ward is not None else city(by_ward[y])) for y in years}
    computed = _tables(counts, years, source, layout)
    footnotes = dict(layout.footnotes)
    for key, model, label in (("referrer", AgencyCategory, _name), ("participants", AgencyCategory, _name),
                              ("issues", IssueCategory, issue_label)):
        if footnotes.get(f"{key}_other") is None:
            footnotes[f"{key}_other"] = _other_members(model, computed["named"][key], counts[fiscal_year][key], source, label)
    return AnnualReport(
        municipality=municipality.name, ward=ward.name if ward is not None else None, fiscal_years=years,
        labels={str(y): fiscal_year_label(y) for y in years}, meetings=computed["meetings"],
        tables=computed["tables"], footnotes=footnotes,
    )


def ward_comparison(*, municipality, fiscal_year: int, layout: Layout = DEFAULT_LAYOUT,
                    source: Source | None = None) -> WardComparison:
    """One row per ward for each table (the bureau's comparison), plus the city total; fixed queries."""
    source = _source(municipality, source)
    wards = source.wards()
    counts = source.counts([fiscal_year])[fiscal_year]
    columns = [ward.pk for ward in wards]
    computed = _tables({pk: counts.get(pk, empty()) for pk in columns}, columns, source, layout)
    tables = {}
    for key in ("basis", "sv", "referrer", "participants", "issues"):
        rows = computed["tables"][key]
        header = [row["label"] for row in rows]
        body = [{"ward": ward.name, "counts": [row["counts"][str(ward.pk)] for row in rows]} for ward in wards]
        total = [sum(line["counts"][i] for line in body) for i in range(len(header))]
        tables[key] = {"header": header, "rows": body, "total": total}
    return WardComparison(fiscal_year=fiscal_year, label=fiscal_year_label(fiscal_year), municipality=municipality.name,
                          meetings=[computed["meetings"][str(pk)] for pk in columns], tables=tables)
