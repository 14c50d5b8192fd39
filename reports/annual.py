"""The yearly つながる場 tables of seed 000 (DOMAIN.md §6): one computation behind every output.

The unit is a case discussed at a つながる場 held (「1回の開催＝1事例」): a meeting that discussed two
cases counts twice. Only meetings of a kind marked 「年次集計の対象」 count. The number of queries is
fixed: it does not grow with the number of meetings.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from agencies.models import AgencyCategory
from cases.models import IssueCategory
from core.wareki import fiscal_year_bounds, fiscal_year_label
from meetings.models import MeetingAgency, MeetingBasis, MeetingCase, MeetingCaseIssue, MeetingStatus

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


def half_up(value: Decimal | float, places: int = 0):
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def ratio(numerator: int, denominator: int, places: int):
    if not denominator:
        return 0 if places == 0 else 0.0
    return half_up(Decimal(numerator) / Decimal(denominator), places)


def discussions_in(*, municipality, fiscal_year: int, ward=None):
    start, end = fiscal_year_bounds(fiscal_year)
    discussions = MeetingCase.objects.filter(
        meeting__municipality=municipality, meeting__status=MeetingStatus.HELD, meeting__kind__in_annual_tables=True,
        meeting__held_on__gte=start, meeting__held_on__lte=end,
    )
    if ward is not None:
        discussions = discussions.filter(meeting__ward=ward)
    return discussions


def _year_counts(*, municipality, fiscal_year, ward) -> dict:
    discussions = discussions_in(municipality=municipality, fiscal_year=fiscal_year, ward=ward)
    ids = discussions.values("pk")
    by = {}
    by["meetings"] = discussions.count()
    by["basis"] = dict(discussions.values_list("meeting__basis_id").annotate(n=Count("pk")))
    by["sv"] = dict(discussions.values_list("meeting__sv_dispatched").annotate(n=Count("pk")))
    by["referrer"] = dict(discussions.values_list("case__referring_category_id").annotate(n=Count("pk")))
    by["participants"] = dict(
        MeetingAgency.objects.filter(attended=True, meeting__discussions__in=ids)
        .values_list("agency__category_id").annotate(n=Count("pk"))
    )
    by["issues"] = dict(
        MeetingCaseIssue.objects.filter(discussion__in=ids).values_list("category_id").annotate(n=Count("pk"))
    )
    return by


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


def _named(model, names, municipality, label=lambda obj: obj.name):
    """(label, [ids]) per name: the standard row and any of the municipality's own rows of that name."""
    objects = list(model.objects.for_municipality(municipality).filter(name__in=names))
    rows = []
    for name in names:
        matches = [obj for obj in objects if obj.name == name]
        rows.append((label(matches[0]) if matches else name, [obj.pk for obj in matches]))
    return rows


def annual_report(*, municipality, fiscal_year: int, compare: int | None = None, ward=None,
                  layout: Layout = DEFAULT_LAYOUT) -> dict:
    """The report JSON of DOMAIN.md §6 for `fiscal_year` against `compare` (default: the year before)."""
    compare = fiscal_year - 1 if compare is None else compare
    years = [fiscal_year, compare]
    counts = {y: _year_counts(municipality=municipality, fiscal_year=y, ward=ward) for y in years}
    meetings = {str(y): counts[y]["meetings"] for y in years}

    bases = _named(MeetingBasis, layout.basis, municipality)
    basis_rows = _rows(bases, counts, "basis", years)
    # The basis table has no その他: any other basis used gets a row of its own before 計.
    other_basis = basis_rows.pop(-2)
    named_ids = {pk for _label, ids in bases for pk in ids}
    if any(other_basis["counts"].values()):
        extra = MeetingBasis.objects.filter(pk__in={pk for y in years for pk in counts[y]["basis"]} - named_ids)
        for basis in extra.order_by("sort_order", "pk"):
            basis_rows.insert(-1, {"label": basis.name, "counts": {str(y): counts[y]["basis"].get(basis.pk, 0) for y in years}})
        unknown = {str(y): counts[y]["basis"].get(None, 0) for y in years}
        if any(unknown.values()):
            basis_rows.insert(-1, {"label": "不明", "counts": unknown})

    sv_rows = [
        {"label": "無", "counts": {str(y): counts[y]["sv"].get(False, 0) for y in years}},
        {"label": "有", "counts": {str(y): counts[y]["sv"].get(True, 0) for y in years}},
        {"label": TOTAL, "counts": meetings.copy()},
    ]

    referrer_rows = _rows(_named(AgencyCategory, layout.referrer, municipality), counts, "referrer", years)
    for row in referrer_rows:
        row["percent"] = {str(y): ratio(row["counts"][str(y)] * 100, counts[y]["meetings"], 0) for y in years}

    participant_rows = _rows(_named(AgencyCategory, layout.participants, municipality), counts, "participants", years)
    issue_label = lambda c: f"{c.name}（疑い含む）" if c.allows_suspected else c.name  # noqa: E731
    issue_rows = _rows(_named(IssueCategory, layout.issues, municipality, issue_label), counts, "issues", years)

    return {
        "municipality": municipality.name,
        "ward": ward.name if ward is not None else None,
        "fiscal_years": years,
        "labels": {str(y): fiscal_year_label(y) for y in years},
        "meetings": meetings,
        "tables": {
            "basis": basis_rows,
            "sv": sv_rows,
            "referrer": referrer_rows,
            "participants": participant_rows,
            "participants_per_meeting": {
                str(y): ratio(participant_rows[-1]["counts"][str(y)], counts[y]["meetings"], 1) for y in years
            },
            "issues": issue_rows,
            "issues_per_case": {str(y): ratio(issue_rows[-1]["counts"][str(y)], counts[y]["meetings"], 1) for y in years},
        },
        "footnotes": dict(layout.footnotes),
    }
