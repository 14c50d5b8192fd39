from django.db import migrations

from meetings.masters import MEETING_BASES, MEETING_KINDS


def load(apps, schema_editor):
    MeetingBasis = apps.get_model("meetings", "MeetingBasis")
    MeetingKind = apps.get_model("meetings", "MeetingKind")
    for order, (name, law, consent, confidentiality) in enumerate(MEETING_BASES, start=1):
        MeetingBasis.objects.update_or_create(
            municipality=None,
            name=name,
            defaults={
                "law": law,
                "requires_consent": consent,
                "statutory_confidentiality": confidentiality,
                "sort_order": order * 10,
            },
        )
    for order, (name, network) in enumerate(MEETING_KINDS, start=1):
        MeetingKind.objects.update_or_create(
            municipality=None, name=name, defaults={"is_network_meeting": network, "sort_order": order * 10}
        )


def unload(apps, schema_editor):
    apps.get_model("meetings", "MeetingBasis").objects.filter(
        municipality=None, name__in=[row[0] for row in MEETING_BASES]
    ).delete()
    apps.get_model("meetings", "MeetingKind").objects.filter(
        municipality=None, name__in=[row[0] for row in MEETING_KINDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
