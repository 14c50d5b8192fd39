import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case, Household, HouseholdMerge
from tests.factories import HouseholdFactory, HouseholdMemberFactory


@pytest.fixture
def twin(kita, coordinator_kita):
    """The same family registered a second time, with a case of its own."""
    household = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=household, name="北村 一郎", name_kana="きたむら いちろう")
    HouseholdMemberFactory(household=household, name="北村 次郎", name_kana="きたむら じろう", is_primary=False, relationship="長男")
    services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2021, 4, 1), intake_channel="phone")
    return household


def test_merging_moves_members_and_cases_and_hides_the_duplicate(coordinator_kita, household_kita, twin):
    merge = services.household_merge(user=coordinator_kita, source=twin, target=household_kita, reason="二重登録")
    assert household_kita.members.count() == 4
    assert household_kita.members.filter(is_primary=True).count() == 1  # the target keeps its own primary person
    assert Case.all_objects.filter(household=household_kita).count() == 1
    assert list(Household.objects.for_user(coordinator_kita)) == [household_kita]
    assert len(merge.moved_members) == 2 and len(merge.moved_cases) == 1


def test_an_administrator_can_undo_a_merge_exactly(coordinator_kita, administrator, household_kita, twin):
    before = sorted(twin.members.values_list("pk", "is_primary"))
    merge = services.household_merge(user=coordinator_kita, source=twin, target=household_kita, reason="誤り")
    services.household_merge_undo(user=administrator, merge=merge)
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert sorted(twin.members.values_list("pk", "is_primary")) == before
    assert Case.all_objects.get().household == twin
    assert household_kita.members.count() == 2
    with pytest.raises(ValidationError, match="既に元に戻されています"):
        services.household_merge_undo(user=administrator, merge=merge)


@pytest.mark.parametrize("problem", ["same", "other_ward", "no_reason"])
def test_a_bad_merge_is_refused_and_changes_nothing(coordinator_kita, household_kita, household_nishinari, twin, problem):
    target = {"same": twin, "other_ward": household_nishinari, "no_reason": household_kita}[problem]
    with pytest.raises(ValidationError):
        services.household_merge(user=coordinator_kita, source=twin, target=target, reason="" if problem == "no_reason" else "x")
    twin.refresh_from_db()
    assert twin.merged_into is None and twin.members.count() == 2 and not HouseholdMerge.objects.exists()


def test_the_merge_page_refuses_a_household_outside_the_ward(client, coordinator_kita, household_nishinari, twin):
    client.force_login(coordinator_kita)
    response = client.post(reverse("cases:household_merge", args=[twin.pk]),
                           {"target": household_nishinari.pk, "reason": "x", "confirm": "on"})
    assert "見つかりません" in response.content.decode()
    assert not HouseholdMerge.objects.exists()


def test_the_merge_page_merges_and_goes_to_the_target(client, coordinator_kita, household_kita, twin):
    client.force_login(coordinator_kita)
    response = client.post(reverse("cases:household_merge", args=[twin.pk]),
                           {"target": household_kita.pk, "reason": "二重登録", "confirm": "on"})
    assert response.url == reverse("cases:household_detail", args=[household_kita.pk])
    assert client.get(reverse("cases:household_detail", args=[twin.pk])).status_code == 404


def test_the_admin_undo_action_restores_the_household(client, administrator, coordinator_kita, household_kita, twin):
    merge = services.household_merge(user=coordinator_kita, source=twin, target=household_kita, reason="誤り")
    client.force_login(administrator)
    listing = client.get(reverse("admin:cases_householdmerge_changelist"))
    assert "北村" not in listing.content.decode()
    client.post(reverse("admin:cases_householdmerge_changelist"), {"action": "undo", "_selected_action": [merge.pk]})
    twin.refresh_from_db()
    assert twin.merged_into is None
