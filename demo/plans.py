"""The demo's past years as plans: how many meetings, which bases, referrers, participants and issues,
so that the tables of seeds 000 and 001 come out exactly. Nothing here writes."""

import datetime as dt
from dataclasses import dataclass, field

from agencies.models import Ward
from core import wareki
from meetings.models import ActivityKind

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


# -------------------------------------------------------------------------------------------- targets


def _apportion(total: int, weights: dict) -> dict:
    """Integer counts in proportion to integer weights, summing to total (largest remainder)."""
    whole = sum(weights.values())
    counts = {name: total * w // whole for name, w in weights.items()}
    order = sorted(weights, key=lambda name: -(total * weights[name] % whole))  # stable: ties keep list order
    for name in order[: total - sum(counts.values())]:
        counts[name] += 1
    return counts


def targets(numbers: dict) -> dict:
    def named(names, values, other):
        return {**dict(zip(names, values[:-1], strict=True)), **_apportion(values[-1], other)}

    return {
        "meetings": numbers["meetings"], "basis": dict(zip(BASES, numbers["basis"], strict=True)), "sv": numbers["sv"],
        "referrer": named(REFERRERS, numbers["referrer"], REFERRER_OTHER),
        "participants": named(PARTICIPANTS, numbers["participants"], PARTICIPANT_OTHER),
        "issues": named(ISSUES, numbers["issues"], ISSUE_OTHER),
    }


def scaled(numbers: dict, meetings: int) -> dict:
    """A later year shaped like `numbers` (seed 000's R2) with `meetings` meetings."""
    def scale(values):  # named rows at most one per meeting; その他 (last) is a total over several categories
        scaled = [round(v * meetings / numbers["meetings"]) for v in values]
        return tuple(min(meetings, v) for v in scaled[:-1]) + (scaled[-1],)

    return targets({
        "meetings": meetings, "basis": tuple(_apportion(meetings, dict(enumerate(numbers["basis"]))).values()),
        "sv": round(numbers["sv"] * meetings / numbers["meetings"]),
        "referrer": tuple(_apportion(meetings, dict(enumerate(numbers["referrer"]))).values()),
        "participants": scale(numbers["participants"]), "issues": scale(numbers["issues"]),
    })


# ---------------------------------------------------------------------------------------------- plans


def days_between(rng, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    weekdays = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    weekdays = [day for day in weekdays if day.weekday() < 5]
    return sorted(rng.choice(weekdays) for _ in range(count))


def plan_meetings(rng, targets: dict, days: list, wards: list) -> list[Plan]:
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


def consultation_only(rng, fy: int, count: int, wards: list) -> list[Plan]:
    names = list(ISSUES) + list(ISSUE_OTHER)
    referrers = list(REFERRERS) + list(REFERRER_OTHER)
    plans = []
    for day in days_between(rng, *wareki.fiscal_year_bounds(fy), count):
        referrer = rng.choice(referrers) if rng.random() < 0.5 else None
        plans.append(Plan(ward=rng.choice(wards), received_on=day, referrer=referrer,
                          issues=rng.sample(names, rng.randint(1, 4))))
    return plans


def close_and_consult(rng, plan: Plan) -> None:
    """Closed (or contact lost) some months after the meeting; consultations from intake to the end."""
    last = plan.day or plan.received_on
    plan.closed = rng.random() < 0.9
    plan.ends_on = last + dt.timedelta(days=rng.randint(20, 300))
    span = (plan.ends_on - plan.received_on).days
    follow_ups = rng.randint(1, 4) if plan.day else rng.randint(0, 3)
    plan.consultations = [plan.received_on] + [plan.received_on + dt.timedelta(days=rng.randint(1, span))
                                               for _ in range(follow_ups)]


def exact_windows(rng, plans: list) -> None:
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


