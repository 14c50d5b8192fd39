"""apply_retention: what goes (every name, reading, birth date, address and phone, anywhere in the database, history
included), what stays (every figure the product reports), which households it takes, and what it records."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import services as cases
from cases.models import Case, Household, HouseholdMember
from meetings.models import Meeting
from referrals.models import Referral
from retention.anonymise import ANONYMISED
from retention.models import Anonymisation, AnonymisedMember, RetentionPolicy
from retention.selectors import years_before
from retention.services import apply_retention, policy_set
from tests.factories import HouseholdFactory, HouseholdMemberFactory
from tests.retention import probe
from tests.retention.scenario import BIRTH, NAME, NAMES, NEIGHBOUR, SPOUSE_BIRTH, old_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(coordinator_kita, agency_worker, kita, kita_houkatsu):
    return old_family(coordinator=coordinator_kita, agency_worker=agency_worker, ward=kita, agency=kita_houkatsu)


def run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def closed_case(coordinator, ward, *, closed_on, received_on=None):
    household = HouseholdFactory(ward=ward)
    HouseholdMemberFactory(household=household, name="期限 未満", name_kana="きげん みまん")
    case = cases.case_open(user=coordinator, household=household, received_on=received_on or closed_on - dt.timedelta(days=30),
                           intake_channel="phone")
    return cases.case_transition(user=coordinator, case=case, action="close", reason="終結", on=closed_on)


class TestNothingIdentifyingIsLeft:
    def test_no_name_reading_birth_date_address_or_phone_is_left_in_any_table(self, family, osaka):
        # The scenario really put them everywhere: the live rows, the history rows, the referral's copy, the admin log.
        before = probe.leftovers(NAMES, dates=[BIRTH, SPOUSE_BIRTH])
        for column in ("cases_historicalhouseholdmember.name", "cases_historicalhousehold.address",
                       "referrals_referral.snapshot", "meetings_historicalmeeting.minutes", "django_admin_log.object_repr",
                       "cases_householdmember.name_normalized", "cases_household.phone_digits", "cases_householdmerge.reason"):
            assert column in before, column

        run("--municipality", osaka.code)

        assert probe.leftovers(NAMES, dates=[BIRTH, SPOUSE_BIRTH]) == {}
        assert probe.tables_scanned() > 40  # every table, the audit trail and the history tables among them

    def test_the_people_read_anonymised_with_an_age_band_for_their_birth_date(self, family, osaka):
        run()
        members = HouseholdMember.objects.filter(household=family).order_by("pk")
        assert {(m.name, m.birth_date, m.estimated_age) for m in members} == {(ANONYMISED, None, None)}
        bands = list(AnonymisedMember.objects.order_by("member_id").values_list("age_band", flat=True))
        # On the day the case closed (2020-03-31) she was 58 and he 62; the duplicate merged in had no birth date.
        assert bands == ["50代", "60代", "不明"]
        family.refresh_from_db()
        assert (family.address, family.phone, family.note) == (ANONYMISED, "", "")

    def test_the_household_page_says_anonymised(self, family, client, coordinator_kita):
        run()
        client.force_login(coordinator_kita)
        page = client.get(reverse("cases:household_detail", args=[family.pk])).content.decode()
        assert "匿名化済み" in page and NAME not in page

    def test_minutes_shared_with_another_household_keep_their_part(self, family):
        run()
        meeting = Meeting.all_objects.get()
        assert NEIGHBOUR in meeting.minutes and NEIGHBOUR in meeting.title
        assert "鷲尾" not in meeting.minutes + meeting.title + meeting.decisions

    def test_the_referrals_copy_keeps_its_items_but_not_the_person(self, family):
        run()
        snapshot = Referral.all_objects.get().snapshot
        assert snapshot["identity"]["name"] == ANONYMISED and snapshot["identity"]["birth_date"] is None
        assert [i["category"] for i in snapshot["issues"]] == ["経済的困窮", "認知症"]
        assert [m["relationship"] for m in snapshot["household"]] == ["本人", "配偶者", "本人"]


class TestFiguresStayTheSame:
    def test_every_yearly_activity_referral_and_support_cycle_figure_is_unchanged(
            self, family, osaka, coordinator_kita, kita, nishinari, coordinator_nishinari):
        closed_case(coordinator_kita, kita, closed_on=dt.date(2019, 12, 1))
        closed_case(coordinator_nishinari, nishinari, closed_on=dt.date(2020, 1, 15))
        closed_case(coordinator_kita, kita, closed_on=timezone.localdate() - dt.timedelta(days=100))  # kept
        today = timezone.localdate()
        before = probe.figures(osaka, today=today)
        assert before["annual 2019"]["meetings"]["2019"] == 2  # the つながる場 of the family and the neighbours

        result = apply_retention(municipality=osaka)

        assert len(result.done) == 3  # the family and the two old cases; the recent one is kept
        assert probe.figures(osaka, today=today) == before


class TestWhichHouseholds:
    def test_a_recent_closure_an_open_case_or_a_suspended_case_keeps_the_household(self, coordinator_kita, kita, osaka):
        today = timezone.localdate()
        recent = closed_case(coordinator_kita, kita, closed_on=years_before(today, 5))  # exactly 5 years: not yet
        old = closed_case(coordinator_kita, kita, closed_on=years_before(today, 5) - dt.timedelta(days=1))
        reopened = closed_case(coordinator_kita, kita, closed_on=dt.date(2018, 5, 1))
        cases.case_open(user=coordinator_kita, household=reopened.household, received_on=today, intake_channel="phone")
        suspended = closed_case(coordinator_kita, kita, closed_on=dt.date(2018, 5, 1))
        other = cases.case_open(user=coordinator_kita, household=suspended.household, received_on=dt.date(2018, 6, 1),
                                intake_channel="phone")
        cases.case_transition(user=coordinator_kita, case=other, action="suspend", reason="連絡が取れない")

        apply_retention(municipality=osaka)

        anonymised = set(Anonymisation.objects.values_list("household_id", flat=True))
        assert anonymised == {old.household_id}
        assert recent.household.members.get().name == "期限 未満"

    def test_the_period_is_the_administrators(self, coordinator_kita, kita, osaka, administrator):
        case = closed_case(coordinator_kita, kita, closed_on=dt.date(2019, 5, 1))
        policy_set(user=administrator, municipality=osaka, years=10)
        assert apply_retention(municipality=osaka).done == []
        policy_set(user=administrator, municipality=osaka, years=5)
        assert [r.household_id for r in apply_retention(municipality=osaka).done] == [case.household_id]

    def test_a_period_under_a_year_is_refused(self, osaka, administrator):
        with pytest.raises(ValidationError):
            policy_set(user=administrator, municipality=osaka, years=0)
        assert not RetentionPolicy.objects.exists()

    def test_a_household_is_anonymised_once(self, family, osaka):
        run()
        second = run()
        assert "0世帯" in second and Anonymisation.objects.count() == 1

    def test_a_household_taken_up_again_is_anonymised_again_once_its_new_case_expires(self, coordinator_kita, kita, osaka):
        case = closed_case(coordinator_kita, kita, closed_on=dt.date(2018, 5, 1))
        run()
        # The person comes back: a new case is opened on the anonymised household, new details are written down…
        Anonymisation.objects.update(anonymised_at=timezone.make_aware(dt.datetime(2019, 1, 1)))
        cases.member_update(user=coordinator_kita, member=case.household.members.get(),
                            expected_version=case.household.members.get().version, name="戻り 太郎", name_kana="もどり たろう")
        again = cases.case_open(user=coordinator_kita, household=case.household, received_on=dt.date(2019, 4, 1),
                                intake_channel="phone")
        cases.case_transition(user=coordinator_kita, case=again, action="close", reason="終結", on=dt.date(2019, 9, 1))
        run()
        assert case.household.members.get().name == ANONYMISED
        assert Anonymisation.objects.count() == 2

    def test_an_edit_form_opened_before_cannot_write_the_old_name_back(self, family, coordinator_kita):
        member = family.members.get(is_primary=True)
        run()
        with pytest.raises(ValidationError):
            cases.member_update(user=coordinator_kita, member=member, expected_version=member.version, name=NAME)


class TestDryRunAndAudit:
    def test_a_dry_run_lists_case_numbers_and_changes_nothing(self, family, osaka):
        events = AuditEvent.objects.count()
        out = run("--dry-run")
        number = Case.all_objects.get(household=family).number
        assert number in out and "確認のみ: 1世帯・1事例" in out and NAME not in out
        assert HouseholdMember.objects.filter(name=NAME).exists()
        assert not Anonymisation.objects.exists() and AuditEvent.objects.count() == events

    def test_one_event_per_case_and_a_summary_each_naming_the_municipality(self, family, osaka, administrator):
        run("--user", administrator.username)
        events = AuditEvent.objects.filter(action=Action.ANONYMISE).order_by("pk")
        case = Case.all_objects.get(household=family)
        assert [(e.object_type, e.object_id) for e in events] == [("cases.case", str(case.pk)), ("retention.run", "")]
        assert {e.municipality_id for e in events} == {osaka.pk}
        assert {e.user_id for e in events} == {administrator.pk}
        assert events.last().detail["households"] == 1 and events.last().detail["cases"] == 1

    def test_the_command_explains_a_wrong_municipality_or_user(self, osaka):
        with pytest.raises(CommandError, match="999999"):
            run("--municipality", "999999")
        with pytest.raises(CommandError, match="nobody"):
            run("--user", "nobody")


class TestAdmin:
    def test_the_administrator_sets_the_period_in_the_admin_and_it_is_audited(self, client, administrator, osaka):
        client.force_login(administrator)
        response = client.post(reverse("admin:retention_retentionpolicy_add"), {"years": 7})
        assert response.status_code == 302
        policy = RetentionPolicy.objects.get()
        assert (policy.municipality, policy.years) == (osaka, 7)
        client.post(reverse("admin:retention_retentionpolicy_change", args=[policy.pk]), {"years": 6})
        events = AuditEvent.objects.filter(object_type="retention.retentionpolicy").order_by("pk")
        assert [(e.action, e.detail["years"]) for e in events] == [
            (Action.CREATE, {"before": None, "after": 7}), (Action.UPDATE, {"before": 7, "after": 6})]
        assert {e.municipality_id for e in events} == {osaka.pk}
        # One period per municipality: no second one to add, none to delete.
        assert client.get(reverse("admin:retention_retentionpolicy_add")).status_code == 403


def test_households_of_other_municipalities_are_left_alone(coordinator_komae, komae_area, osaka, komae):
    case = closed_case(coordinator_komae, komae_area, closed_on=dt.date(2018, 5, 1))
    run("--municipality", osaka.code)
    assert Household.all_objects.get(pk=case.household_id).members.get().name == "期限 未満"
    run("--municipality", komae.code)
    assert Household.all_objects.get(pk=case.household_id).members.get().name == ANONYMISED
