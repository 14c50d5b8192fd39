from django.db import migrations

from referrals.masters import DECLINE_REASONS, REFERRAL_KINDS


def load(apps, schema_editor):
    ReferralKind = apps.get_model("referrals", "ReferralKind")
    DeclineReason = apps.get_model("referrals", "DeclineReason")
    for order, (name, purpose, days) in enumerate(REFERRAL_KINDS, start=1):
        ReferralKind.objects.update_or_create(
            municipality=None, name=name,
            defaults={"purpose": purpose, "default_due_days": days, "sort_order": order * 10},
        )
    for order, name in enumerate(DECLINE_REASONS, start=1):
        DeclineReason.objects.update_or_create(municipality=None, name=name, defaults={"sort_order": order * 10})


def unload(apps, schema_editor):
    apps.get_model("referrals", "ReferralKind").objects.filter(
        municipality=None, name__in=[row[0] for row in REFERRAL_KINDS]
    ).delete()
    apps.get_model("referrals", "DeclineReason").objects.filter(municipality=None, name__in=DECLINE_REASONS).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
