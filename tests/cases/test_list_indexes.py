"""The lists a ward opens first can walk an index in their own order (migration cases 0013, meetings 0009).

A test database is too small for the planner to choose an index by cost, so sequential scans, bitmap scans and
sorts are priced out: the index named must then be the one that serves the statement as the page writes it."""

import pytest
from django.db import connection, transaction

from cases.models import Case
from cases.selectors import household_list, overdue_tasks
from meetings.selectors import upcoming_meetings


def _plan(queryset, *, sorted_by_index=True) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        if sorted_by_index:
            cursor.execute("SET LOCAL enable_sort = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_overdue_tasks_walk_the_pending_due_index(coordinator_kita):
    assert "task_pending_due_idx" in _plan(overdue_tasks(user=coordinator_kita)[:20])


@pytest.mark.django_db
def test_a_wards_newest_households_read_the_ward_recent_index(coordinator_kita):
    # Only the order decides it: the count may use this index or the ward's own, by the statistics of the moment.
    assert "household_ward_recent_idx" in _plan(household_list(user=coordinator_kita)[:50])


@pytest.mark.django_db
def test_a_wards_newest_cases_read_the_ward_recent_index(coordinator_kita):
    cases = Case.objects.for_user(coordinator_kita).order_by("-received_on", "-pk")[:50]
    assert "case_ward_recent_idx" in _plan(cases)


@pytest.mark.django_db
def test_an_agencys_upcoming_meetings_read_the_scheduled_index(agency_worker):
    # Its meetings span the city's wards: without this index, every meeting of the city is read (and sorted).
    assert "meeting_scheduled_day_idx" in _plan(upcoming_meetings(user=agency_worker)[:10], sorted_by_index=False)
