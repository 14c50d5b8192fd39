from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import Role, User
from agencies.models import Agency, AgencyCategory, Municipality, Ward
from agencies.services import PER_WARD_CATEGORY_NAMES, municipality_setup, per_ward_categories
from cases.models import Household, HouseholdMember
from demo.history import history_cases
from demo.people import DEFAULT_DEMO_PASSWORD, DEMO_USERNAMES, OSAKA_WARDS

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "municipalities": Municipality.objects.count(),
        "wards": Ward.objects.count(),
        "agencies": Agency.objects.count(),
        "users": User.objects.count(),
        "households": Household.all_objects.count(),
        "members": HouseholdMember.objects.count(),
    }


def demo_members() -> list[tuple]:
    return list(
        HouseholdMember.objects.order_by("household__ward__sort_order", "household_id", "-is_primary", "pk").values_list(
            "household__ward__name", "household__address", "name", "name_kana", "birth_date", "sex", "relationship"
        )
    )


def test_seed_demo_run_twice_creates_nothing_the_second_time():
    seed()
    first = row_counts()

    seed()

    assert row_counts() == first
    assert first["municipalities"] == 1
    assert first["wards"] == 24
    assert first["users"] == len(DEMO_USERNAMES)


def test_seed_demo_creates_osaka_with_its_24_wards_in_the_official_order():
    seed()

    osaka = Municipality.objects.get(code="271004")
    assert osaka.name == "大阪市"
    assert osaka.area_label == "区"
    assert list(osaka.wards.values_list("name", flat=True)) == OSAKA_WARDS
    assert osaka.wards.first().name == "北区"
    assert osaka.wards.last().name == "西成区"


def test_seed_demo_gives_each_demo_user_their_role_ward_and_agency():
    seed()

    users = {user.username: user for user in User.objects.select_related("municipality", "ward", "agency")}
    assert set(users) == set(DEMO_USERNAMES)
    assert {name: user.role for name, user in users.items()} == {
        "kita_coordinator": Role.COORDINATOR,
        "nishinari_coordinator": Role.COORDINATOR,
        "agency_worker": Role.AGENCY_WORKER,
        "konkyu_worker": Role.AGENCY_WORKER,
        "supervisor": Role.SUPERVISOR,
        "bureau": Role.BUREAU,
        "admin": Role.ADMINISTRATOR,
        "auditor": Role.AUDITOR,
    }
    assert users["kita_coordinator"].ward.name == "北区"
    assert users["nishinari_coordinator"].ward.name == "西成区"
    assert users["agency_worker"].agency.name == "北区地域包括支援センター"
    assert all(user.municipality.name == "大阪市" for user in users.values())
    assert all(user.last_name and user.first_name for user in users.values())
    assert [name for name, user in users.items() if user.is_staff] == ["admin"]
    assert not any(user.is_superuser for user in users.values())


def test_seed_demo_resets_an_existing_demo_user_rather_than_duplicating_it(cast):
    kita_coordinator = cast["coordinator_kita"]
    kita_coordinator.role = Role.BUREAU
    kita_coordinator.save(update_fields=["role"])

    seed()

    kita_coordinator.refresh_from_db()
    assert kita_coordinator.role == Role.COORDINATOR
    assert kita_coordinator.ward.name == "北区"
    assert User.objects.filter(username="kita_coordinator").count() == 1


def test_seed_demo_puts_twelve_households_in_kita_and_nishinari_and_three_in_every_other_ward():
    seed()

    # The households of the demo's past years (demo.history) are spread over every ward besides.
    living = Household.all_objects.exclude(cases__in=history_cases())
    per_ward = dict(
        Ward.objects.annotate(households=Count("household", filter=Q(household__in=living))).values_list("name", "households")
    )
    assert per_ward.pop("北区") == 12
    assert per_ward.pop("西成区") == 12
    assert set(per_ward.values()) == {3}


def test_every_demo_household_has_exactly_one_primary_member_and_at_most_four():
    seed()

    households = Household.all_objects.annotate(
        primaries=Count("members", filter=Q(members__is_primary=True)), size=Count("members")
    )
    assert households.exists()
    assert all(household.primaries == 1 for household in households)
    assert all(1 <= household.size <= 4 for household in households)
    assert not HouseholdMember.objects.filter(is_primary=True).exclude(relationship="self").exists()


def test_demo_households_are_addressed_in_their_own_ward():
    seed()

    for household in Household.all_objects.select_related("ward"):
        assert household.address.startswith(f"大阪市{household.ward.name}")
        assert household.phone.startswith("0")


def test_seed_demo_generates_the_same_households_every_time():
    seed()
    first = demo_members()
    from cases.models import Case, Consent, RoleAssignment
    from meetings.models import Meeting
    from referrals.models import Referral

    Referral.all_objects.filter(parent__isnull=False).delete()
    Referral.all_objects.all().delete()  # referrals protect their cases and consents
    Meeting.all_objects.all().delete()  # meetings protect the cases and consents they discussed
    RoleAssignment.objects.all().delete()  # tasks protect the consents they were given under
    Consent.objects.all().delete()  # case work protects the households it concerns
    Case.all_objects.all().delete()
    Household.all_objects.all().delete()

    seed()

    assert demo_members() == first


def test_seed_demo_if_empty_does_nothing_when_osaka_already_has_households():
    seed()
    before = row_counts()

    output = seed("--if-empty")

    assert row_counts() == before
    assert "既にあります" in output
    assert len(output.strip().splitlines()) == 1


def test_seed_demo_if_empty_seeds_an_empty_database():
    seed("--if-empty")

    assert Household.all_objects.filter(municipality__code="271004").exists()


def test_seed_demo_sets_every_password_from_demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "first-secret")
    seed()
    monkeypatch.setenv("DEMO_PASSWORD", "second-secret")
    seed()

    for user in User.objects.filter(username__in=DEMO_USERNAMES):
        assert user.check_password("second-secret")
        assert not user.check_password("first-secret")


def test_seed_demo_without_demo_password_uses_the_default(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    seed()

    assert User.objects.get(username="supervisor").check_password(DEFAULT_DEMO_PASSWORD)


def test_demo_logins_prints_the_url_and_every_demo_login(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("DEMO_PASSWORD", "shown-secret")
    seed()
    out = StringIO()

    call_command("demo_logins", stdout=out)

    output = out.getvalue()
    assert "http://127.0.0.1:8123/" in output
    for username in DEMO_USERNAMES:
        assert username in output
    assert "北区地域包括支援センター" in output
    assert "つながる体制推進員" in output
    assert "shown-secret" in output


def test_demo_logins_lists_only_demo_users_that_exist(coordinator_kita):
    out = StringIO()

    call_command("demo_logins", stdout=out)

    assert "kita_coordinator" in out.getvalue()
    assert "nishinari_coordinator" not in out.getvalue()


def test_municipality_setup_twice_creates_nothing_new():
    municipality_setup(name="狛江市", code="132195", wards=["第一圏域", "第二圏域", "第三圏域"], area_label="日常生活圏域")
    before = row_counts()

    komae = municipality_setup(
        name="狛江市", code="132195", wards=["第一圏域", "第二圏域", "第三圏域"], area_label="日常生活圏域"
    )

    assert row_counts() == before
    assert komae.area_label == "日常生活圏域"
    assert list(komae.wards.values_list("name", "sort_order")) == [("第一圏域", 1), ("第二圏域", 2), ("第三圏域", 3)]


def test_municipality_setup_creates_an_agency_of_every_per_ward_standard_category_in_every_ward():
    municipality = municipality_setup(name="テスト市", code="999999", wards=["東区", "西区"])

    categories = list(per_ward_categories())
    assert {category.name for category in categories} == PER_WARD_CATEGORY_NAMES
    agencies = Agency.objects.filter(municipality=municipality)
    assert agencies.count() == 2 * len(categories)
    assert not agencies.filter(ward__isnull=True).exists()
    for ward in municipality.wards.all():
        assert sorted(ward.agencies.values_list("category__name", flat=True)) == sorted(PER_WARD_CATEGORY_NAMES)
    assert agencies.filter(name="東区地域包括支援センター", category__name="地域包括支援センター").exists()
    assert agencies.filter(name="西区生活困窮担当", ward__name="西区").exists()


def test_municipality_setup_skips_inactive_and_city_wide_categories():
    AgencyCategory.objects.filter(municipality=None, name="見守り相談室").update(is_active=False)

    municipality = municipality_setup(name="テスト市", code="999999", wards=["東区"])

    names = set(Agency.objects.filter(municipality=municipality).values_list("category__name", flat=True))
    assert "見守り相談室" not in names
    assert "ハローワーク" not in names
    assert "警察" not in names


def test_seed_demo_refuses_to_run_where_demo_data_is_not_allowed(db, settings):
    from django.core.management import CommandError, call_command

    from agencies.models import Municipality

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="デモデータを作成できません"):
        call_command("seed_demo")
    assert not Municipality.objects.filter(name="大阪市").exists()


def test_the_demo_has_an_agency_of_every_standard_category_in_every_ward():
    call_command("seed_demo", stdout=StringIO())
    categories = set(
        AgencyCategory.objects.filter(municipality=None).exclude(name="その他の機関").values_list("name", flat=True)
    )
    for ward in Ward.objects.filter(municipality__name="大阪市"):
        assert set(ward.agencies.values_list("category__name", flat=True)) == categories, ward.name


def test_the_demo_has_living_cases_in_several_wards_and_states():
    from cases.models import Case, RoleAssignment

    call_command("seed_demo", stdout=StringIO())
    cases = Case.all_objects.exclude(pk__in=history_cases())  # the past years' cases are all closed or suspended
    assert set(cases.values_list("ward__name", flat=True)) == {"北区", "西成区"}
    assert {"received", "assessment", "planning", "supporting", "monitoring", "suspended", "closed"} <= set(
        cases.values_list("status", flat=True)
    )
    assert RoleAssignment.objects.filter(agency__name="北区地域包括支援センター").exists()
    assert cases.filter(supervisors__username="supervisor").exists()
    count = Case.all_objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Case.all_objects.count() == count


def test_the_demo_has_current_meetings_that_follow_the_legal_rules():
    from meetings.models import Meeting, MeetingStatus
    from meetings.selectors import upcoming_meetings
    from meetings.services import meeting_consent

    seed()
    agency_worker = User.objects.get(username="agency_worker")
    recent = Meeting.all_objects.filter(ward__name="北区", held_on__gte=date.today() - timedelta(days=60))
    assert sorted(recent.values_list("kind__name", "status")) == [
        ("つながる場", MeetingStatus.SCHEDULED), ("包括化推進会議", MeetingStatus.HELD), ("支援会議", MeetingStatus.HELD)]
    assert [m.kind.name for m in upcoming_meetings(user=agency_worker)] == ["つながる場"]
    assert agency_worker.agency.tasks.filter(meeting_link__meeting__kind__name="支援会議").exists()
    for meeting in recent.exclude(kind__is_network_meeting=True):
        for discussion in meeting.discussions.select_related("case__household"):
            _consent, problems = meeting_consent(case=discussion.case, basis=meeting.basis, day=meeting.held_on,
                                                 agencies=[link.agency for link in meeting.agency_links.all()])
            assert problems == []
    seed()
    assert recent.count() == 3


def test_the_demo_has_referrals_in_every_state_the_inboxes_show():
    from referrals.models import Referral, ReferralStatus
    from referrals.selectors import action_needed

    seed()
    referrals = Referral.all_objects.filter(case_ward__name="北区")
    assert sorted(referrals.values_list("status", flat=True)) == sorted([
        ReferralStatus.SENT, ReferralStatus.SENT, ReferralStatus.SENT, ReferralStatus.IN_PROGRESS,
        ReferralStatus.DECLINED, ReferralStatus.COMPLETED])
    houkatsu = User.objects.get(username="agency_worker")
    waiting = list(action_needed(user=houkatsu))
    assert len(waiting) == 1 and waiting[0].is_overdue()
    assert [r.kind.name for r in action_needed(user=User.objects.get(username="kita_coordinator"))] == ["つながる場の開催依頼"]
    assert len(action_needed(user=User.objects.get(username="konkyu_worker"))) == 1
    count = referrals.count()
    call_command("seed_demo", stdout=StringIO())
    assert referrals.count() == count
