"""The meeting → 役割分担 link moves from cases (RoleAssignment.meeting) to meetings (MeetingTask).

A database migrated before the squash still has cases_roleassignment.meeting_id: its links are copied
here and the column (and its history twin) dropped. A new database never had the column.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.schema import column_names


def move_links(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if "meeting_id" in column_names(cursor, "cases_roleassignment"):
            cursor.execute("INSERT INTO meetings_meetingtask (meeting_id, task_id) SELECT meeting_id, id "
                           "FROM cases_roleassignment WHERE meeting_id IS NOT NULL ORDER BY id")
            cursor.execute("ALTER TABLE cases_roleassignment DROP COLUMN meeting_id")
        if "meeting_id" in column_names(cursor, "cases_historicalroleassignment"):
            cursor.execute("ALTER TABLE cases_historicalroleassignment DROP COLUMN meeting_id")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_squashed_0007_cases'),
        ('meetings', '0001_squashed_0006_meetings'),
    ]

    operations = [
        migrations.CreateModel(
            name='MeetingTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='task_links', to='meetings.meeting', verbose_name='決めた会議')),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_link', to='cases.roleassignment', verbose_name='役割分担')),
            ],
            options={
                'verbose_name': '会議で決めた役割分担',
                'verbose_name_plural': '会議で決めた役割分担',
                'ordering': ['pk'],
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='tasks',
            field=models.ManyToManyField(blank=True, related_name='+', through='meetings.MeetingTask', to='cases.roleassignment', verbose_name='決めた役割分担'),
        ),
        # Links are not put back: the column stays gone on the way down.
        migrations.RunPython(move_links, migrations.RunPython.noop),
    ]
