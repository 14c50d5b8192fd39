"""Where an imported case or meeting came from is ledger's to keep (ImportedCase, ImportedMeeting).

A database migrated before the squash still has source_import_id/source_row on cases_case and
meetings_meeting (and their history twins): the provenance is copied here and the columns dropped.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.schema import column_names

MOVED = (("cases_case", "ledger_importedcase", "case_id"), ("meetings_meeting", "ledger_importedmeeting", "meeting_id"))


def move_provenance(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table, provenance, key in MOVED:
            if "source_import_id" in column_names(cursor, table):
                cursor.execute(f"INSERT INTO {provenance} ({key}, source_id, row) "  # fixed table names, no input
                               f"SELECT id, source_import_id, COALESCE(source_row, 0) FROM {table} "
                               "WHERE source_import_id IS NOT NULL ORDER BY id")
            history = table.replace("_", "_historical", 1)
            for name in (table, history):
                existing = column_names(cursor, name)
                for column in ("source_import_id", "source_row"):
                    if column in existing:
                        cursor.execute(f"ALTER TABLE {name} DROP COLUMN {column}")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_squashed_0007_cases'),
        ('ledger', '0002_import_job'),
        ('meetings', '0007_meeting_tasks'),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportedCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField(verbose_name='取り込み元の行')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_provenance', to='cases.case', verbose_name='事例')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='ledger.ledgerimport', verbose_name='取り込み元')),
            ],
            options={
                'verbose_name': '台帳から取り込んだ事例',
                'verbose_name_plural': '台帳から取り込んだ事例',
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='ImportedMeeting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField(verbose_name='取り込み元の行')),
                ('meeting', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_provenance', to='meetings.meeting', verbose_name='会議')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='ledger.ledgerimport', verbose_name='取り込み元')),
            ],
            options={
                'verbose_name': '台帳から取り込んだ会議',
                'verbose_name_plural': '台帳から取り込んだ会議',
                'ordering': ['pk'],
            },
        ),
        # Provenance is not put back: the columns stay gone on the way down.
        migrations.RunPython(move_provenance, migrations.RunPython.noop),
    ]
