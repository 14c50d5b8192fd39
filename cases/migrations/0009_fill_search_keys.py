"""Search keys for the rows written without them (issue 14, item 7).

Households and members created in bulk before their keys were filled in one place (the demo's showcase
households among them) had empty keys, so a name in kana found nothing and the duplicate check stayed
silent. This derives every key again from what was typed, with the same normalisers the models use.
"""

from django.db import migrations

from core.text import digits_only, normalize_address, normalize_kana, normalize_name

KEYS = {
    "Household": {"address_normalized": ("address", normalize_address), "phone_digits": ("phone", digits_only)},
    "HouseholdMember": {"name_normalized": ("name", normalize_name), "kana_normalized": ("name_kana", normalize_kana)},
}
CHUNK = 2000


def fill_search_keys(apps, schema_editor):
    for model_name, keys in KEYS.items():
        model = apps.get_model("cases", model_name)
        manager = model._base_manager
        stale = []
        for row in manager.only("pk", *(source for source, _normalise in keys.values()), *keys).iterator(chunk_size=CHUNK):
            wanted = {key: normalise(getattr(row, source)) for key, (source, normalise) in keys.items()}
            if any(getattr(row, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(row, key, value)
                stale.append(row)
        # Plain bulk_update of the keys only: no history row, since nothing anyone typed has changed.
        for start in range(0, len(stale), CHUNK):
            manager.bulk_update(stale[start:start + CHUNK], list(keys))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_task_sharing"),
    ]

    operations = [migrations.RunPython(fill_search_keys, migrations.RunPython.noop)]
