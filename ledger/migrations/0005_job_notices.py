from django.db import migrations, models


class Migration(migrations.Migration):
    """A job's notices (what the check noticed) and how it ended, as {"kind", "params"}: see ledger.notices."""

    dependencies = [
        ("ledger", "0004_uploads_in_file_storage"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="notice",
            field=models.JSONField(blank=True, default=dict, verbose_name="お知らせ"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="notices",
            field=models.JSONField(blank=True, default=list, verbose_name="確認で気づいたこと"),
        ),
    ]
