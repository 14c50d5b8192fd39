"""A database migrated before the squash of cases and meetings keeps its links and provenance.

Such a database still has cases_roleassignment.meeting_id and the source_import_id/source_row columns of
cases and meetings (and their history twins). The squashed migrations are recorded as applied there, then
meetings 0007 and ledger 0003 copy what those columns hold into the tables that now own it and drop them.
These tests put the old columns back, run the two steps, and read the result.
"""

import importlib

import pytest
from django.db import connection

from cases.models import RoleAssignment
from ledger.models import ImportedCase, ImportedMeeting, LedgerImport
from meetings.models import MeetingTask

pytestmark = pytest.mark.django_db(transaction=True)

OLD_COLUMNS = {
    "cases_roleassignment": ["meeting_id bigint"], "cases_historicalroleassignment": ["meeting_id bigint"],
    "cases_case": ["source_import_id bigint", "source_row integer"],
    "cases_historicalcase": ["source_import_id bigint", "source_row integer"],
    "meetings_meeting": ["source_import_id bigint", "source_row integer"],
    "meetings_historicalmeeting": ["source_import_id bigint", "source_row integer"],
}


def _columns(table):
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def _run(module, function):
    step = getattr(importlib.import_module(module), function)
    with connection.schema_editor() as editor:
        step(None, editor)


@pytest.fixture
def old_schema():
    with connection.cursor() as cursor:
        for table, columns in OLD_COLUMNS.items():
            for column in columns:
                cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} NULL")
    yield
    with connection.cursor() as cursor:  # whatever a failing step left behind
        for table, columns in OLD_COLUMNS.items():
            for column in columns:
                cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column.split()[0]}")


def test_tasks_decided_at_meetings_keep_their_meeting(old_schema, case_kita, meeting_kita):
    task = case_kita.tasks.get()
    RoleAssignment.objects.create(case=case_kita, agency=task.agency, task="決めた会議のない役割", created_by=task.created_by)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_roleassignment SET meeting_id = %s WHERE id = %s", [meeting_kita.pk, task.pk])
    _run("meetings.migrations.0007_meeting_tasks", "move_links")
    assert list(MeetingTask.objects.values_list("task_id", "meeting_id")) == [(task.pk, meeting_kita.pk)]
    assert "meeting_id" not in _columns("cases_roleassignment") | _columns("cases_historicalroleassignment")


def test_imported_cases_and_meetings_keep_their_file_and_row(old_schema, osaka, case_kita, meeting_kita):
    record = LedgerImport.objects.create(municipality=osaka, filename="台帳.csv", sha256="0" * 64)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET source_import_id = %s, source_row = 7 WHERE id = %s", [record.pk, case_kita.pk])
        cursor.execute("UPDATE meetings_meeting SET source_import_id = %s, source_row = 9 WHERE id = %s",
                       [record.pk, meeting_kita.pk])
    _run("ledger.migrations.0003_provenance", "move_provenance")
    assert list(ImportedCase.objects.values_list("case_id", "source_id", "row")) == [(case_kita.pk, record.pk, 7)]
    assert list(ImportedMeeting.objects.values_list("meeting_id", "source_id", "row")) == [(meeting_kita.pk, record.pk, 9)]
    for table in ("cases_case", "cases_historicalcase", "meetings_meeting", "meetings_historicalmeeting"):
        assert not {"source_import_id", "source_row"} & _columns(table), table


def test_a_new_database_has_nothing_to_move(case_kita):
    _run("meetings.migrations.0007_meeting_tasks", "move_links")
    _run("ledger.migrations.0003_provenance", "move_provenance")
    assert not MeetingTask.objects.exists() and not ImportedCase.objects.exists()
