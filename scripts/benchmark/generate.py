"""The bench city: masters through the product's own set-up, then every volume table by INSERT … SELECT over
generate_series (the rows never pass through Python), ids given explicitly so that rows can point at each other by
arithmetic. "Random" choices are hashes of the row number (PostgreSQL's hashint8): the same city every run.

Values the product derives in Python (search keys, case numbers) come from the product's own functions: the
names are built from a small vocabulary whose normalised forms are checked against cases' normalisers, and
case numbers are reserved through cases.services (which also moves the numbering on, so a new case after the
bench gets the next number). The audit trail is chained in Python exactly as audit.chain does it (same HMAC,
same canonical form) continuing the city's chain from its head, written by COPY, and the head is moved to the
last event, so `verify_audit` passes and the next real event chains on.
"""

import datetime as dt
import io
import json
import re
import time
from dataclasses import dataclass

from django.db import connection, transaction

WARDS = ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区", "西淀川区", "淀川区",
         "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"]
YEARS = list(range(2016, 2026))
SURNAMES = [("山田", "やまだ"), ("田中", "たなか"), ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"),
            ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
            ("吉田", "よしだ"), ("松本", "まつもと"), ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"),
            ("清水", "しみず"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("石川", "いしかわ")]
GIVEN = [("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("幸子", "さちこ"), ("健", "けん"),
         ("美和", "みわ"), ("誠", "まこと"), ("裕子", "ゆうこ"), ("翔", "しょう"), ("直美", "なおみ"),
         ("修", "おさむ"), ("恵子", "けいこ"), ("大輔", "だいすけ"), ("陽子", "ようこ"), ("茂", "しげる"),
         ("久美子", "くみこ"), ("進", "すすむ"), ("明美", "あけみ"), ("勝", "まさる"), ("千尋", "ちひろ")]


@dataclass(frozen=True)
class Scale:
    name: str
    households_per_ward: int
    cases_per_ward_year: int
    consultations: int
    meetings: int
    referrals: int
    audit_events: int
    activities: int

    @property
    def households(self) -> int:
        return 24 * self.households_per_ward

    @property
    def cases(self) -> int:
        return 24 * len(YEARS) * self.cases_per_ward_year


SCALES = {
    "city": Scale("city", 8334, 1250, 1_000_000, 60_000, 100_000, 500_000, 12_000),
    "small": Scale("small", 84, 13, 10_000, 600, 1_000, 5_000, 120),
}


def rand(expr: str, salt: int, n: int) -> str:
    """A deterministic pseudo-random integer in [0, n) from a row number."""
    return f"(abs(hashint8(({expr})::bigint * 7919 + {salt})) % {n})"


def _run(sql: str, params=None) -> int:
    """Execute with `%` free for modulo: only %(name)s and %s are placeholders."""
    if params is not None:
        sql = re.sub(r"%%(\(\w+\))?s", lambda m: m.group(0)[1:], sql.replace("%", "%%"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _base(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _bump_sequence(table: str) -> None:
    _run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def masters_and_users(scale: Scale):
    """The city through agencies.services.municipality_setup and seed_demo's agencies (≈450 agencies), and one
    user of every role (plus a coordinator per ward, the leads of its cases)."""
    from accounts.models import Role, User
    from agencies.models import Agency, AgencyCategory
    from agencies.services import municipality_setup

    city = municipality_setup(name="大阪市", code="271004", wards=WARDS)
    # As demo.seed.seed_agencies does (a sibling layer, so not imported): one agency of every other standard
    # category in each ward, その他の機関 excepted.
    categories = AgencyCategory.objects.filter(municipality=None, is_active=True).exclude(name="その他の機関")
    for ward in city.wards.all():
        for category in categories:
            Agency.objects.get_or_create(municipality=city, name=f"{ward.name}{category.name}",
                                         defaults={"ward": ward, "category": category})
    wards = list(city.wards.order_by("sort_order", "pk"))
    kita = wards[0]
    houkatsu = Agency.objects.get(municipality=city, name="北区地域包括支援センター")

    def user(username, role, **kwargs):
        return User.objects.create_user(username, password="bench-password", role=role, municipality=city,
                                        last_name=username.removeprefix("bench_"), **kwargs)

    users = {
        "coordinator": user("bench_coordinator", Role.COORDINATOR, ward=kita),
        "supervisor": user("bench_supervisor", Role.SUPERVISOR),
        "agency_worker": user("bench_agency", Role.AGENCY_WORKER, agency=houkatsu),
        "bureau": user("bench_bureau", Role.BUREAU),
        "auditor": user("bench_auditor", Role.AUDITOR),
        "administrator": user("bench_admin", Role.ADMINISTRATOR, is_staff=True),
    }
    coordinators = [users["coordinator"]] + [user(f"bench_coordinator_{i:02d}", Role.COORDINATOR, ward=w)
                                              for i, w in enumerate(wards[1:], start=2)]
    return city, wards, users, coordinators


def _vocabulary():
    from cases.models.households import normalize_kana, normalize_name

    names, kanas, name_keys, kana_keys = [], [], [], []
    for surname, surname_kana in SURNAMES:
        for given, given_kana in GIVEN:
            name, kana = f"{surname} {given}", f"{surname_kana} {given_kana}"
            names.append(name)
            kanas.append(kana)
            name_keys.append(normalize_name(name))
            kana_keys.append(normalize_kana(kana))
    return names, kanas, name_keys, kana_keys


def generate(scale: Scale, log=print) -> dict:
    """Fill the (migrated, empty) bench database; returns ids the measurements need and the seconds per step."""
    from agencies.models import Agency
    from cases.models import IssueCategory
    from cases.services.cases import reserve_case_numbers
    from core.text import normalize_address
    from meetings.models import MeetingBasis, MeetingKind
    from referrals.models import DeclineReason, ReferralKind

    steps = {}
    started = time.perf_counter()

    def step(name):
        now = time.perf_counter()
        steps[name] = round(now - step.last, 2)
        step.last = now
        log(f"  {name}: {steps[name]:.1f} s")

    step.last = started
    with transaction.atomic():
        city, wards, users, coordinators = masters_and_users(scale)
    step("masters and users")
    ward_ids = [w.pk for w in wards]
    ward_names = [w.name for w in wards]
    coordinator_ids = [u.pk for u in coordinators]
    per_ward = []
    for ward in wards:
        per_ward.append(list(Agency.objects.filter(ward=ward).order_by("category__sort_order", "pk")
                             .values_list("pk", flat=True)))
    width = min(len(a) for a in per_ward)
    agency_grid = [a[:width] for a in per_ward]  # [ward][k]; k = 0 is the ward's 地域包括支援センター
    assert agency_grid[0][0] == users["agency_worker"].agency_id, "the 包括 comes first in category order"
    agency_stride = next(k for k in (3, 5, 7, 11, 1) if all((k * d) % width for d in range(1, 7)))
    agency_category = dict(Agency.objects.filter(municipality=city).values_list("pk", "category_id"))
    category_grid = [[agency_category[a] for a in row] for row in agency_grid]
    issue_ids = list(IssueCategory.objects.filter(municipality=None, is_active=True).order_by("sort_order")
                     .values_list("pk", flat=True))
    suspected_ids = list(IssueCategory.objects.filter(municipality=None, allows_suspected=True).values_list("pk", flat=True))
    n_issues = len(issue_ids)
    stride = next(k for k in (7, 5, 3, 1) if all((k * d) % n_issues for d in range(1, 5)))  # 5 distinct issues
    bases = {b.name: b for b in MeetingBasis.objects.filter(municipality=None)}
    kinds = {k.name: k.pk for k in MeetingKind.objects.filter(municipality=None)}
    referral_kinds = dict(ReferralKind.objects.filter(municipality=None).values_list("purpose", "pk"))
    decline_ids = list(DeclineReason.objects.filter(municipality=None).values_list("pk", flat=True))
    names, kanas, name_keys, kana_keys = _vocabulary()
    sample = "大阪市北区梅田1-2-3"
    assert normalize_address(sample) == sample, "addresses are written in their normalised form"

    H, C = scale.households, scale.cases
    per_year = C // len(YEARS)
    common = {"city": city.pk, "wards": ward_ids, "ward_names": ward_names, "coords": coordinator_ids,
              "agencies": agency_grid, "categories": category_grid}

    # Households and members (2.5 a household: 1-4), ids base + i / base + 4h + j.
    household = _base("cases_household")
    _run(f"""
        INSERT INTO cases_household (id, municipality_id, ward_id, address, address_normalized, phone, phone_digits,
                                     note, merged_into_id, version, created_at, updated_at)
        SELECT {household} + i, %(city)s, (%(wards)s::bigint[])[1 + i % 24],
               '大阪市' || (%(ward_names)s::text[])[1 + i % 24] || (1 + i / 24 % 9) || '-' || (1 + i % 17) || '-' || i,
               '大阪市' || (%(ward_names)s::text[])[1 + i % 24] || (1 + i / 24 % 9) || '-' || (1 + i % 17) || '-' || i,
               '06-' || lpad((i % 10000)::text, 4, '0') || '-' || lpad((i / 10000)::text, 4, '0'),
               '06' || lpad((i % 10000)::text, 4, '0') || lpad((i / 10000)::text, 4, '0'),
               '', NULL, 1, now(), now()
        FROM generate_series(0, {H - 1}) AS i""", common)
    member = _base("cases_householdmember")
    relationships = ["self", "spouse", "child", "mother", "other"]
    _run(f"""
        INSERT INTO cases_householdmember (id, household_id, name, name_kana, name_normalized, kana_normalized,
            birth_date, estimated_age, sex, relationship, relationship_note, is_primary, care_level,
            physical_disability_grade, intellectual_disability_grade, mental_disability_grade, disability_unconfirmed,
            public_assistance, moved_out_on, deceased_on, version)
        SELECT {member} + 4 * h + j, {household} + h, (%(names)s::text[])[1 + n], (%(kanas)s::text[])[1 + n],
               (%(name_keys)s::text[])[1 + n], (%(kana_keys)s::text[])[1 + n],
               CASE WHEN {rand('h * 4 + j', 11, 20)} = 0 THEN NULL
                    ELSE date '1935-01-01' + {rand('h * 4 + j', 12, 365 * 80)} END,
               CASE WHEN {rand('h * 4 + j', 11, 20)} = 0 THEN 30 + {rand('h', 13, 60)} END,
               (ARRAY['female', 'male', 'male', 'female', 'unknown'])[1 + {rand('h * 4 + j', 14, 5)}],
               (%(relationships)s::text[])[1 + LEAST(j, 4)],
               CASE WHEN j = 4 THEN '叔母' ELSE '' END,
               j = 0,
               CASE WHEN {rand('h * 4 + j', 15, 8)} = 0 THEN 'care_2' ELSE '' END,
               CASE WHEN {rand('h * 4 + j', 16, 15)} = 0 THEN '2' ELSE '' END,
               CASE WHEN {rand('h * 4 + j', 17, 30)} = 0 THEN 'B' ELSE '' END,
               CASE WHEN {rand('h * 4 + j', 18, 20)} = 0 THEN '2' ELSE '' END,
               false, {rand('h', 19, 12)} = 0, NULL, NULL, 1
        FROM generate_series(0, {H - 1}) AS h, generate_series(0, 3) AS j,
             LATERAL (SELECT {rand('h * 4 + j', 10, len(names))} AS n) AS pick
        WHERE j <= h % 4""", {**common, "names": names, "kanas": kanas, "name_keys": name_keys,
                               "kana_keys": kana_keys, "relationships": relationships})
    step("households and members")

    # Cases: per fiscal year a block of `per_year`; case c belongs to household c % H (so ward c % 24).
    prefixes = []
    for fy in YEARS:
        with transaction.atomic():
            numbers = reserve_case_numbers(city.pk, fy, per_year)
        prefixes.append(numbers[0][1].rsplit("-", 1)[0])
    case = _base("cases_case")
    statuses = ["received", "assessment", "planning", "supporting", "monitoring"]
    _run(f"""
        INSERT INTO cases_case (id, municipality_id, ward_id, household_id, fiscal_year, sequence, number, received_on,
            intake_channel, referring_category_id, referring_agency_id, lead_id, is_difficult, summary, status,
            status_changed_at, closed_on, closing_reason, version, external_number, created_by_id, created_at, updated_at)
        SELECT {case} + c, %(city)s, (%(wards)s::bigint[])[1 + c % 24], {household} + c % {H}, 2016 + y, s,
               (%(prefixes)s::text[])[1 + y] || '-' || CASE WHEN s < 10000 THEN lpad(s::text, 4, '0') ELSE s::text END,
               received, (ARRAY['visit', 'phone', 'home_visit', 'email', 'outreach', 'agency'])[1 + {rand('c', 21, 6)}],
               CASE WHEN k < 8 THEN (%(categories)s::bigint[])[1 + c % 24][1 + k] END,
               CASE WHEN k < 8 THEN (%(agencies)s::bigint[])[1 + c % 24][1 + k] END,
               (%(coords)s::bigint[])[1 + c % 24], {rand('c', 23, 15)} = 0,
               '複数の課題を抱える世帯について相談があった。', st,
               received::timestamp AT TIME ZONE 'Asia/Tokyo',
               CASE WHEN st = 'closed' THEN received + 200 END,
               CASE WHEN st = 'closed' THEN '支援の目標を達成したため。' ELSE '' END, 1, '',
               (%(coords)s::bigint[])[1 + c % 24], now(), now()
        FROM generate_series(0, {C - 1}) AS c,
             LATERAL (SELECT c / {per_year} AS y, c % {per_year} + 1 AS s,
                             make_date(2016 + (c / {per_year})::int, 4, 1) + {rand('c', 20, 360)}::int AS received,
                             {rand('c', 22, 10)} AS k) AS v,
             LATERAL (SELECT CASE WHEN y < 8 AND {rand('c', 24, 10)} < 8 THEN 'closed'
                                  WHEN {rand('c', 24, 10)} = 9 THEN 'suspended'
                                  ELSE (%(statuses)s::text[])[1 + {rand('c', 25, 5)}] END AS st) AS w""",
         {**common, "prefixes": prefixes, "statuses": statuses})
    _run(f"""
        INSERT INTO cases_caseissue (case_id, category_id, member_id, suspected, noted_on, resolved_on, note)
        SELECT id, (%(issues)s::bigint[])[1 + (id + j * {stride}) % {n_issues}], NULL, false, received_on, NULL, ''
        FROM cases_case, generate_series(0, 2) AS j WHERE municipality_id = %(city)s AND j <= id % 3""",
         {**common, "issues": issue_ids})
    consent = _base("cases_consent")
    _run(f"""
        INSERT INTO cases_consent (id, member_id, purpose, all_agencies, obtained_on, obtained_by_id, method, note,
                                   withdrawn_on, withdrawn_by_id)
        SELECT {consent} + (id - {case}), {member} + 4 * (household_id - {household}), 'meeting', true, received_on,
               lead_id, 'written', '', NULL, NULL
        FROM cases_case WHERE municipality_id = %(city)s""", common)
    kita_cases = f"(SELECT id FROM cases_case WHERE ward_id = {ward_ids[0]} AND id % 25 = 0)"
    _run(f"INSERT INTO cases_case_supervisors (case_id, user_id) SELECT id, %s FROM {kita_cases} AS k",
         [users["supervisor"].pk])
    step("cases, issues, consents")

    _run(f"""
        INSERT INTO cases_consultation (case_id, held_at, method, staff_id, summary, minutes, next_action, next_due_on,
                                        created_at)
        SELECT {case} + k % {C}, (cs.received_on + (k / {C}) * 9)::timestamp AT TIME ZONE 'Asia/Tokyo'
                   + make_interval(hours => 9 + {rand('k', 31, 8)}),
               (ARRAY['phone', 'visit', 'home_visit', 'accompany', 'email', 'agency_contact', 'other'])[1 + {rand('k', 32, 7)}],
               cs.lead_id, '電話で状況を確認した。次回は訪問する。', 5 + {rand('k', 33, 60)}, '', NULL, now()
        FROM generate_series(0, {scale.consultations - 1}) AS k
        JOIN cases_case cs ON cs.id = {case} + k % {C}""", common)
    plan = _base("cases_supportplan")
    _run(f"""
        INSERT INTO cases_supportplan (id, case_id, version, kind, goals, policy, decided_on, review_on, created_by_id,
                                       created_at)
        SELECT {plan} + (id - {case}), id, 1, 'initial', '生活の安定と地域とのつながりの回復。', '', received_on + 30,
               received_on + 120, lead_id, now()
        FROM cases_case WHERE municipality_id = %(city)s AND status IN ('supporting', 'monitoring', 'closed')""", common)
    _run(f"""
        INSERT INTO cases_roleassignment (case_id, plan_id, agency_id, person, task, due_on, status, completed_on,
                                          sharing_basis, consent_id, created_by_id, created_at)
        SELECT p.case_id, p.id, (%(agencies)s::bigint[])[1 + (p.case_id - {case}) % 24][1 + j * 3], '', '見守りと状況の確認',
               p.decided_on + 60, CASE WHEN cs.status = 'closed' THEN 'done' ELSE 'open' END,
               CASE WHEN cs.status = 'closed' THEN p.decided_on + 50 END, 'none', NULL, p.created_by_id, now()
        FROM cases_supportplan p JOIN cases_case cs ON cs.id = p.case_id, generate_series(0, 1) AS j
        WHERE cs.municipality_id = %(city)s""", common)
    step("consultations, plans, tasks")

    # Meetings: meeting m in ward m % 24, fiscal year m * 10 / M; discussions of cases of that ward and year.
    M = scale.meetings
    meeting = _base("meetings_meeting")
    kind_mix = [kinds["つながる場"]] * 14 + [kinds["重層的支援会議"]] * 2 + [kinds["支援会議"]] * 2 + \
        [kinds["個別ケース会議"], kinds["地域ケア会議"]]
    basis_mix = ([bases["本人同意（つながる場単独開催）"].pk] * 8 + [bases["地域ケア会議"].pk] * 4 + [bases["支援会議"].pk] * 4
                 + [bases["要保護児童対策地域協議会"].pk] * 2 + [bases["地域ケア会議・要保護児童対策地域協議会の共催"].pk]
                 + [bases["重層的支援会議"].pk])
    consent_bases = [b.pk for b in bases.values() if b.requires_consent]
    _run(f"""
        INSERT INTO meetings_meeting (id, municipality_id, ward_id, kind_id, basis_id, title, starts_at, ends_at, held_on,
            place, convener_id, sv_dispatched, supervisor_id, status, minutes, decisions, next_review_on, cancel_reason,
            version, created_by_id, created_at, updated_at)
        SELECT {meeting} + m, %(city)s, (%(wards)s::bigint[])[1 + m % 24], (%(kinds)s::bigint[])[1 + {rand('m', 41, 20)}],
               (%(bases)s::bigint[])[1 + {rand('m', 42, 20)}], '', day::timestamp AT TIME ZONE 'Asia/Tokyo' + interval '14 hours',
               day::timestamp AT TIME ZONE 'Asia/Tokyo' + interval '15 hours 30 minutes', day, '区役所 会議室',
               (%(coords)s::bigint[])[1 + m % 24], sv, CASE WHEN sv AND m % 24 = 0 THEN %(supervisor)s END,
               CASE WHEN {rand('m', 44, 50)} = 0 THEN 'cancelled' ELSE 'held' END,
               CASE WHEN {rand('m', 44, 50)} = 0 THEN '' ELSE '各機関の関わりを確認し、役割分担を決めた。' END, '', NULL,
               CASE WHEN {rand('m', 44, 50)} = 0 THEN '本人の体調不良のため' ELSE '' END,
               1, (%(coords)s::bigint[])[1 + m % 24], now(), now()
        FROM generate_series(0, {M - 1}) AS m,
             LATERAL (SELECT make_date(2016 + (m * 10 / {M})::int, 4, 1) + {rand('m', 40, 360)}::int AS day,
                             {rand('m', 43, 10)} < 3 AS sv) AS v""",
         {**common, "kinds": kind_mix, "bases": basis_mix, "supervisor": users["supervisor"].pk})
    # Discussions: one case, every tenth meeting two; the case is of the meeting's ward and fiscal year.
    per_ward_year = per_year // 24
    discussion = _base("meetings_meetingcase")
    _run(f"""
        INSERT INTO meetings_meetingcase (id, meeting_id, case_id, consent_id, note, issues_recorded)
        SELECT {discussion} + 2 * m + j, {meeting} + m, {case} + c,
               CASE WHEN mt.basis_id = ANY(%(consent_bases)s::bigint[]) THEN {consent} + c END,
               '', mt.status = 'held'
        FROM generate_series(0, {M - 1}) AS m, generate_series(0, 1) AS j,
             LATERAL (SELECT (m * 10 / {M}) * {per_year} + m % 24
                             + 24 * ((m / 24 * 7 + j * 5) % {per_ward_year}) AS c) AS pick,
             meetings_meeting mt
        WHERE mt.id = {meeting} + m AND (j = 0 OR m % 10 = 0)""", {**common, "consent_bases": consent_bases})
    _run(f"""
        INSERT INTO meetings_meetingagency (meeting_id, agency_id, invited, attended)
        SELECT {meeting} + m, (%(agencies)s::bigint[])[1 + m % 24][1 + (m + j * {agency_stride}) % {width}], true,
               j < 6 AND mt.status = 'held'
        FROM generate_series(0, {M - 1}) AS m, generate_series(0, 6) AS j, meetings_meeting mt
        WHERE mt.id = {meeting} + m AND (j < 6 OR m % 3 = 0)""", common)
    _run(f"""
        INSERT INTO meetings_meetingattendee (meeting_id, name, agency_id, affiliation, is_internal, confidentiality)
        SELECT mt.id, CASE WHEN j = 0 THEN '区 推進員' ELSE '機関 担当者' END,
               CASE WHEN j = 1 THEN (%(agencies)s::bigint[])[1 + (mt.id - {meeting}) % 24][1] END,
               '', j = 0, CASE WHEN b.statutory_confidentiality THEN 'statutory' ELSE 'agreement' END
        FROM meetings_meeting mt JOIN meetings_meetingbasis b ON b.id = mt.basis_id, generate_series(0, 1) AS j
        WHERE mt.municipality_id = %(city)s AND mt.status = 'held'""", common)
    _run(f"""
        INSERT INTO meetings_meetingcaseissue (discussion_id, category_id, suspected)
        SELECT d.id, (%(issues)s::bigint[])[1 + (d.id + j * {stride}) % {n_issues}],
               (%(issues)s::bigint[])[1 + (d.id + j * {stride}) % {n_issues}] = ANY(%(suspected)s::bigint[])
                   AND {rand('d.id * 5 + j', 51, 3)} = 0
        FROM meetings_meetingcase d, generate_series(0, 4) AS j
        WHERE d.id >= {discussion} AND d.issues_recorded AND j < 3 + d.id % 3""",
         {**common, "issues": issue_ids, "suspected": suspected_ids})
    _run(f"""
        INSERT INTO meetings_activity (municipality_id, ward_id, kind, held_on, title, agency_count, case_count,
                                       participant_count, note, created_by_id, created_at)
        SELECT %(city)s, (%(wards)s::bigint[])[1 + a % 24],
               (ARRAY['publicity', 'outreach', 'liaison', 'case_review', 'ward_initiative', 'training', 'tool'])[1 + {rand('a', 61, 7)}],
               make_date(2016 + (a * 10 / {scale.activities})::int, 4, 1) + {rand('a', 62, 360)}::int, '', 1 + {rand('a', 63, 8)},
               {rand('a', 64, 4)}, 3 + {rand('a', 65, 20)}, '', (%(coords)s::bigint[])[1 + a % 24], now()
        FROM generate_series(0, {scale.activities - 1}) AS a""", common)
    step("meetings, discussions, agencies, issues, activities")

    # Referrals: 3 in 10 to 北区地域包括支援センター about 北区's cases; the last ~0.3% still waiting (sent lately).
    R = scale.referrals
    waiting = max(30, R * 3 // 1000)
    referral = _base("referrals_referral")
    _run(f"""
        INSERT INTO referrals_referral (id, municipality_id, case_id, case_ward_id, kind_id, parent_id, from_agency_id,
            from_ward_id, sent_by_id, to_agency_id, to_ward_id, reason, shares, sharing_basis, basis_note,
            basis_meeting_id, snapshot, consent_id, sent_at, sent_on, due_on, status, answered_at, answered_by_id,
            decline_reason_id, answer_note, outcome, closed_at, overdue_notified_at)
        SELECT {referral} + r, %(city)s, {case} + c, (%(wards)s::bigint[])[1 + c % 24],
               CASE WHEN {rand('r', 71, 10)} < 8 THEN %(handover)s ELSE %(info)s END, NULL, NULL,
               (%(wards)s::bigint[])[1 + c % 24], (%(coords)s::bigint[])[1 + c % 24],
               CASE WHEN r % 10 < 3 THEN %(houkatsu)s ELSE (%(agencies)s::bigint[])[1 + c % 24][2 + {rand('r', 72, width - 1)}] END,
               NULL, '家計と住まいの相談につなぎたい。', '{{}}', 'none', '', NULL, '{{}}', NULL, sent, (sent AT TIME ZONE 'Asia/Tokyo')::date,
               (sent AT TIME ZONE 'Asia/Tokyo')::date + 7, st,
               CASE WHEN st NOT IN ('sent', 'withdrawn') THEN sent + interval '2 days' END,
               CASE WHEN st NOT IN ('sent', 'withdrawn') AND r % 10 < 3 THEN %(worker)s END,
               CASE WHEN st = 'declined' THEN (%(declines)s::bigint[])[1 + {rand('r', 73, len(decline_ids))}] END,
               '', CASE WHEN st = 'completed' THEN '支援につながった。' ELSE '' END,
               CASE WHEN st IN ('completed', 'declined', 'withdrawn') THEN sent + interval '20 days' END, NULL
        FROM generate_series(0, {R - 1}) AS r,
             LATERAL (SELECT CASE WHEN r % 10 < 3 THEN 24 * {rand('r', 74, C // 24)}
                                  ELSE {rand('r', 75, C)} END AS c) AS pick,
             LATERAL (SELECT CASE WHEN r >= {R - waiting}
                                  THEN now() - make_interval(hours => (({R} - r) * 24 * 14 / {waiting})::int)
                                  ELSE timestamptz '2016-04-01 09:00+09' + make_interval(secs => r * {3650 * 86400 // R})
                             END AS sent,
                             CASE WHEN r >= {R - waiting} THEN 'sent'
                                  ELSE (ARRAY['completed', 'completed', 'completed', 'completed', 'in_progress', 'in_progress',
                                              'accepted', 'accepted', 'declined', 'withdrawn'])[1 + {rand('r', 76, 10)}]
                             END AS st) AS v""",
         {**common, "handover": referral_kinds["handover"], "info": referral_kinds["information_request"],
          "houkatsu": users["agency_worker"].agency_id, "worker": users["agency_worker"].pk, "declines": decline_ids})
    events = [("send", "''", "'sent'", "true", "r.sent_at"),
              ("accept", "'sent'", "'accepted'", "r.status IN ('accepted', 'in_progress', 'completed')", "r.answered_at"),
              ("start", "'accepted'", "'in_progress'", "r.status IN ('in_progress', 'completed')", "r.answered_at + interval '1 day'"),
              ("complete", "'in_progress'", "'completed'", "r.status = 'completed'", "r.closed_at"),
              ("decline", "'sent'", "'declined'", "r.status = 'declined'", "r.answered_at"),
              ("withdraw", "'sent'", "'withdrawn'", "r.status = 'withdrawn'", "r.closed_at")]
    for action, before, after, condition, at in events:
        _run(f"""
            INSERT INTO referrals_referralevent (referral_id, action, from_status, to_status, note, by_id, at)
            SELECT r.id, '{action}', {before}, {after}, '', COALESCE(r.answered_by_id, r.sent_by_id), {at}
            FROM referrals_referral r WHERE r.id >= {referral} AND {condition}""")
    _run(f"""
        INSERT INTO referrals_notification (user_id, referral_id, kind, message, created_at, read_at, emailed_at)
        SELECT %(worker)s, r.id, 'new', 'つなぎ No.' || r.id || ' が届きました。', r.sent_at,
               CASE WHEN r.status <> 'sent' THEN r.sent_at + interval '1 hour' END, r.sent_at
        FROM referrals_referral r WHERE r.id >= {referral} AND r.to_agency_id = %(houkatsu)s""",
         {"worker": users["agency_worker"].pk, "houkatsu": users["agency_worker"].agency_id})
    step("referrals, events, notices")

    audit_events(city, users, coordinators, scale.audit_events)
    step("audit trail")

    for table in ("cases_household", "cases_householdmember", "cases_case", "cases_consent", "cases_supportplan",
                  "meetings_meeting", "meetings_meetingcase", "referrals_referral"):
        _bump_sequence(table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    step("ANALYZE")
    kita = wards[0]
    ids = {
        "city": city.pk, "kita": kita.pk,
        "household": household,  # household 0 is in 北区 (ward i % 24 == 0)
        "case": _first("SELECT id FROM cases_case WHERE ward_id = %s ORDER BY fiscal_year DESC, id LIMIT 1", [kita.pk]),
        "meeting": _first("SELECT id FROM meetings_meeting WHERE ward_id = %s AND status = 'held' ORDER BY starts_at DESC LIMIT 1",
                          [kita.pk]),
        "referral": _first("SELECT id FROM referrals_referral WHERE to_agency_id = %s AND status = 'sent' ORDER BY id LIMIT 1",
                           [users["agency_worker"].agency_id]),
        "task": _first("SELECT t.id FROM cases_roleassignment t JOIN cases_case c ON c.id = t.case_id "
                       "WHERE t.agency_id = %s AND c.ward_id = %s AND t.status = 'open' ORDER BY t.id LIMIT 1",
                       [users["agency_worker"].agency_id, kita.pk]),
        "activity": _first("SELECT id FROM meetings_activity WHERE ward_id = %s ORDER BY held_on DESC LIMIT 1", [kita.pk]),
        "users": {role: u.pk for role, u in users.items()},
    }
    return {"seconds": round(time.perf_counter() - started, 1), "steps": steps, "ids": ids}


def _first(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def audit_events(city, users, coordinators, count: int) -> None:
    """`count` events chained on from the city's head exactly as audit.chain would, written by COPY; the head
    then names the last one, so verify_audit passes and the next event the product writes follows it."""
    from audit import chain
    from audit.models import AuditChainHead, AuditEvent

    key = chain.chain_key(city.pk)
    actors = [users["coordinator"], users["supervisor"], users["agency_worker"], *coordinators[1:6]]
    actions = ["view", "view", "view", "list", "list", "search", "update", "create", "login", "logout"]
    types = ["cases.household", "cases.case", "meetings.meeting", "referrals.referral"]
    start = dt.datetime(2016, 4, 1, tzinfo=dt.UTC)
    step_seconds = (3650 * 86400) // max(count, 1)
    table = AuditEvent._meta.db_table
    columns = ["at", "municipality_id", "user_id", "username", "action", "object_type", "object_id", "object_label", "ip",
               "user_agent", "path", "detail", "seq", "hash"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(chain.LOCK_HEAD, [key])
            seq, previous = cursor.fetchone()
            buffer = io.StringIO()
            for i in range(count):
                actor = actors[i % len(actors)]
                action = actions[(i * 7) % len(actions)]
                object_type = "" if action in ("login", "logout") else types[(i * 3) % len(types)]
                object_id = "" if not object_type else str(1 + (i * 7919) % 50000)
                label = f"#{object_id}" if object_id else ""
                seq += 1
                fields = {"seq": seq, "at": start + dt.timedelta(seconds=i * step_seconds), "municipality_id": city.pk,
                          "user_id": actor.pk, "username": actor.username, "action": action, "object_type": object_type,
                          "object_id": object_id, "object_label": label, "ip": f"10.0.{i % 200}.{1 + i % 250}",
                          "user_agent": "Mozilla/5.0 (bench)", "path": f"/{object_type.split('.')[-1]}s/{object_id}/"
                          if object_id else "/accounts/login/", "detail": {}}
                previous = chain.digest(fields, previous)
                fields["hash"] = previous
                fields["at"] = fields["at"].isoformat()
                fields["detail"] = json.dumps(fields["detail"])
                buffer.write("\t".join(str(fields[c]) for c in columns) + "\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
            AuditChainHead.objects.filter(chain=key).update(seq=seq, hash=previous)
