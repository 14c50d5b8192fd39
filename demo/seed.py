"""The steps of `seed_demo`: each tops the demo city up, through the services, and says how much it created."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from faker import Faker

from accounts.models import User
from agencies.models import Agency, AgencyCategory, Municipality, Ward
from cases.models import Household
from cases.services.bulk import NewHousehold, household_bulk_create

from .history import history_cases
from .people import (
    DEMO_USERS,
    FAKER_SEED,
    HOUSEHOLDS_PER_OTHER_WARD,
    HOUSEHOLDS_PER_WARD,
    OSAKA_WARDS,
    demo_password,
    fake_household,
)

# (issues, referring category, intake channel, summary, status path) — typical multi-problem households.
CASE_STORIES = [
    (["認知症", "ひきこもり", "経済的困窮", "8050問題"], "地域包括支援センター", "agency",
     "80代の母の介護保険申請で訪問したところ、50代の長男が長年ひきこもっていることが分かった。年金のみで家計が苦しい。",
     ["assess", "plan", "support"]),
    (["精神障がい", "ゴミ屋敷", "近隣住民とのトラブル"], "見守り相談室", "agency",
     "近隣から悪臭の苦情。本人は精神科の受診が途切れている様子。", ["assess", "plan", "support", "monitor"]),
    (["ダブルケア", "経済的困窮"], "子ども・子育て担当", "agency",
     "乳児の育児と父親の介護が重なり、母親が疲弊している。", ["assess"]),
    (["知的障がい", "虐待関連"], "障がい者基幹相談支援センター", "agency",
     "知的障がいのある本人の年金を家族が使い込んでいる疑い。", ["assess", "plan"]),
    (["孤立", "病気・けが"], None, "phone", "一人暮らしの高齢者から、退院後の生活が不安との電話。", []),
    (["多重債務", "就労"], "生活困窮担当", "visit", "失職後、複数の借入れがあり家賃を滞納している。", ["assess", "plan", "support"]),
    (["ヤングケアラー", "不登校", "精神障がい"], "学校教育機関", "agency",
     "中学生が精神疾患のある母親の世話で不登校気味と学校から相談。", ["assess", "plan", "support"]),
    (["依存症", "DV"], "精神保健福祉相談員", "agency", "アルコール依存の夫からの暴力について妻から相談。", ["suspend"]),
    (["経済的困窮", "住まい"], "生活保護担当", "agency", "家賃の安い住まいへの転居を希望。転居完了で終結。",
     ["assess", "plan", "support", "monitor", "close"]),
]


def seed_cases(municipality) -> int:
    """Cases for the households of 北区 and 西成区 that have none yet, in every state of the flow."""
    from cases import services
    from cases.models import Case, IssueCategory

    today = date.today()
    issues = {c.name: c for c in IssueCategory.objects.filter(municipality=None)}
    supervisor = User.objects.get(username="supervisor")
    created = 0
    for ward_name, coordinator_name in (("北区", "kita_coordinator"), ("西成区", "nishinari_coordinator")):
        coordinator = User.objects.get(username=coordinator_name)
        ward = Ward.objects.get(municipality=municipality, name=ward_name)
        agencies = {a.category.name: a for a in Agency.objects.filter(ward=ward).select_related("category")}
        households = Household.all_objects.filter(ward=ward).order_by("pk")
        for index, household in enumerate(households[: len(CASE_STORIES)]):
            if Case.all_objects.filter(household=household).exists():
                continue
            issue_names, referrer, channel, summary, path = CASE_STORIES[index]
            received_on = today - timedelta(days=200 - index * 17)
            case = services.case_open(
                user=coordinator, household=household, received_on=received_on, intake_channel=channel,
                referring_agency=agencies.get(referrer) if referrer else None, is_difficult=len(issue_names) >= 3,
                summary=summary,
            )
            primary = household.members.get(is_primary=True)
            for name in issue_names:
                category = issues[name]
                services.case_issue_add(user=coordinator, case=case, category=category, noted_on=received_on,
                                        suspected=category.allows_suspected and index % 2 == 0,
                                        member=primary if index % 3 == 0 else None)
            services.consultation_record(
                user=coordinator, case=case, method="phone" if channel == "phone" else "home_visit", summary=summary,
                held_at=timezone.make_aware(datetime.combine(received_on, time(10, 0))), minutes=30,
                next_action="関係機関と情報共有", next_due_on=received_on + timedelta(days=7),
            )
            if index % 2 == 0:
                services.consent_record(user=coordinator, member=primary, purpose="sharing", obtained_on=received_on,
                                        method="written", all_agencies=True)
            for action in path:
                if action == "support":
                    # Deciding the plan is what starts support (plan_create moves the case to 支援中).
                    helpers = [agencies[name] for name in ("地域包括支援センター", "生活困窮担当", "社会福祉協議会") if name in agencies]
                    if index % 2:
                        # The tasks' gate (docs/access-policy.md): consent to pass details to the two agencies,
                        # obtained when the plan was made.
                        services.consent_record(user=coordinator, member=primary, purpose="provision",
                                                obtained_on=min(today, received_on + timedelta(days=20)),
                                                method="written", agencies=helpers[:2])
                    services.plan_create(
                        user=coordinator, case=case, kind="initial", goals="世帯全体の生活の安定",
                        decided_on=received_on + timedelta(days=20), review_on=received_on + timedelta(days=110),
                        tasks=[{"agency": helpers[0], "task": "定期的な見守り訪問", "due_on": today - timedelta(days=5 + index)},
                               {"agency": helpers[1], "task": "家計の立て直しの相談", "due_on": today + timedelta(days=20 + index)}],
                    )
                    case.refresh_from_db()
                    continue
                reason = {"close": "転居が完了し、生活が安定した", "suspend": "本人と連絡が取れなくなった"}.get(action, "")
                case = services.case_transition(user=coordinator, case=case, action=action, reason=reason)
            if index in (0, 1, 6):
                case.supervisors.add(supervisor)
            created += 1
    return created


def seed_referrals(municipality) -> int:
    """北区's referrals, through the services, one in every state the inboxes show: an overdue つなぎ waiting
    for 北区地域包括支援センター, one in progress, one declined, one completed, and a つながる場の開催依頼 from
    the 包括 to the ward office."""
    from cases.models import Case
    from referrals import services
    from referrals.models import DeclineReason, Referral, ReferralKind

    ward = Ward.objects.get(municipality=municipality, name="北区")
    if Referral.all_objects.filter(case_ward=ward).exists():
        return 0
    coordinator = User.objects.get(username="kita_coordinator")
    houkatsu_worker = User.objects.get(username="agency_worker")
    agencies = {a.category.name: a for a in Agency.objects.filter(ward=ward).select_related("category")}
    cases = list(Case.all_objects.filter(ward=ward).open().order_by("-pk")[:5])
    if len(cases) < 5:
        return 0
    kinds = {k.name: k for k in ReferralKind.objects.filter(municipality=None)}
    today = date.today()

    sent = _backdated

    def consent(case):
        return _provision_consent(coordinator, case, today)

    consent(cases[0])
    overdue = services.referral_send(
        user=coordinator, case=cases[0], kind=kinds["つなぎ"], to_agency=agencies["地域包括支援センター"],
        reason="母の介護保険の申請と、見守り体制の相談をお願いしたい。", shares=["identity", "household", "issues"],
        sharing_basis="consent")
    sent(overdue, 9)
    konkyu_worker = User.objects.get(username="konkyu_worker")
    working = services.referral_send(
        user=coordinator, case=cases[1], kind=kinds["つなぎ"], to_agency=agencies["生活困窮担当"],
        reason="家賃の滞納が続いており、家計改善支援につなぎたい。")
    sent(working, 5)
    services.referral_transition(user=konkyu_worker, referral=working, action="accept", note="担当者を決めて連絡します")
    services.referral_transition(user=konkyu_worker, referral=working, action="start")
    declined = services.referral_send(
        user=coordinator, case=cases[2], kind=kinds["情報提供依頼"], to_agency=agencies["地域包括支援センター"],
        reason="母の要介護認定の状況を確認したい。")
    sent(declined, 4)
    services.referral_transition(
        user=houkatsu_worker, referral=declined, action="decline", note="認定の申請はまだのようです。",
        decline_reason=DeclineReason.objects.get(municipality=None, name="情報が不足している（再依頼をお願いしたい）"))
    completed = services.referral_send(
        user=coordinator, case=cases[3], kind=kinds["つなぎ"], to_agency=agencies["地域包括支援センター"],
        reason="独居高齢者の見守りを依頼したい。")
    sent(completed, 20)
    services.referral_transition(user=houkatsu_worker, referral=completed, action="accept")
    services.referral_transition(user=houkatsu_worker, referral=completed, action="complete",
                                 outcome="週1回の見守り訪問を開始し、配食サービスにつないだ。")
    _houkatsu_asks_for_a_meeting(houkatsu_worker, ward, kinds["つながる場の開催依頼"], consent)
    services.referral_send(
        user=coordinator, case=cases[4], kind=kinds["つなぎ"], to_agency=agencies["生活困窮担当"],
        reason="就労と家計の相談を希望している。本人から連絡してよいとの了解あり。")
    return Referral.all_objects.filter(case_ward=ward).count()


def _houkatsu_asks_for_a_meeting(houkatsu_worker, ward, kind, consent) -> None:
    """The 包括 asks the ward to convene about a case it works on (it has a task there)."""
    from referrals import services

    worked_on = services.referable_cases(houkatsu_worker).order_by("pk").first()
    consent(worked_on)
    services.referral_send(
        user=houkatsu_worker, case=worked_on, kind=kind, to_ward=ward,
        reason="介護・障害・困窮の課題が重なっており、関係機関でつながる場を開いてほしい。", shares=["issues"],
        sharing_basis="consent")


def _backdated(referral, days_ago: int) -> None:
    """The demo's referrals were sent days ago (the inboxes show waiting times and one overdue)."""
    from referrals.models import Referral

    when = timezone.now() - timedelta(days=days_ago)
    Referral.all_objects.filter(pk=referral.pk).update(
        sent_at=when, sent_on=timezone.localdate(when), due_on=timezone.localdate(when) + timedelta(days=referral.kind.default_due_days))
    referral.events.update(at=when)


def _provision_consent(coordinator, case, today):
    """本人の同意（他機関への提供）, so that a referral may share personal details."""
    from cases import services as case_services

    return case_services.consent_record(
        user=coordinator, member=case.household.members.get(is_primary=True), purpose="provision",
        obtained_on=today - timedelta(days=20), method="written", all_agencies=True)


def seed_meetings(municipality) -> int:
    """北区's current meetings, through the services (so the legal rules hold): a 支援会議 held last week
    with its tasks, a つながる場 next week under 本人同意 (consent recorded), and a 包括化推進会議 with agenda items."""
    from cases import services as case_services
    from cases.models import Case
    from meetings import services
    from meetings.models import Meeting, MeetingBasis, MeetingKind

    ward = Ward.objects.get(municipality=municipality, name="北区")
    today = date.today()
    if Meeting.all_objects.filter(ward=ward, held_on__gte=today - timedelta(days=60)).exists():
        return 0
    coordinator = User.objects.get(username="kita_coordinator")
    supervisor = User.objects.get(username="supervisor")
    agencies = {a.category.name: a for a in Agency.objects.filter(ward=ward).select_related("category")}
    cases = list(Case.all_objects.filter(ward=ward).open().order_by("pk")[:3])
    if len(cases) < 3:
        return 0
    kind, basis = MeetingKind.objects.filter(municipality=None), MeetingBasis.objects.filter(municipality=None)

    def at(days, hour=14):
        return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))

    held = services.meeting_schedule(
        user=coordinator, ward=ward, kind=kind.get(name="支援会議"), basis=basis.get(name="支援会議"), starts_at=at(-7),
        place="北区役所 3階会議室", sv_dispatched=True, supervisor=supervisor, cases=[cases[0]],
        agencies=[agencies[n] for n in ("地域包括支援センター", "生活困窮担当", "精神保健福祉相談員")],
    )
    services.meeting_record(
        user=coordinator, meeting=held, version=held.version, attended_agencies=list(agencies[n] for n in (
            "地域包括支援センター", "生活困窮担当", "精神保健福祉相談員")),
        attendees=[{"name": "森本 由美", "agency": agencies["地域包括支援センター"]}, {"name": "北川 美咲", "is_internal": True}],
        minutes="長男の受診につなぐ方法と、母の介護サービスの調整を協議した。", decisions="包括が週1回訪問し、精神保健福祉相談員が受診同行を打診する。",
        next_review_on=today + timedelta(days=30),
        tasks=[{"case": cases[0], "agency": agencies["地域包括支援センター"], "task": "週1回の見守り訪問", "due_on": today + timedelta(days=14)},
               {"case": cases[0], "agency": agencies["精神保健福祉相談員"], "task": "長男への受診同行の打診", "due_on": today + timedelta(days=10)}],
    )
    primary = cases[1].household.members.get(is_primary=True)
    case_services.consent_record(user=coordinator, member=primary, purpose="meeting", obtained_on=today - timedelta(days=3),
                                 method="written", all_agencies=True)
    services.meeting_schedule(
        user=coordinator, ward=ward, kind=kind.get(name="つながる場"), basis=basis.get(name="本人同意（つながる場単独開催）"),
        starts_at=at(7, 10), place="北区役所 2階相談室", cases=[cases[1]],
        agencies=[agencies[n] for n in ("地域包括支援センター", "見守り相談室", "社会福祉協議会")],
    )
    network = services.meeting_schedule(user=coordinator, ward=ward, kind=kind.get(name="包括化推進会議"), starts_at=at(-20, 15),
                                        place="北区役所 大会議室", agencies=list(agencies.values())[:8])
    services.meeting_record(user=coordinator, meeting=network, version=network.version, agenda_items=[
        {"title": "ひきこもり状態の方の居場所づくり", "is_continuing": True, "progress": "社協と候補地を2か所確認"},
        {"title": "相談先早わかりシートの改訂", "is_concluded": True},
    ], attended_agencies=list(agencies.values())[:8])
    return 3


def seed_agencies(municipality):
    """A fictitious agency of every other standard category in each ward (schools, clinics, the police …),
    so that every category can be picked in the demo. The catch-all その他の機関 gets none."""
    categories = AgencyCategory.objects.filter(municipality=None, is_active=True).exclude(name="その他の機関")
    for ward in Ward.objects.filter(municipality=municipality):
        for category in categories:
            Agency.objects.get_or_create(
                municipality=municipality, name=f"{ward.name}{category.name}",
                defaults={"ward": ward, "category": category},
            )


def seed_users(municipality: Municipality) -> int:
    """One user per role; a re-run puts each back to its demo role, ward, agency and password."""
    wards = {ward.name: ward for ward in Ward.objects.filter(municipality=municipality)}
    agencies = {agency.name: agency for agency in Agency.objects.filter(municipality=municipality)}
    password = demo_password()
    created = 0
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(username=demo.username)
            created += 1
        user.role = demo.role
        user.last_name = demo.last_name
        user.first_name = demo.first_name
        user.municipality = municipality
        user.ward = wards[demo.ward] if demo.ward else None
        user.agency = agencies[demo.agency] if demo.agency else None
        user.is_staff = demo.is_staff
        user.is_superuser = False
        user.is_active = True
        user.set_password(password)
        user.save()
    return created


def seed_households(municipality: Municipality) -> int:
    """Tops each ward up to its number of fictitious households; returns how many were created."""
    fake = Faker("ja_JP")
    # seed_instance rather than Faker.seed(): the latter reseeds the random shared by every Faker in
    # the process (factory_boy's too), so other data would depend on whether this command ran first.
    fake.seed_instance(FAKER_SEED)
    wards = {ward.name: ward for ward in Ward.objects.filter(municipality=municipality)}
    created = 0
    for ward_name in OSAKA_WARDS:
        ward = wards[ward_name]
        # The households of the demo's past years (demo.history) are not the ones topped up here.
        existing = Household.all_objects.filter(ward=ward).exclude(cases__in=history_cases()).count()
        new = []
        for index in range(HOUSEHOLDS_PER_WARD.get(ward_name, HOUSEHOLDS_PER_OTHER_WARD)):
            # Generated even when skipped, so every household gets the same data on every run.
            household_data, members = fake_household(fake, ward_name)
            if index >= existing:
                new.append(NewHousehold(ward=ward, members=members, **household_data))
        # Through cases' bulk service: search keys of the household and of each member, and history rows.
        created += len(household_bulk_create(user=None, municipality=municipality, households=new))
    return created


