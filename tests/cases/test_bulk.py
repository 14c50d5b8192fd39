"""The bulk services of cases keep the rules of the single-object services (the importer and the demo use them)."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseStatus, Consent, Consultation, Household, HouseholdMember, IssueCategory
from cases.selectors import household_search
from cases.services.bulk import (
    NewCase,
    NewCaseIssue,
    NewConsent,
    NewConsultation,
    NewHousehold,
    case_bulk_close_later,
    case_bulk_create,
    consent_bulk_record,
    consultation_bulk_record,
    household_bulk_create,
)

pytestmark = pytest.mark.django_db

MEMBERS = [{"name": "山田　太郎", "name_kana": "ヤマダ タロウ", "relationship": "本人"},
           {"name": "山田 花子", "name_kana": "やまだ はなこ", "relationship": "母"}]


def _households(osaka, kita, coordinator_kita, n=2):
    return household_bulk_create(user=coordinator_kita, municipality=osaka, households=[
        NewHousehold(ward=kita, address=f"大阪市北区梅田１丁目{i}番", phone="06-1234-567" + str(i), members=MEMBERS)
        for i in range(n)])


def test_households_get_their_search_keys_members_and_history(osaka, kita, coordinator_kita):
    created = _households(osaka, kita, coordinator_kita)
    household = created[0].household
    assert [m.is_primary for m in created[0].members] == [True, False]
    # Found as household_create's households are: by name in another script, by phone digits.
    assert list(household_search(user=coordinator_kita, query="やまだたろう")) and household.phone_digits == "0612345670"
    assert list(household_search(user=coordinator_kita, query="ﾔﾏﾀﾞ ﾊﾅｺ"))  # the second member's kana, half-width
    assert household.history.get().history_user == coordinator_kita
    assert HouseholdMember.history.filter(household_id=household.pk).count() == 2


def test_cases_are_numbered_per_fiscal_year_in_the_order_given(osaka, kita, coordinator_kita):
    households = [h.household for h in _households(osaka, kita, coordinator_kita, n=3)]
    single = services.case_open(user=coordinator_kita, household=households[0], received_on=dt.date(2020, 6, 1),
                                intake_channel="phone")
    cases = case_bulk_create(user=coordinator_kita, municipality=osaka, cases=[
        NewCase(household=households[1], received_on=dt.date(2020, 5, 1), intake_channel="visit", created_by=coordinator_kita),
        NewCase(household=households[2], received_on=dt.date(2021, 4, 1), intake_channel="visit", created_by=coordinator_kita),
    ])
    # After the one case_open numbered, in the same sequence; FY2021 starts its own.
    assert (single.number, [c.number for c in cases]) == ("R2-0001", ["R2-0002", "R3-0001"])


def test_a_closed_case_has_its_status_changes_issues_and_history(osaka, kita, coordinator_kita, supervisor):
    household = _households(osaka, kita, coordinator_kita, n=1)[0]
    dementia = IssueCategory.objects.get(name="認知症")
    poverty = IssueCategory.objects.get(name="経済的困窮")
    (case,) = case_bulk_create(user=coordinator_kita, municipality=osaka, cases=[NewCase(
        household=household.household, received_on=dt.date(2020, 5, 1), intake_channel="visit",
        created_by=coordinator_kita, status=CaseStatus.CLOSED, closed_on=dt.date(2020, 9, 1), reason="生活が安定した",
        ended_at=timezone.make_aware(dt.datetime(2020, 9, 1, 17)), supervisors=[supervisor],
        issues=[NewCaseIssue(dementia, suspected=True, member=household.members[0]), NewCaseIssue(poverty, suspected=True)],
    )])
    case = Case.all_objects.get(pk=case.pk)
    assert (case.status, case.closed_on, case.closing_reason) == (CaseStatus.CLOSED, dt.date(2020, 9, 1), "生活が安定した")
    assert [(s.action, s.to_status) for s in case.status_changes.order_by("changed_at")] == [
        ("open", CaseStatus.RECEIVED), ("close", CaseStatus.CLOSED)]
    # 疑い only where the category allows it, as case_issue_add.
    assert {(i.category.name, i.suspected) for i in case.issues.all()} == {
        ("認知症", dementia.allows_suspected), ("経済的困窮", poverty.allows_suspected)}
    assert list(case.supervisors.all()) == [supervisor] and case.history.count() == 1


def test_a_case_of_an_agency_of_another_category_is_refused(osaka, kita, coordinator_kita, kita_houkatsu):
    household = _households(osaka, kita, coordinator_kita, n=1)[0].household
    wrong = type(kita_houkatsu.category).objects.exclude(pk=kita_houkatsu.category_id).first()
    with pytest.raises(ValueError, match="referrer"):
        case_bulk_create(user=coordinator_kita, municipality=osaka, cases=[NewCase(
            household=household, received_on=dt.date(2020, 5, 1), intake_channel="agency", created_by=coordinator_kita,
            referring_agency=kita_houkatsu, referring_category=wrong)])
    assert not Case.all_objects.exists()


def test_consultations_and_consents_in_bulk_and_nothing_in_the_future(osaka, kita, coordinator_kita):
    household = _households(osaka, kita, coordinator_kita, n=1)[0]
    (case,) = case_bulk_create(user=coordinator_kita, municipality=osaka, cases=[NewCase(
        household=household.household, received_on=dt.date(2020, 5, 1), intake_channel="visit", created_by=coordinator_kita)])
    held = timezone.make_aware(dt.datetime(2020, 5, 1, 10))
    consultation_bulk_record(user=coordinator_kita, consultations=[
        NewConsultation(case=case, held_at=held, method="phone", staff=coordinator_kita, summary="電話で相談", minutes=15)])
    consent_bulk_record(user=coordinator_kita, consents=[NewConsent(
        member=household.members[0], purpose="meeting", obtained_on=dt.date(2020, 5, 2), obtained_by=coordinator_kita,
        method="written", all_agencies=True)])
    assert Consultation.history.count() == 1 and Consent.objects.get().history.count() == 1
    with pytest.raises(ValueError, match="after it was held"):
        consultation_bulk_record(user=coordinator_kita, consultations=[NewConsultation(
            case=case, held_at=timezone.now() + dt.timedelta(days=1), method="phone", staff=coordinator_kita, summary="x")])
    assert Consultation.objects.count() == 1


def test_closed_cases_close_later_only_forward(osaka, kita, coordinator_kita):
    household = _households(osaka, kita, coordinator_kita, n=1)[0].household
    (case,) = case_bulk_create(user=coordinator_kita, municipality=osaka, cases=[NewCase(
        household=household, received_on=dt.date(2020, 5, 1), intake_channel="visit", created_by=coordinator_kita,
        status=CaseStatus.CLOSED, closed_on=dt.date(2020, 9, 1), reason="台帳から")])
    assert case_bulk_close_later(user=coordinator_kita, closed_on={case.pk: dt.date(2020, 8, 1)}) == 0
    assert case_bulk_close_later(user=coordinator_kita, closed_on={case.pk: dt.date(2021, 1, 10)}) == 1
    case.refresh_from_db()
    assert case.closed_on == dt.date(2021, 1, 10) and case.history.count() == 2
    assert Household.all_objects.count() == 1
