"""(action, at) for the failed-login burst check (audit.alerts). Built CONCURRENTLY: every request writes to the
trail, and a plain CREATE INDEX would hold those writes for as long as the build takes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0006_audit_hash_chain")]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["action", "at"], name="audit_action_at_idx"),
        ),
    ]
