"""The members a discussed case's issues concern, read from an index alone (「世帯全体の支援を検討した事例数」 of
reports.indicators); docs/benchmarks/pages.md."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_activity_report_indexes")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX report_issue_member_idx ON cases_caseissue (case_id) INCLUDE (member_id)",
            "DROP INDEX report_issue_member_idx",
        ),
    ]
