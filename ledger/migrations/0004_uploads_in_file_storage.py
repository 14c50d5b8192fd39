"""Uploaded ledgers move from a bytea column to file storage (settings STORAGES["ledger"]).

A job still holding its file (waiting, checked, or rejected and awaiting an alias) gets it written to
storage first; the column is dropped after.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import migrations, models


def move_files(apps, schema_editor):
    ImportJob = apps.get_model("ledger", "ImportJob")
    storage = storages["ledger"]
    for job in ImportJob.objects.exclude(data=b"").iterator(chunk_size=1):
        data = bytes(job.data)
        extension = job.filename.lower().rsplit(".", 1)[-1] if "." in job.filename else "csv"
        job.stored_name = storage.save(f"migrated/{uuid.uuid4().hex}.{extension}", ContentFile(data))
        job.size = len(data)
        job.save(update_fields=["stored_name", "size"])


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_provenance'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='plan',
            field=models.JSONField(blank=True, default=dict, verbose_name='取り込みの計画'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='size',
            field=models.PositiveBigIntegerField(default=0, verbose_name='大きさ（バイト）'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='stored_name',
            field=models.CharField(blank=True, max_length=255, verbose_name='保存先'),
        ),
        migrations.RunPython(move_files, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='importjob',
            name='data',
        ),
    ]
