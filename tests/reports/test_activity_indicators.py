"""The activity report's figures read at city scale through few statements: the multi-field count, the monthly
consultations with continuing cases, household-wide cases and newly linked agencies by hand, and the statements the
report costs."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import CaseIssue, Consultation, IssueCategory, RoleAssignment
from meetings import services
from meetings.models import MeetingBasis, MeetingCase, MeetingKind
from reports.activities import activity_report
from reports.indicators import evaluation_indicators
from tests.factories import AgencyFactory, HouseholdFactory, HouseholdMemberFactory
from tests.reports.test_annual import _category, held

pytestmark = pytest.mark.django_db

START, END = dt.date(2020, 4, 1), dt.date(2021, 1, 31)


def _at(day, hour=10, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _task(case, category, created_at, user):
    agency = AgencyFactory(ward=case.ward, category=_category(category), name=f"{category}{case.pk}{created_at:%H%M%S%f}")
    task = RoleAssignment.objects.create(case=case, agency=agency, task="見守り", created_by=user)
    RoleAssignment.objects.filter(pk=task.pk).update(created_at=created_at)


def _case(coordinator, ward):
    household = HouseholdFactory(ward=ward)
    HouseholdMemberFactory(household=household)
    return case_services.case_open(user=coordinator, household=household, received_on=dt.date(2019, 4, 1),
                                   intake_channel="phone")


def _multi_field(**kwargs):
    return next(i.value for i in evaluation_indicators(**kwargs) if i.name == "複数分野の関係機関が連携・対応した事例数")


def test_cases_of_two_fields_count_every_task_of_a_discussed_case_and_the_period_s_tasks_of_others(coordinator_kita, kita):
    before, inside, last_evening, after = _at(dt.date(2019, 1, 1)), _at(dt.date(2020, 5, 1)), _at(END, 23, 30), _at(
        dt.date(2021, 2, 1), 0, 10)
    discussed = MeetingCase.objects.get(meeting=held(coordinator_kita, kita)).case  # discussed on 2020-06-01: its tasks of any day count
    _task(discussed, "地域包括支援センター", before, coordinator_kita)  # elderly
    _task(discussed, "生活保護担当", before, coordinator_kita)  # poverty -> counts (1)
    one_inside = _case(coordinator_kita, kita)
    _task(one_inside, "地域包括支援センター", inside, coordinator_kita)
    _task(one_inside, "生活保護担当", before, coordinator_kita)  # only one field in the period -> no
    both_inside = _case(coordinator_kita, kita)
    _task(both_inside, "地域包括支援センター", inside, coordinator_kita)
    _task(both_inside, "生活保護担当", last_evening, coordinator_kita)  # the last day's evening is inside -> counts (2)
    one_field = _case(coordinator_kita, kita)
    _task(one_field, "地域包括支援センター", inside, coordinator_kita)
    _task(one_field, "高齢福祉担当", inside, coordinator_kita)  # both elderly -> no
    one_after = _case(coordinator_kita, kita)
    _task(one_after, "地域包括支援センター", inside, coordinator_kita)
    _task(one_after, "生活保護担当", after, coordinator_kita)  # just after the period -> no

    assert _multi_field(municipality=kita.municipality, start=START, end=END) == 2
    assert _multi_field(municipality=kita.municipality, start=START, end=END, ward=kita) == 2
    # A year later nothing is discussed and no task was made: none.
    assert _multi_field(municipality=kita.municipality, start=dt.date(2021, 4, 1), end=dt.date(2022, 1, 31)) == 0


def test_the_report_costs_a_fixed_number_of_statements(coordinator_kita, kita, django_assert_num_queries):
    for day in (dt.date(2020, 6, 1), dt.date(2020, 7, 1), dt.date(2019, 6, 1)):
        held(coordinator_kita, kita, day=day)
    # activities by kind; both periods' consultations by month (the totals are their sums) with their continuing cases
    # in one statement; each period's つながる場
    with django_assert_num_queries(1 + 1 + 2):
        activity_report(municipality=kita.municipality, start=START, end=END)
    # multi-field (discussed cases, the others), household-wide, newly connected, newly linked, trainings, outreach,
    # tools, agenda items, case meetings, network meetings, their agencies, attendees, agenda, concluded, progress
    with django_assert_num_queries(2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1):
        evaluation_indicators(municipality=kita.municipality, start=START, end=END)


def _consulted(case, held_at, staff):
    Consultation.objects.create(case=case, held_at=held_at, method="phone", staff=staff, summary="相談")


def test_consultations_by_month_and_continuing_cases_of_both_periods(coordinator_kita, coordinator_nishinari, kita,
                                                                    nishinari, coordinator_komae, komae_area):
    early = _case(coordinator_kita, kita)  # received 2019-04-01: continuing in this period, new in the one before
    late = case_services.case_open(user=coordinator_nishinari, household=HouseholdFactory(ward=nishinari),
                                   received_on=dt.date(2020, 5, 1), intake_channel="phone")
    elsewhere = _case(coordinator_komae, komae_area)  # another municipality: never counted
    _consulted(early, _at(dt.date(2020, 4, 30), 23, 30), coordinator_kita)  # April in Tokyo (14:30 UTC)
    _consulted(early, _at(dt.date(2020, 5, 1), 0, 10), coordinator_kita)  # May in Tokyo, still April in UTC
    _consulted(early, _at(dt.date(2020, 5, 20)), coordinator_kita)
    _consulted(early, _at(dt.date(2019, 6, 1)), coordinator_kita)  # the same months a year earlier
    _consulted(late, _at(dt.date(2020, 5, 2)), coordinator_nishinari)
    _consulted(late, _at(END, 23, 30), coordinator_nishinari)  # the last evening is inside
    _consulted(late, _at(dt.date(2021, 2, 1), 0, 10), coordinator_nishinari)  # just after: outside
    _consulted(elsewhere, _at(dt.date(2020, 5, 2)), coordinator_komae)

    report = activity_report(municipality=kita.municipality, start=START, end=END)
    assert report.consultations_by_month == {"current": {"2020-04": 1, "2020-05": 3, "2021-01": 1},
                                             "previous": {"2019-06": 1}}
    assert report.consultations == {"current": 5, "previous": 1}
    assert report.continuing_share == {"current": 50, "previous": 0}  # 1 of 2 cases; 0 of 1 a year earlier
    in_kita = activity_report(municipality=kita.municipality, start=START, end=END, ward=kita)
    assert in_kita.consultations_by_month == {"current": {"2020-04": 1, "2020-05": 2}, "previous": {"2019-06": 1}}
    assert in_kita.continuing_share == {"current": 100, "previous": 0}


def _meeting(coordinator, ward, day, *, invited, attended, cases):
    cases = cases or [_case(coordinator, ward)]  # a case meeting discusses at least one case (this one has no issues)
    meeting = services.meeting_schedule(
        user=coordinator, ward=ward, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=_at(day), agencies=invited, cases=cases)
    return services.meeting_record(user=coordinator, meeting=meeting, version=meeting.version, attended_agencies=attended,
                                   discussions={case.pk: {"issues": [], "note": ""} for case in cases})


def _indicator(name, **kwargs):
    return next(i.value for i in evaluation_indicators(**kwargs) if i.name == name)


def test_household_wide_cases_and_newly_linked_agencies(coordinator_kita, kita):
    present, new, invited_only = (AgencyFactory(ward=kita, category=_category("地域包括支援センター"), name=name)
                                  for name in ("前から出席", "初めて出席", "招集のみ"))
    category = IssueCategory.objects.get(name="孤立")

    def case_with_issues(members):
        case = _case(coordinator_kita, kita)
        for number in members:
            member = HouseholdMemberFactory(household=case.household, is_primary=False) if number else None
            CaseIssue.objects.create(case=case, category=category, member=member, noted_on=START)
        return case

    two, one_twice, one_and_none, not_discussed = (case_with_issues(m) for m in ((1, 2), (1,), (1, 0), (1, 2)))
    one_twice.issues.create(category=category, member=one_twice.issues.get().member, noted_on=START)
    _meeting(coordinator_kita, kita, dt.date(2019, 6, 1), invited=[present, invited_only], attended=[present], cases=[])
    _meeting(coordinator_kita, kita, dt.date(2020, 6, 1), invited=[present, new, invited_only],
             attended=[present, new, invited_only], cases=[two, one_twice, one_and_none])
    _meeting(coordinator_kita, kita, dt.date(2020, 7, 1), invited=[new], attended=[new], cases=[])
    _meeting(coordinator_kita, kita, dt.date(2021, 6, 1), invited=[present], attended=[present], cases=[not_discussed])

    period = {"municipality": kita.municipality, "start": START, "end": END}
    assert _indicator("世帯全体の支援を検討した事例数", **period) == 1  # two members; one member twice or with none: no
    assert _indicator("新たに連携した機関数", **period) == 2  # the first-timer and the one only invited before
    # From 2020-07 on, both had attended before: none new; the case discussed in 2021 is outside the period.
    later = {"municipality": kita.municipality, "start": dt.date(2020, 7, 1), "end": dt.date(2021, 1, 31)}
    assert (_indicator("新たに連携した機関数", **later), _indicator("世帯全体の支援を検討した事例数", **later)) == (0, 0)
