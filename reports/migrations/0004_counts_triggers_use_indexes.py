"""The counts triggers look meetings up by primary key whatever the planner's statistics say.

A trigger's statement joins a transition table (no statistics) to meetings_meeting / meetings_meetingcase. With
statistics that say a table is empty while it is not (autovacuum after a large import that was rolled back), the
planner chose sequential scans in a nested loop: a 60,000-row import sat in one COPY for minutes (docs/benchmarks.md).
With sequential scans disabled inside these functions, every lookup is an index scan on the primary key.
"""

from django.db import migrations

FUNCTIONS = [
    f"reports_counts_{table}_{event}"
    for table, events in {
        "meetings_meeting": ("insert", "update", "delete"),
        "meetings_meetingcase": ("insert", "update", "delete"),
        "meetings_meetingagency": ("insert", "update", "delete"),
        "meetings_meetingcaseissue": ("insert", "update", "delete"),
        "meetings_meetingkind": ("update",),
        "agencies_agency": ("update",),
        "cases_case": ("update",),
    }.items()
    for event in events
]


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_annual_counts_triggers")]

    operations = [
        migrations.RunSQL(
            "\n".join(f"ALTER FUNCTION {name}() SET enable_seqscan = off;" for name in FUNCTIONS),
            "\n".join(f"ALTER FUNCTION {name}() RESET enable_seqscan;" for name in FUNCTIONS),
        ),
    ]
