"""Search keys (issue 14, item 7): whichever way a household is made — the form, the ledger import, the demo,
the admin, the API's search, a merge — its people are found by hiragana, katakana and half-width kana, and
registering them again is flagged as a likely duplicate. The keys are filled in one place (the models'
`fill_search_keys`, reached by save() and by the models' own bulk_create/bulk_update/update); migration 0009
repairs rows written before that.
"""

import datetime as dt
import importlib
import unicodedata

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from accounts.models import User
from agencies.services import municipality_setup
from cases import services
from cases.models import Household, HouseholdMember
from cases.selectors import household_duplicates, household_search
from cases.services.bulk import NewHousehold, household_bulk_create
from tests.factories import HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

KANA_FORMS = ["かとうしゅうへい", "カトウ シュウヘイ", "ｶﾄｳｼｭｳﾍｲ", "加藤 修平"]
PERSON = {"name": "加藤 修平", "name_kana": "かとう しゅうへい", "birth_date": dt.date(1989, 10, 31)}


def assert_found(user, household, *, kana_forms=KANA_FORMS, person=PERSON):
    """Found by every spelling, and registering the same person again is flagged."""
    for query in kana_forms:
        assert household.pk in [h.pk for h in household_search(user=user, query=query)], query
    duplicates = household_duplicates(user=user, kana=person["name_kana"].replace(" ", ""),
                                      birth_date=person["birth_date"], address="")
    assert household.pk in [h.pk for h in duplicates.mine]


def blank_keys(*households):
    """What the demo's showcase households looked like: keys left empty by a write that skipped save()."""
    ids = [h.pk for h in households]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_householdmember SET name_normalized = '', kana_normalized = '' "
                       "WHERE household_id = ANY(%s)", [ids])
        cursor.execute("UPDATE cases_household SET address_normalized = '', phone_digits = '' WHERE id = ANY(%s)", [ids])


# ---------------------------------------------------------------------------------------------- the paths


def test_a_household_registered_on_the_form_is_found_and_flagged(client, coordinator_kita):
    client.force_login(coordinator_kita)
    client.post(reverse("cases:household_create"), {
        "name": "加藤　修平", "name_kana": "カトウ　シュウヘイ", "birth_date": "1989-10-31", "sex": "male",
        "address": "", "phone": "", "note": ""})
    household = Household.all_objects.get()
    assert_found(coordinator_kita, household)
    # The same person again: the form shows the likely duplicate instead of saving.
    again = client.post(reverse("cases:household_create"), {
        "name": "加藤 修平", "name_kana": "ｶﾄｳ ｼｭｳﾍｲ", "birth_date": "1989-10-31", "sex": "male",
        "address": "", "phone": "", "note": ""})
    assert "同じ世帯が既に登録されているかもしれません" in again.content.decode()
    assert Household.all_objects.count() == 1


def test_a_member_added_or_renamed_on_the_form_is_found(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    client.post(reverse("cases:member_create", args=[household_kita.pk]), {
        "name": "加藤 修平", "name_kana": "かとう しゅうへい", "relationship": "other", "relationship_note": "甥",
        "birth_date": "1989-10-31", "sex": "male"})
    assert_found(coordinator_kita, household_kita)
    member = household_kita.members.get(name="加藤 修平")
    client.post(reverse("cases:member_edit", args=[member.pk]), {
        "name": "佐藤 修平", "name_kana": "さとう しゅうへい", "relationship": "other", "relationship_note": "甥",
        "birth_date": "1989-10-31", "sex": "male", "version": member.version})
    assert list(household_search(user=coordinator_kita, query="ｻﾄｳｼｭｳﾍｲ")) == [household_kita]
    assert list(household_search(user=coordinator_kita, query="かとうしゅうへい")) == []


def test_households_made_in_bulk_are_found(coordinator_kita, kita):
    created = household_bulk_create(user=None, municipality=kita.municipality, households=[
        NewHousehold(ward=kita, address="大阪市北区梅田１丁目２番３号", phone="06-1234-5678",
                     members=[{**PERSON, "relationship": "self"}])])
    household = created[0].household
    assert_found(coordinator_kita, household)
    assert list(household_search(user=coordinator_kita, query="梅田1-2-3")) == [household]
    assert list(household_search(user=coordinator_kita, query="0612345678")) == [household]


def half_width(katakana: str) -> str:
    """「カトウ シュウヘイ」→「ｶﾄｳ ｼｭｳﾍｲ」 (the inverse of NFKC on half-width katakana)."""
    table = {}
    for code in range(0xFF66, 0xFF9E):
        plain = chr(code)
        table[unicodedata.normalize("NFKC", plain)] = plain
        for mark in "ﾞﾟ":
            combined = unicodedata.normalize("NFKC", plain + mark)
            if len(combined) == 1:
                table[combined] = plain + mark
    return "".join(table.get(c, c) for c in katakana)


def test_the_demos_showcase_households_are_found():
    """The households `seed_demo` tops each ward up with (the ones that had no keys in issue 14)."""
    from demo.people import OSAKA_CODE, OSAKA_NAME, OSAKA_WARDS
    from demo.seed import seed_households, seed_users

    osaka = municipality_setup(name=OSAKA_NAME, code=OSAKA_CODE, wards=OSAKA_WARDS)
    seed_users(osaka)
    seed_households(osaka)
    # The planner's statistics, as autovacuum would leave them after a load this size: without them a run whose
    # earlier tests left the tables' statistics near empty plans the duplicate check as nested seq scans (minutes).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_household, cases_householdmember, agencies_ward")
    assert not HouseholdMember.objects.filter(kana_normalized="").exists()
    coordinator = User.objects.get(username="kita_coordinator")
    members = HouseholdMember.objects.filter(household__ward=coordinator.ward).select_related("household")
    assert members.count() >= 12
    for member in members:
        katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in member.name_kana)
        spellings = [member.name_kana.replace(" ", ""), katakana, half_width(katakana), member.name]
        assert_found(coordinator, member.household, kana_forms=spellings,
                     person={"name_kana": member.name_kana, "birth_date": member.birth_date})


def test_a_household_the_ledger_import_made_is_found_by_its_number_and_its_people(osaka, kita, nishinari, coordinator_kita):
    from ledger.importer import import_ledger
    from ledger.parsing import LedgerFile

    text = "開催日,区,事例番号,会議種別,開催根拠,SV派遣,相談のあった機関,参加機関,課題\n" \
           "2020/5/12,北区,KITA-2021-001,,地域ケア会議,有,地域包括支援センター,地域包括支援センター,認知症\n"
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", text.encode()))
    household = Household.all_objects.get()
    assert list(household_search(user=coordinator_kita, query="ｋｉｔａ－２０２１－００１")) == [household]
    # The ledger names nobody; the person the coordinator adds later is found like anyone else.
    services.member_add(user=coordinator_kita, household=household, relationship="self", **PERSON)
    assert_found(coordinator_kita, household)


def test_members_moved_by_a_merge_and_back_by_the_admin_are_found_where_they_are(client, coordinator_kita,
                                                                               administrator, kita):
    source, target = HouseholdFactory(ward=kita), HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=source, **PERSON)
    HouseholdMemberFactory(household=target, name="加藤 花子", name_kana="かとう はなこ")
    blank_keys(source)  # as the showcase households were: moving a member derives its keys again
    merge = services.household_merge(user=coordinator_kita, source=source, target=target, reason="同じ世帯")
    assert_found(coordinator_kita, target)
    client.force_login(administrator)
    client.post(reverse("admin:cases_householdmerge_changelist"), {"action": "undo", "_selected_action": [merge.pk]})
    assert_found(coordinator_kita, source)
    assert list(household_search(user=coordinator_kita, query="ｶﾄｳｼｭｳﾍｲ")) == [source]


def test_the_api_finds_a_household_by_kana_in_any_script(coordinator_kita, kita):
    from rest_framework.test import APIClient

    household = services.household_create(user=coordinator_kita, ward=kita, primary=dict(PERSON))
    api = APIClient()
    api.force_authenticate(coordinator_kita)
    for query in KANA_FORMS:
        found = api.get(reverse("api:household_list"), {"q": query}).json()["results"]
        assert [h["id"] for h in found] == [household.pk], query


# ------------------------------------------------------------------------------------- one place, all writes


def test_bulk_update_and_update_keep_the_keys_with_what_was_typed(coordinator_kita, household_kita):
    member = household_kita.members.get(is_primary=True)
    member.name_kana = "カトウ シュウヘイ"
    HouseholdMember.objects.bulk_update([member], ["name_kana"])
    assert list(household_search(user=coordinator_kita, query="ｶﾄｳ")) == [household_kita]
    HouseholdMember.objects.filter(pk=member.pk).update(name="加藤 修平", name_kana="かとうしゅうへい")
    Household.all_objects.filter(pk=household_kita.pk).update(phone="０６－９８７６－５４３２")
    member.refresh_from_db()
    household_kita.refresh_from_db()
    assert (member.name_normalized, member.kana_normalized, household_kita.phone_digits) == (
        "加藤修平", "かとうしゅうへい", "0698765432")


def test_an_update_from_an_expression_is_refused_rather_than_leaving_a_stale_key(household_kita):
    from django.db.models import F

    with pytest.raises(TypeError):
        HouseholdMember.objects.filter(household=household_kita).update(name_kana=F("name"))


def test_migration_0009_fills_the_keys_rows_were_written_without(coordinator_kita, kita):
    household = services.household_create(user=coordinator_kita, ward=kita, address="大阪市北区梅田1-2-3",
                                          phone="06-1234-5678", primary=dict(PERSON))
    blank_keys(household)
    assert list(household_search(user=coordinator_kita, query="かとうしゅうへい")) == []

    importlib.import_module("cases.migrations.0009_fill_search_keys").fill_search_keys(apps, None)

    assert_found(coordinator_kita, household)
    household.refresh_from_db()
    assert (household.address_normalized, household.phone_digits) == ("大阪市北区梅田1-2-3", "0612345678")
