from django.db import migrations

from agencies.masters import AGENCY_CATEGORIES


def load(apps, schema_editor):
    AgencyCategory = apps.get_model("agencies", "AgencyCategory")
    for order, (name, field) in enumerate(AGENCY_CATEGORIES, start=1):
        AgencyCategory.objects.update_or_create(
            municipality=None, name=name, defaults={"field": field, "sort_order": order * 10}
        )


def unload(apps, schema_editor):
    apps.get_model("agencies", "AgencyCategory").objects.filter(
        municipality=None, name__in=[name for name, _ in AGENCY_CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
