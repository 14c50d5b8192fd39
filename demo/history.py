"""Four past years of 大阪市 for the demo (FY2019–FY2022), so the bureau's reports have real figures to show.

- The つながる場 of 令和元年度 and 令和2年度 reproduce seed 000's tables exactly
  (../shared/golden/osaka_tsunagaru_r1_r2.json): one case per meeting, each of its own fictitious household.
- April 2022 – January 2023 reproduces seed 001 (golden/osaka_activities_r4.json): its activity counts,
  1.61 times the consultations of the same months a year earlier, and about as many つながる場.

Everything is drawn from one random.Random with a fixed seed (never today's date), and written through the
bulk services of cases and meetings (`cases.services.bulk`, `meetings.bulk`): case numbers from
CaseNumberSequence, status changes, search keys and history rows as the single-object services leave them.
A recorded consent stands behind every meeting whose basis needs one. No audit events: this is demo history.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from faker import Faker

from accounts.models import User
from agencies.models import Agency, AgencyCategory, Ward
from cases.models import Case, CaseStatus, Consent, ConsentPurpose, Consultation, Household, IssueCategory
from cases.services.bulk import (
    CreatedHousehold,
    NewCase,
    NewCaseIssue,
    NewHousehold,
    case_bulk_create,
    household_bulk_create,
)
from core import wareki
from demo.people import fake_household
from meetings.bulk import HeldDiscussion, HeldMeeting, meeting_bulk_record
from meetings.models import Activity, ActivityKind, Confidentiality, Meeting, MeetingBasis, MeetingKind

SEED = 20190401
FAKER_SEED = 2020
# The last day of the demo's history; every case received up to it belongs to this module (living demo
# cases are dated relative to today).
HISTORY_UNTIL = dt.date(2023, 3, 31)
TSUNAGARU_BA = "つながる場"

# Seed 000, in its rows' order: (named counts…, その他). 開催根拠 and SV派遣 have no その他.
BASES = ("地域ケア会議", "支援会議", "本人同意（つながる場単独開催）", "要保護児童対策地域協議会",
         "地域ケア会議・要保護児童対策地域協議会の共催")
REFERRERS = ("地域包括支援センター", "生活困窮担当", "子ども・子育て担当", "見守り相談室", "生活保護担当")
PARTICIPANTS = ("地域包括支援センター", "高齢福祉担当", "生活困窮担当", "障がい者基幹相談支援センター", "生活保護担当")
ISSUES = ("精神障がい", "経済的困窮", "知的障がい", "病気・けが", "虐待関連", "ゴミ屋敷", "ひきこもり", "発達障がい",
          "認知症", "孤立")
SEED_000 = {
    2019: {"meetings": 158, "basis": (70, 38, 29, 20, 1), "sv": 74, "referrer": (53, 33, 3, 14, 10, 45),
           "participants": (96, 71, 79, 70, 55, 553), "issues": (94, 68, 52, 47, 35, 16, 40, 29, 37, 30, 368)},
    2020: {"meetings": 118, "basis": (58, 29, 16, 15, 0), "sv": 41, "referrer": (35, 17, 11, 8, 6, 41),
           "participants": (72, 63, 51, 51, 48, 444), "issues": (61, 42, 34, 31, 28, 25, 25, 21, 20, 19, 223)},
}
# How その他 divides among the other categories (weights in tenths): seed 000's footnotes name the largest.
REFERRER_OTHER = {"高齢福祉担当": 30, "障がい者基幹相談支援センター": 20, "学校教育機関": 10, "精神保健福祉相談員": 20,
                  "障がい福祉担当": 20, "福祉サービス事業所": 10}
PARTICIPANT_OTHER = {"見守り相談室": 20, "精神保健福祉相談員": 18, "障がい福祉担当": 18, "子ども・子育て担当": 16,
                     "社会福祉協議会": 14, "民生委員・児童委員": 10, "医療機関": 10, "保健センター": 8,
                     "福祉サービス事業所": 8, "学校教育機関": 6, "住まい相談窓口": 4, "ハローワーク": 4, "警察": 4}
ISSUE_OTHER = {"依存症": 16, "近隣住民とのトラブル": 16, "身体障がい": 16, "制度の狭間": 15, "自殺企図": 12,
               "ヤングケアラー": 9, "8050問題": 14, "ダブルケア": 7, "不登校": 7, "DV": 8, "多重債務": 10, "住まい": 10,
               "就労": 9, "言語・外国籍": 4}
# つながる場 per later fiscal year: (April–January, February–March). Seed 001: 「昨年度と同程度」.
LATER_YEARS = {2021: (92, 18), 2022: (95, 17)}
# Cases that never reached a つながる場 (consultation only), per fiscal year received.
CONSULTATION_ONLY_CASES = {2021: 70, 2022: 110}
# Consultations held April–January: 805 / 500 = 1.61 (seed 001).
CONSULTATION_WINDOWS = ((dt.date(2021, 4, 1), dt.date(2022, 1, 31), 500), (dt.date(2022, 4, 1), dt.date(2023, 1, 31), 805))

CHILD = ("要保護児童対策地域協議会", "地域ケア会議・要保護児童対策地域協議会の共催")
REFERRER_PREFERS = {"子ども・子育て担当": CHILD, "学校教育機関": CHILD,
                    "地域包括支援センター": ("地域ケア会議", CHILD[1]), "高齢福祉担当": ("地域ケア会議",)}
ISSUE_PREFERS = {
    "虐待関連": lambda m: m.basis in CHILD,
    "ヤングケアラー": lambda m: m.basis in CHILD or m.referrer in ("子ども・子育て担当", "学校教育機関"),
    "不登校": lambda m: m.referrer in ("子ども・子育て担当", "学校教育機関"),
    "認知症": lambda m: m.referrer in ("地域包括支援センター", "高齢福祉担当"),
    "8050問題": lambda m: m.referrer in ("地域包括支援センター", "高齢福祉担当"),
    "経済的困窮": lambda m: m.referrer in ("生活困窮担当", "生活保護担当"),
    "精神障がい": lambda m: m.referrer == "精神保健福祉相談員",
    "知的障がい": lambda m: m.referrer in ("障がい者基幹相談支援センター", "障がい福祉担当"),
}

CLOSING_REASONS = ("関係機関の役割分担が定まり、各機関による支援に移行した", "生活が安定し、地域の見守りに移行した",
                   "区外へ転居した", "施設に入所した", "入院し、医療機関の支援に移行した")
FOLLOW_UPS = (("phone", "本人に電話し、近況を聞き取った"), ("home_visit", "自宅を訪問し、生活の様子を確認した"),
              ("agency_contact", "関係機関と支援の状況を共有した"), ("visit", "来所され、手続きについて相談を受けた"),
              ("accompany", "通院に同行した"), ("email", "関係機関へ文書で情報提供した"))
INTAKE_METHOD = {"phone": "phone", "visit": "visit", "home_visit": "home_visit", "email": "email",
                 "outreach": "home_visit", "agency": "agency_contact"}

# Seed 001, April 2022 – January 2023: kind → (count, (count field, total, lowest, highest) or None).
ACTIVITIES_R4 = {
    ActivityKind.PUBLICITY: (349, None), ActivityKind.OUTREACH: (277, None),
    ActivityKind.LIAISON: (276, ("agency_count", 2151, 3, 14)),
    ActivityKind.CASE_REVIEW: (147, ("case_count", 1342, 3, 18)),
    ActivityKind.WARD_INITIATIVE: (109, ("agency_count", 629, 2, 11)),
}
ACTIVITIES_R3 = {
    ActivityKind.PUBLICITY: (298, None), ActivityKind.OUTREACH: (231, None),
    ActivityKind.LIAISON: (241, ("agency_count", 1790, 3, 14)),
    ActivityKind.CASE_REVIEW: (118, ("case_count", 1010, 3, 18)),
    ActivityKind.WARD_INITIATIVE: (84, ("agency_count", 470, 2, 11)),
}
ACTIVITY_TITLES = {
    ActivityKind.LIAISON: ("地域福祉活動コーディネーター、サポーター、見守り推進員等連絡会", "地域包括支援センター運営協議会",
                           "障がい者自立支援協議会", "見守りNW強化会議", "ヘルパー事業所連絡会"),
    ActivityKind.CASE_REVIEW: ("支援調整会議", "生活困窮者支援会議（生困シェア会議）", "地域ケア会議", "要保護児童対策協議会",
                               "特定妊婦連絡会"),
    ActivityKind.WARD_INITIATIVE: ("包括いきいき連絡会議", "こどもの居場所連絡会", "社協との定例会議", "地域福祉調整会議",
                                   "地域会館での連携会議"),
}
# Seed 001 §3 (main training themes) and §2 (tools), with the ward that held each; None: any ward.
TRAININGS_R4 = (("つながる場におけるヤングケアラー支援について", None, 45),
                ("障がい福祉と介護保険つながる学習会", None, 60),
                ("「社会的つながりが希薄な世帯」への支援に向けて複数の課題を抱えた世帯へのアプローチと連携について", None, 38),
                ("精神疾患？の方のいる世帯への包括的支援（旭・城東・鶴見の3区合同研修会）", "旭区", 72),
                ("区職員の「気づき」「感度の向上」のためのe-ラーニング", None, 180),
                ("支援拒否事例へのアプローチ", None, 34),
                ("地域福祉計画の重要性や意義", None, 28))
TRAININGS_R3 = (("複合的な課題を抱える世帯への支援の基礎", None, 40), ("8050問題の理解と支援", None, 52),
                ("相談支援機関の役割を知る交流会", None, 36))
TOOLS_R4 = (("住之江区事例確認シート", "住之江区"), ("淀川区夢ちゃんワンチーム", "淀川区"),
            ("中央区相談先早わかりシート", "中央区"), ("旭区コアメンバー会議（ツール検討）", "旭区"))
TOOLS_R3 = (("相談支援機関マップ", "東成区"),)


@dataclass
class Plan:
    """One case of the history, and the つながる場 that discussed it (if any)."""

    ward: Ward
    received_on: dt.date
    referrer: str | None
    issues: list = field(default_factory=list)
    day: dt.date | None = None  # the つながる場; None: a consultation-only case
    basis: str = ""
    sv: bool = False
    participants: list = field(default_factory=list)
    ends_on: dt.date | None = None
    closed: bool = True
    consultations: list = field(default_factory=list)  # dates


def history_cases(queryset=None):
    """The cases this module creates (for tests and steps that must tell them from the living demo)."""
    return (queryset if queryset is not None else Case.all_objects).filter(received_on__lte=HISTORY_UNTIL)


def seed_history(municipality) -> dict | None:
    """Creates the past years once: None when they are there already. The case work (checked by the
    つながる場 of FY2019) and the activities (checked by April 2022 – January 2023) are checked apart."""
    kind = MeetingKind.objects.get(municipality=None, name=TSUNAGARU_BA)
    wards = list(Ward.objects.filter(municipality=municipality).order_by("sort_order", "pk"))
    created = {"meetings": 0, "cases": 0, "consultations": 0, "activities": 0}
    if not Meeting.all_objects.filter(
        municipality=municipality, kind=kind, held_on__range=wareki.fiscal_year_bounds(2019)
    ).exists():
        created.update(_casework(random.Random(SEED), municipality, kind, wards))
    start, end, _target = CONSULTATION_WINDOWS[-1]
    if not Activity.all_objects.filter(municipality=municipality, held_on__range=(start, end)).exists():
        created["activities"] = _activities(random.Random(SEED + 1), municipality, wards)
    if any(created.values()):
        # Thousands of rows arrived in bulk: refresh the planner's statistics, or the next queries on these
        # tables plan for empty ones (seen as minute-long nested loops in tests).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return created
    return None


def _casework(rng, municipality, kind, wards) -> dict:
    plans = []
    for fy, numbers in SEED_000.items():
        days = _days(rng, *wareki.fiscal_year_bounds(fy), numbers["meetings"])
        plans += _plan_meetings(rng, _targets(numbers), days, wards)
    for fy, (in_window, after) in LATER_YEARS.items():
        days = _days(rng, dt.date(fy, 4, 1), dt.date(fy + 1, 1, 31), in_window)
        days += _days(rng, dt.date(fy + 1, 2, 1), dt.date(fy + 1, 3, 31), after)
        plans += _plan_meetings(rng, _scaled(SEED_000[2020], in_window + after), days, wards)
    for fy, count in CONSULTATION_ONLY_CASES.items():
        plans += _consultation_only(rng, fy, count, wards)
    plans.sort(key=lambda p: (p.received_on, p.ward.sort_order))
    for plan in plans:
        _close_and_consult(rng, plan)
    _exact_windows(rng, plans)
    return _write(rng, municipality, kind, plans)


# -------------------------------------------------------------------------------------------- targets


def _apportion(total: int, weights: dict) -> dict:
    """Integer counts in proportion to integer weights, summing to total (largest remainder)."""
    whole = sum(weights.values())
    counts = {name: total * w // whole for name, w in weights.items()}
    order = sorted(weights, key=lambda name: -(total * weights[name] % whole))  # stable: ties keep list order
    for name in order[: total - sum(counts.values())]:
        counts[name] += 1
    return counts


def _targets(numbers: dict) -> dict:
    def named(names, values, other):
        return {**dict(zip(names, values[:-1], strict=True)), **_apportion(values[-1], other)}

    return {
        "meetings": numbers["meetings"], "basis": dict(zip(BASES, numbers["basis"], strict=True)), "sv": numbers["sv"],
        "referrer": named(REFERRERS, numbers["referrer"], REFERRER_OTHER),
        "participants": named(PARTICIPANTS, numbers["participants"], PARTICIPANT_OTHER),
        "issues": named(ISSUES, numbers["issues"], ISSUE_OTHER),
    }


def _scaled(numbers: dict, meetings: int) -> dict:
    """A later year shaped like `numbers` (seed 000's R2) with `meetings` meetings."""
    def scale(values):  # named rows at most one per meeting; その他 (last) is a total over several categories
        scaled = [round(v * meetings / numbers["meetings"]) for v in values]
        return tuple(min(meetings, v) for v in scaled[:-1]) + (scaled[-1],)

    return _targets({
        "meetings": meetings, "basis": tuple(_apportion(meetings, dict(enumerate(numbers["basis"]))).values()),
        "sv": round(numbers["sv"] * meetings / numbers["meetings"]),
        "referrer": tuple(_apportion(meetings, dict(enumerate(numbers["referrer"]))).values()),
        "participants": scale(numbers["participants"]), "issues": scale(numbers["issues"]),
    })


# ---------------------------------------------------------------------------------------------- plans


def _days(rng, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    weekdays = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    weekdays = [day for day in weekdays if day.weekday() < 5]
    return sorted(rng.choice(weekdays) for _ in range(count))


def _plan_meetings(rng, targets: dict, days: list, wards: list) -> list[Plan]:
    count = targets["meetings"]
    ward_cycle = (wards * (count // len(wards) + 1))[:count]
    rng.shuffle(ward_cycle)
    bases = [name for name, n in targets["basis"].items() for _ in range(n)]
    rng.shuffle(bases)
    plans = [Plan(ward=ward, received_on=day - dt.timedelta(days=rng.randint(14, 120)), referrer=None, day=day, basis=basis)
             for day, ward, basis in zip(days, ward_cycle, bases, strict=True)]
    # 相談のあった機関: one per case, the child-protection referrers to the 要対協 meetings first.
    unassigned = list(plans)
    referrers = sorted(targets["referrer"].items(), key=lambda item: item[0] not in REFERRER_PREFERS)
    for name, n in referrers:
        preferred = REFERRER_PREFERS.get(name, ())
        unassigned.sort(key=lambda p: (p.basis not in preferred, rng.random()))
        for plan in unassigned[:n]:
            plan.referrer = name
        unassigned = unassigned[n:]
    assert not unassigned, "referrer counts must add up to the meetings"
    _spread(rng, plans, targets["participants"], "participants", lambda plan, name: plan.referrer == name)
    _spread(rng, plans, targets["issues"], "issues", lambda plan, name: name in ISSUE_PREFERS and ISSUE_PREFERS[name](plan))
    # SV goes to the heaviest cases.
    for plan in sorted(plans, key=lambda p: -(len(p.issues) + rng.random() * 3))[: targets["sv"]]:
        plan.sv = True
    return plans


def _spread(rng, plans: list, counts: dict, attr: str, prefer) -> None:
    """Gives each name to exactly counts[name] distinct plans, preferred ones first, then the least loaded."""
    for name, n in sorted(counts.items(), key=lambda item: -item[1]):
        if n > len(plans):
            raise ValueError(f"{name}: {n} > {len(plans)} meetings")
        ranked = sorted(plans, key=lambda p: (not prefer(p, name), len(getattr(p, attr)) + rng.random() * 4))
        for plan in ranked[:n]:
            getattr(plan, attr).append(name)


def _consultation_only(rng, fy: int, count: int, wards: list) -> list[Plan]:
    names = list(ISSUES) + list(ISSUE_OTHER)
    referrers = list(REFERRERS) + list(REFERRER_OTHER)
    plans = []
    for day in _days(rng, *wareki.fiscal_year_bounds(fy), count):
        referrer = rng.choice(referrers) if rng.random() < 0.5 else None
        plans.append(Plan(ward=rng.choice(wards), received_on=day, referrer=referrer,
                          issues=rng.sample(names, rng.randint(1, 4))))
    return plans


def _close_and_consult(rng, plan: Plan) -> None:
    """Closed (or contact lost) some months after the meeting; consultations from intake to the end."""
    last = plan.day or plan.received_on
    plan.closed = rng.random() < 0.9
    plan.ends_on = last + dt.timedelta(days=rng.randint(20, 300))
    span = (plan.ends_on - plan.received_on).days
    follow_ups = rng.randint(1, 4) if plan.day else rng.randint(0, 3)
    plan.consultations = [plan.received_on] + [plan.received_on + dt.timedelta(days=rng.randint(1, span))
                                               for _ in range(follow_ups)]


def _exact_windows(rng, plans: list) -> None:
    """Seed 001's 相談件数: drop or add follow-ups so each April–January window holds its exact count."""
    for start, end, target in CONSULTATION_WINDOWS:
        inside = [(plan, i) for plan in plans for i, day in enumerate(plan.consultations) if i and start <= day <= end]
        intakes = sum(1 for plan in plans if start <= plan.received_on <= end)
        excess = len(inside) + intakes - target
        if excess > 0:
            for plan, i in sorted(rng.sample(inside, excess), key=lambda item: -item[1]):
                del plan.consultations[i]
        active = [plan for plan in plans if plan.received_on <= end and plan.ends_on >= start]
        for _ in range(max(0, -excess)):
            plan = rng.choice(active)
            first, last = max(start, plan.received_on + dt.timedelta(days=1)), min(end, plan.ends_on)
            if first > last:
                first = last = max(start, plan.received_on)
            plan.consultations.append(first + dt.timedelta(days=rng.randint(0, (last - first).days)))


# ---------------------------------------------------------------------------------------------- writes


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


@dataclass
class Setting:
    """Who and what the demo's past years are written with."""

    municipality: object
    kind: object
    fake: Faker
    kita: User
    nishinari: User
    supervisor: User
    categories: dict
    issue_categories: dict
    bases: dict
    agencies: dict

    def staff(self, ward):  # the demo has two coordinators; each keeps the records of half the city
        return self.home(ward) or (self.kita if ward.sort_order <= 12 else self.nishinari)

    def home(self, ward):
        return {"北区": self.kita, "西成区": self.nishinari}.get(ward.name)

    def agency(self, ward, name):
        return self.agencies[(ward.pk, self.categories[name].pk)]


def _cast(municipality, kind) -> Setting:
    fake = Faker("ja_JP")
    fake.seed_instance(FAKER_SEED)  # not Faker.seed(): that reseeds every Faker in the process
    users = {user.username: user for user in User.objects.filter(
        username__in=["kita_coordinator", "nishinari_coordinator", "supervisor"])}
    return Setting(
        municipality=municipality, kind=kind, fake=fake, kita=users["kita_coordinator"],
        nishinari=users["nishinari_coordinator"], supervisor=users["supervisor"],
        categories={c.name: c for c in AgencyCategory.objects.filter(municipality=None)},
        issue_categories={c.name: c for c in IssueCategory.objects.filter(municipality=None)},
        bases={b.name: b for b in MeetingBasis.objects.filter(municipality=None)},
        agencies={(a.ward_id, a.category_id): a
                  for a in Agency.objects.filter(municipality=municipality, ward__isnull=False, is_active=True)},
    )


def _write(rng, municipality, kind, plans: list[Plan]) -> dict:
    """Households, cases, meetings and consultations of the plans, through the bulk services of cases and
    meetings (the rules and history rows of the single-object services), then dated as they happened."""
    cast = _cast(municipality, kind)
    households = _households(rng, cast, plans)
    cases, consents, suspected = _cases(rng, cast, plans, households)
    meetings = _meetings(rng, cast, plans, cases, consents, suspected)
    consultations = _consultations(rng, plans, cases)
    _backdate(cases, households, meetings)
    return {"meetings": len(meetings), "cases": len(cases), "consultations": consultations}


def _households(rng, cast: Setting, plans: list[Plan]) -> list[CreatedHousehold]:
    specs = []
    for plan in plans:
        data, people = fake_household(cast.fake, plan.ward.name)
        specs.append(NewHousehold(ward=plan.ward, members=people[: rng.randint(1, 2)], **data))
    return household_bulk_create(user=None, municipality=cast.municipality, households=specs)


def _cases(rng, cast: Setting, plans: list[Plan], households: list[CreatedHousehold]) -> tuple[list, dict, dict]:
    """The cases (closed or suspended) with their issues; the consent behind each meeting that needs one."""
    specs, consents, suspected = [], {}, {}
    for plan, household in zip(plans, households, strict=True):
        people = household.members
        channel = "agency" if plan.referrer else rng.choice(["phone", "phone", "visit", "home_visit", "outreach", "email"])
        author = cast.staff(plan.ward)
        named = "、".join(plan.issues[:3])
        summary = (f"{plan.referrer}から相談。{named}など複数の課題を抱える世帯。" if plan.referrer
                   else f"本人・家族から相談。{named}について。")
        reason = rng.choice(CLOSING_REASONS) if plan.closed else "本人と連絡が取れなくなった"
        issues = []
        for name in plan.issues:
            category = cast.issue_categories[name]
            suspected[(id(plan), name)] = category.allows_suspected and rng.random() < 0.35
            issues.append(NewCaseIssue(category, suspected[(id(plan), name)], people[0] if rng.random() < 0.5 else None))
        if plan.day and cast.bases[plan.basis].requires_consent:
            obtained = max(plan.received_on, plan.day - dt.timedelta(days=rng.randint(3, 21)))
            consents[id(plan)] = Consent(member=people[0], purpose=ConsentPurpose.MEETING, all_agencies=True,
                                         obtained_on=obtained, obtained_by=author, method=rng.choice(["written", "oral"]))
        specs.append(NewCase(
            household=household.household, received_on=plan.received_on, intake_channel=channel, created_by=author,
            referring_category=cast.categories[plan.referrer] if plan.referrer else None,
            referring_agency=cast.agency(plan.ward, plan.referrer) if plan.referrer else None,
            lead=cast.home(plan.ward), is_difficult=len(plan.issues) >= 6, summary=summary,
            opened_at=_aware(plan.received_on, 9, 30), status=CaseStatus.CLOSED if plan.closed else CaseStatus.SUSPENDED,
            ended_at=_aware(plan.ends_on, 17), closed_on=plan.ends_on, reason=reason, issues=issues,
            supervisors=[cast.supervisor] if plan.sv else []))
    cases = case_bulk_create(user=None, municipality=cast.municipality, cases=specs)
    Consent.objects.bulk_create(consents.values(), batch_size=1000)
    return cases, consents, suspected


def _meetings(rng, cast: Setting, plans: list[Plan], cases: list, consents: dict, suspected: dict) -> list:
    """The つながる場 of the plans that had one, with who came and what was discussed."""
    specs = []
    for plan, case in zip(plans, cases, strict=True):
        if not plan.day:
            continue
        basis = cast.bases[plan.basis]
        starts = _aware(plan.day, rng.choice([10, 13, 14, 15]), rng.choice([0, 30]))
        convener = cast.home(plan.ward) or cast.supervisor
        present = [cast.agency(plan.ward, name) for name in plan.participants]
        links = [(a, True, True) for a in present]
        absent = [name for name in PARTICIPANT_OTHER if name not in plan.participants]
        ends = starts + dt.timedelta(minutes=rng.choice([60, 90, 120]))
        if rng.random() < 0.15 and absent:
            links.append((cast.agency(plan.ward, rng.choice(absent)), True, False))
        confidentiality = Confidentiality.STATUTORY if basis.statutory_confidentiality else Confidentiality.AGREEMENT
        coordinator = cast.home(plan.ward)
        staff_present = [(coordinator.get_full_name() if coordinator else cast.fake.name(), None,
                          f"{plan.ward.name}保健福祉センター", True)]
        staff_present += [(cast.fake.name(), a, "", False) for a in present[:3]]
        if plan.sv:
            staff_present.append((cast.supervisor.get_full_name(), None, "スーパーバイザー", False))
        specs.append(HeldMeeting(
            ward=plan.ward, kind=cast.kind, basis=basis, starts_at=starts, ends_at=ends, convener=convener,
            place=f"{plan.ward.name}保健福祉センター 会議室", sv_dispatched=plan.sv,
            supervisor=cast.supervisor if plan.sv else None, decisions="各機関の役割分担と支援の方針を確認した。",
            agencies=links,
            attendees=[{"name": name, "agency": a, "affiliation": affiliation, "is_internal": internal,
                        "confidentiality": confidentiality} for name, a, affiliation, internal in staff_present],
            discussions=[HeldDiscussion(
                case_id=case.pk, consent=consents.get(id(plan)),
                note=f"{'、'.join(plan.participants[:3])}等で支援の方針と役割分担を協議した。",
                issues=[(cast.issue_categories[name], suspected[(id(plan), name)]) for name in plan.issues])],
        ))
    return meeting_bulk_record(user=None, municipality=cast.municipality, meetings=specs)


def _consultations(rng, plans: list[Plan], cases: list) -> int:
    consultations = []
    for plan, case in zip(plans, cases, strict=True):
        for position, day in enumerate(sorted(plan.consultations)):
            method, summary = (INTAKE_METHOD[case.intake_channel], case.summary) if position == 0 else rng.choice(FOLLOW_UPS)
            consultations.append(Consultation(
                case=case, held_at=_aware(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45])), method=method,
                staff=case.created_by, summary=summary, minutes=rng.randrange(10, 95, 5),
            ))
    Consultation.objects.bulk_create(consultations, batch_size=1000)
    return len(consultations)


def _backdate(cases: list, households: list[CreatedHousehold], meetings: list) -> None:
    """登録日時 as it would have been, so lists ordered by it put the living demo first."""
    case_ids = [case.pk for case in cases]
    Case.all_objects.filter(pk__in=case_ids).update(
        created_at=Cast("received_on", DateTimeField()), updated_at=F("status_changed_at"))
    Household.all_objects.filter(pk__in=[h.household.pk for h in households]).update(
        created_at=Subquery(Case.all_objects.filter(household=OuterRef("pk")).values("created_at")[:1]),
        updated_at=Subquery(Case.all_objects.filter(household=OuterRef("pk")).values("updated_at")[:1]))
    Meeting.all_objects.filter(pk__in=[m.pk for m in meetings]).update(
        created_at=F("starts_at") - dt.timedelta(days=14), updated_at=F("ends_at"))
    Consultation.objects.filter(case_id__in=case_ids).update(created_at=F("held_at"))


def _activities(rng, municipality, wards: list) -> int:
    """Seed 001's activity counts for April 2022 – January 2023, the year before, and the Februaries–Marches."""
    users = {u.username: u for u in User.objects.filter(username__in=["kita_coordinator", "nishinari_coordinator"])}
    by_ward = {}
    for agency in Agency.objects.filter(municipality=municipality, ward__isnull=False, is_active=True).order_by("pk"):
        by_ward.setdefault(agency.ward_id, []).append(agency)
    wards_by_name = {ward.name: ward for ward in wards}

    def author(ward):
        return users["kita_coordinator" if ward.sort_order <= 12 else "nishinari_coordinator"]

    def two_months(counts):
        return {kind: (round(n / 5), extra and (extra[0], round(extra[1] / 5), extra[2], extra[3]))
                for kind, (n, extra) in counts.items()}

    periods = [
        (dt.date(2021, 4, 1), dt.date(2022, 1, 31), ACTIVITIES_R3, TRAININGS_R3, TOOLS_R3),
        (dt.date(2022, 2, 1), dt.date(2022, 3, 31), two_months(ACTIVITIES_R3), (), ()),
        (dt.date(2022, 4, 1), dt.date(2023, 1, 31), ACTIVITIES_R4, TRAININGS_R4, TOOLS_R4),
        (dt.date(2023, 2, 1), dt.date(2023, 3, 31), two_months(ACTIVITIES_R4), (), ()),
    ]
    activities, reached = [], []
    for start, end, counts, trainings, tools in periods:
        for kind, (n, extra) in counts.items():
            values = _summing_to(rng, n, *extra[1:]) if extra else [None] * n
            for day, value in zip(_days(rng, start, end, n), values, strict=True):
                ward = rng.choice(wards)
                activity = Activity(municipality=municipality, ward=ward, kind=kind, held_on=day, created_by=author(ward))
                if extra:
                    setattr(activity, extra[0], value)
                    activity.title = rng.choice(ACTIVITY_TITLES[kind])
                else:  # 事業周知 / アウトリーチ: one agency visited
                    target = rng.choice(by_ward[ward.pk])
                    activity.agency_count = 1
                    activity.title = f"{target.name}への{'事業周知' if kind == ActivityKind.PUBLICITY else '状況確認'}"
                    reached.append((activity, target))
                activities.append(activity)
        for title, ward_name, participants in trainings:
            ward = wards_by_name[ward_name] if ward_name else rng.choice(wards)
            activities.append(Activity(municipality=municipality, ward=ward, kind=ActivityKind.TRAINING, title=title,
                                       held_on=_days(rng, start, end, 1)[0], participant_count=participants,
                                       created_by=author(ward)))
        for title, ward_name in tools:
            ward = wards_by_name[ward_name]
            activities.append(Activity(municipality=municipality, ward=ward, kind=ActivityKind.TOOL, title=title,
                                       held_on=_days(rng, start, end, 1)[0], created_by=author(ward)))
    Activity.all_objects.bulk_create(activities, batch_size=1000)
    Activity.agencies.through.objects.bulk_create(
        [Activity.agencies.through(activity_id=a.pk, agency_id=agency.pk) for a, agency in reached], batch_size=1000)
    Activity.all_objects.filter(pk__in=[a.pk for a in activities]).update(created_at=Cast("held_on", DateTimeField()))
    return len(activities)


def _summing_to(rng, count: int, total: int, lowest: int, highest: int) -> list[int]:
    """`count` random integers in [lowest, highest] that add up to `total` exactly."""
    if not lowest * count <= total <= highest * count:
        raise ValueError(f"{total} cannot be split into {count} values in {lowest}..{highest}")
    values = [rng.randint(lowest, highest) for _ in range(count)]
    step = 1 if total > sum(values) else -1
    while sum(values) != total:
        i = rng.randrange(count)
        if lowest <= values[i] + step <= highest:
            values[i] += step
    return values
