"""The trail as hash chains (#15, audit.chain): every event gets its seq and hash; the events written before this
migration are chained in the order they were written (by id), one chain per municipality."""

import django.contrib.postgres.indexes
from django.db import migrations, models

BATCH = 5000


def chain_existing(apps, schema_editor):
    from psycopg2.extras import execute_values

    from audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    heads: dict[int, tuple[int, str]] = {}
    fields = [name for name in chain.FIELDS if name != "seq"]
    with schema_editor.connection.cursor() as cursor:
        # The append-only trigger refuses every UPDATE; this one migration fills the new columns past it.
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        batch = []

        def flush():
            execute_values(cursor.cursor,
                           "UPDATE audit_auditevent AS e SET seq = v.seq, hash = v.hash "
                           "FROM (VALUES %s) AS v(id, seq, hash) WHERE e.id = v.id", batch, page_size=BATCH)
            batch.clear()

        for row in AuditEvent.objects.order_by("pk").values("pk", *fields).iterator(chunk_size=BATCH):
            key = chain.chain_key(row["municipality_id"])
            seq, previous = heads.get(key, (0, ""))
            row["seq"] = seq + 1
            heads[key] = (row["seq"], chain.digest(row, previous))
            batch.append((row["pk"], row["seq"], heads[key][1]))
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    AuditChainHead.objects.bulk_create(AuditChainHead(chain=key, seq=seq, hash=last) for key, (seq, last) in heads.items())


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_trust_actions")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.PositiveBigIntegerField(primary_key=True, serialize=False, verbose_name="チェーン")),
                ("seq", models.PositiveBigIntegerField(verbose_name="最後の連番")),
                ("hash", models.CharField(blank=True, max_length=64, verbose_name="最後のハッシュ")),
            ],
            options={"verbose_name": "監査ログの末尾", "verbose_name_plural": "監査ログの末尾"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="連番"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="ハッシュ"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="連番"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["detail"], name="audit_detail_gin_idx", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("municipality", "seq"), name="audit_chain_seq_unique", nulls_distinct=False
            ),
        ),
    ]
