from django.db import migrations


class Migration(migrations.Migration):
    """The job's message was text in the language of the worker; 0006 moved it into `notice`."""

    dependencies = [
        ("ledger", "0006_notices_from_texts"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="importjob",
            name="message",
        ),
    ]
