"""History rows copied by the database for rows made in bulk are the rows simple-history itself would write."""

import pytest
from django.forms.models import model_to_dict
from simple_history.utils import bulk_create_with_history

from cases.models import Household
from core.history import bulk_create_with_history_rows

pytestmark = pytest.mark.django_db

IGNORED = {"history_id", "history_date", "id", "created_at", "updated_at"}


def _rows(records):
    return [{k: v for k, v in model_to_dict(r).items() if k not in IGNORED} | {"type": r.history_type}
            for r in records.order_by("history_id")]


def test_the_same_history_as_simple_historys_own_bulk_create(osaka, kita, coordinator_kita):
    def households(note):
        return [Household(municipality=osaka, ward=kita, address=f"北区{i}", phone=f"06-0000-000{i}", note=note)
                for i in range(3)]

    ours = bulk_create_with_history_rows(households("ours"), Household, user=coordinator_kita, batch_size=2)
    theirs = bulk_create_with_history(households("theirs"), Household, default_user=coordinator_kita, batch_size=2)
    mine = _rows(Household.history.filter(id__in=[h.pk for h in ours]))
    reference = _rows(Household.history.filter(id__in=[h.pk for h in theirs]))
    assert len(mine) == 3 and [r | {"note": ""} for r in mine] == [r | {"note": ""} for r in reference]
    assert {r["history_user"] for r in mine} == {coordinator_kita.pk} and {r["type"] for r in mine} == {"+"}
    # Each history row holds its own household's values.
    assert [r.address for r in Household.history.filter(id__in=[h.pk for h in ours]).order_by("id")] == ["北区0", "北区1", "北区2"]
