"""The counts triggers find an UPDATE's changed rows by EXCEPT, in time linear in the rows updated.

Migration 0003 matched each new row to its old one with NOT EXISTS over the two transition tables. Neither has an
index, and with sequential scans priced out inside the functions (0004) the planner chose a nested loop: an UPDATE
of a few thousand cases (seed_demo's dates) took minutes, quadratic in the rows. EXCEPT compares the rows as a set
(hashed or sorted, never a nested loop). The rows compared carry the columns the key needs as well as those read by
the counts: a change of those too only bumps a version more than needed, never less.
"""

import importlib

from django.db import migrations

triggers = importlib.import_module("reports.migrations.0003_annual_counts_triggers")


def changed(columns: str) -> dict[str, str]:
    """The old and the new form of the rows an UPDATE changed in `columns` (an id and the columns, as rows)."""
    cols = ", ".join(["id", *columns.split()])
    return {
        "old": f"SELECT {cols} FROM old_rows EXCEPT SELECT {cols} FROM new_rows",
        "new": f"SELECT {cols} FROM new_rows EXCEPT SELECT {cols} FROM old_rows",
    }


def child_update(columns: str, keys) -> str:
    update = changed(columns)
    lock_old, bump_old = keys(update["old"])
    lock_new, bump_new = keys(update["new"])
    return lock_old + lock_new + bump_old + bump_new


def masters(table: str, columns: str, usage: str) -> str:
    return triggers.bump(
        f"SELECT municipality_id, 0 FROM ({{old}}) r UNION ALL SELECT municipality_id, 0 FROM ({{new}}) r{usage}"
        .format(**changed(f"municipality_id {columns}"))
    )


MEETING = changed(triggers.MEETING_COLUMNS)
BODIES = {
    "reports_counts_meetings_meeting_update": triggers.bump(
        triggers.meeting_keys(MEETING["old"]) + " UNION ALL " + triggers.meeting_keys(MEETING["new"])),
    "reports_counts_meetings_meetingcase_update": child_update(
        "meeting_id case_id", lambda rows: triggers.child_keys(rows, "meeting_id")),
    "reports_counts_meetings_meetingagency_update": child_update(
        "meeting_id agency_id attended", lambda rows: triggers.child_keys(rows, "meeting_id")),
    "reports_counts_meetings_meetingcaseissue_update": child_update("discussion_id category_id", triggers.issue_keys),
    "reports_counts_meetings_meetingkind_update": triggers.bump(
        "SELECT COALESCE(municipality_id, 0), 0 FROM ({old}) r UNION ALL SELECT COALESCE(municipality_id, 0), 0 FROM ({new}) r"
        .format(**changed("municipality_id in_annual_tables"))),
    "reports_counts_agencies_agency_update": masters("agencies_agency", "category_id", """
            UNION ALL SELECT DISTINCT m.municipality_id, 0 FROM meetings_meetingagency ma
                JOIN meetings_meeting m ON m.id = ma.meeting_id WHERE ma.agency_id IN (SELECT id FROM ({new}) r)"""),
    "reports_counts_cases_case_update": masters("cases_case", "referring_category_id", """
            UNION ALL SELECT DISTINCT m.municipality_id, 0 FROM meetings_meetingcase d
                JOIN meetings_meeting m ON m.id = d.meeting_id WHERE d.case_id IN (SELECT id FROM ({new}) r)"""),
}


def forward() -> str:
    return "\n".join(triggers.function(name, body).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
                     + f"\nALTER FUNCTION {name}() SET enable_seqscan = off;" for name, body in BODIES.items())


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_activity_report_issue_index")]

    operations = [migrations.RunSQL(forward(), migrations.RunSQL.noop)]
