"""The cross-ward duplicate probe is limited per user and audited with what was looked up, not the values (#15
item 13). The count lives in the shared database cache, so another process (another web worker) adds to it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from audit.models import Action, AuditEvent
from cases import probes
from cases.models import Household

URL = reverse("cases:household_create")
PERSON = {"name": "北村 一郎", "name_kana": "キタムラ イチロウ", "birth_date": "1960-04-01", "sex": "male",
          "address": "大阪市北区テスト町１－２－３", "phone": "06-6123-4567", "note": ""}
REFUSAL = "重複の確認が短い時間に多すぎます"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(probes, "PROBE_LIMIT", 3)
    return 3


def _probes():
    return AuditEvent.objects.filter(action=Action.SEARCH, detail__probe="duplicates")


def test_each_probe_is_audited_naming_the_fields_and_the_number_of_matches_never_the_values(
        client, coordinator_nishinari, household_kita):
    household_kita.members.filter(is_primary=True).update(birth_date="1960-04-01")
    client.force_login(coordinator_nishinari)

    response = client.post(URL, PERSON)

    assert "北区にも一致する世帯が 1 件あります" in response.content.decode()
    [event] = _probes()
    assert event.user == coordinator_nishinari and event.municipality_id == coordinator_nishinari.municipality_id
    assert event.detail["fields"] == ["name_kana", "birth_date", "address"]
    assert event.detail["matches"] == 1 and event.detail["elsewhere"] == 1
    looked_up = [PERSON["name"], PERSON["name_kana"], "キタムラ", "きたむら", "1960", "S35", "昭和35",
                 PERSON["address"], "テスト町", PERSON["phone"], "6123"]
    for row in AuditEvent.objects.values_list():  # every column of every event this request wrote
        assert [value for value in looked_up if value in str(row)] == []


def test_a_probe_that_shows_a_household_of_ones_own_ward_names_it_for_who_looked(
        client, coordinator_kita, household_kita):
    household_kita.members.filter(is_primary=True).update(birth_date="1960-04-01")
    client.force_login(coordinator_kita)
    client.post(URL, PERSON)
    [event] = _probes()
    assert event.detail["ids"] == [household_kita.pk] and event.detail["elsewhere"] == 0
    assert event in AuditEvent.objects.filter(detail__contains={"ids": [household_kita.pk]})


def test_only_the_fields_really_compared_are_named(client, coordinator_kita, kita):
    client.force_login(coordinator_kita)
    client.post(URL, {**PERSON, "birth_date": "", "address": "北区"})  # no birth date; an address too short to compare
    [event] = _probes()
    assert event.detail["fields"] == [] and event.detail["matches"] == 0


def test_over_the_limit_the_probe_is_refused_in_japanese_and_nothing_is_looked_up_or_saved(
        client, coordinator_kita, household_kita, small_limit):
    client.force_login(coordinator_kita)
    for _ in range(small_limit):
        assert client.post(URL, PERSON).status_code == 200  # shown the likely duplicate

    response = client.post(URL, {**PERSON, "confirm_new": "1"})

    assert response.status_code == 429
    page = response.content.decode()
    assert REFUSAL in page and "3 回まで" in page
    assert "同じ世帯が既に登録されているかもしれません" not in page and f"/households/{household_kita.pk}/" not in page
    assert Household.all_objects.count() == 1
    refused = _probes().get(detail__refused=True)
    assert refused.detail["fields"] == ["name_kana", "birth_date", "address"] and "matches" not in refused.detail


def test_the_limit_is_per_user(client, coordinator_kita, coordinator_nishinari, kita, small_limit):
    client.force_login(coordinator_kita)
    answers = [client.post(URL, {**PERSON, "name_kana": "みなみ はなこ", "confirm_new": "1"}).status_code
               for _ in range(small_limit + 1)]
    assert answers == [302] * small_limit + [429]
    client.force_login(coordinator_nishinari)
    assert client.post(URL, {**PERSON, "name_kana": "にしだ はなこ", "address": ""}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_count_is_shared_with_another_process_through_the_database_cache(client, coordinator_kita, kita,
                                                                             small_limit):
    """Another worker process probes up to the limit; this process then refuses the next probe."""
    script = (
        "import sys, django; django.setup()\n"
        "from django.db import connections\n"
        "connections['default'].settings_dict['NAME'] = sys.argv[1]\n"
        "from accounts.models import User\n"
        "from cases import probes\n"
        "user = User.objects.get(pk=int(sys.argv[2]))\n"
        "print([probes._count(user) for _ in range(int(sys.argv[3]))])\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, connection.settings_dict["NAME"], str(coordinator_kita.pk), str(small_limit)],
        cwd=settings.BASE_DIR, env={"DJANGO_SETTINGS_MODULE": "config.settings.test", **os.environ},
        capture_output=True, text=True, check=True,
    )
    assert other.stdout.strip() == str(list(range(1, small_limit + 1)))

    client.force_login(coordinator_kita)
    response = client.post(URL, {**PERSON, "name_kana": "みなみ はなこ"})

    assert response.status_code == 429 and REFUSAL in response.content.decode()
    assert Household.all_objects.count() == 0
