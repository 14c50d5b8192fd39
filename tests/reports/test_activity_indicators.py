"""The activity report's figures read at city scale through few statements: the multi-field count by hand, and the
statements the report costs."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import RoleAssignment
from meetings.models import MeetingCase
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
    # activities by kind; each period's consultations by month (the totals are their sums), つながる場, continuing cases
    with django_assert_num_queries(1 + 2 + 2 + 2):
        activity_report(municipality=kita.municipality, start=START, end=END)
    # multi-field (discussed cases, the others), household-wide, newly connected, newly linked, trainings, outreach,
    # tools, agenda items, case meetings, network meetings, their agencies, attendees, agenda, concluded, progress
    with django_assert_num_queries(2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1):
        evaluation_indicators(municipality=kita.municipality, start=START, end=END)
