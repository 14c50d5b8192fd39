from django.db import migrations

from cases.masters import ISSUE_CATEGORIES


def load(apps, schema_editor):
    IssueCategory = apps.get_model("cases", "IssueCategory")
    for order, (name, suspected) in enumerate(ISSUE_CATEGORIES, start=1):
        IssueCategory.objects.update_or_create(
            municipality=None, name=name, defaults={"allows_suspected": suspected, "sort_order": order * 10}
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "IssueCategory").objects.filter(
        municipality=None, name__in=[name for name, _ in ISSUE_CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
