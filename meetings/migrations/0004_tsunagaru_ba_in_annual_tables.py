from django.db import migrations


def load(apps, schema_editor):
    # Seed 000's tables count the つながる場 held; other kinds are counted elsewhere.
    apps.get_model("meetings", "MeetingKind").objects.filter(municipality=None, name="つながる場").update(in_annual_tables=True)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_meetings_and_activities")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
