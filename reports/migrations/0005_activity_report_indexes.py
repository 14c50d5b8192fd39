"""Indexes the activity report (reports.activities, reports.indicators) reads at city scale.

A period's consultations and tasks through their date, with the case they belong to; a case's municipality, ward and
reception day without reading the case's row. Without them each of the report's statements read all consultations,
tasks or cases of the city (docs/benchmarks/pages.md). Kept here, beside the report that needs them, like the counts
triggers of 0003.
"""

from django.db import migrations

INDEXES = {
    "report_consultation_held_idx": "cases_consultation (held_at) INCLUDE (case_id)",
    "report_task_created_idx": "cases_roleassignment (created_at) INCLUDE (case_id, agency_id)",
    "report_case_scope_idx": "cases_case (municipality_id, ward_id, id) INCLUDE (received_on)",
}


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_counts_triggers_use_indexes"), ("cases", "0012_member_checkboxes_removed")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX {name} ON {target}", f"DROP INDEX {name}") for name, target in INDEXES.items()
    ]
