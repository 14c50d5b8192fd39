"""A household member's 続柄, 要介護度 and 手帳 (issue 14, item 11): chosen from lists, with the words that say
more kept beside them; and what the free text and the two checkboxes of before became (migration 0011)."""

import datetime as dt
import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.models import HouseholdMember, Relationship

RELATIONSHIPS = ["本人", "配偶者", "子", "父", "母", "兄弟姉妹", "祖父母", "孫", "その他"]
BEFORE = ("cases", "0010_member_relationship_care_and_certificates")


@pytest.fixture
def kita_client(client, coordinator_kita):
    client.force_login(coordinator_kita)
    return client


def _member(**fields):
    return {"name": "北村 三郎", "name_kana": "きたむら さぶろう", "birth_date": "1985-01-01", "sex": "male", **fields}


@pytest.mark.django_db
class TestForm:
    def test_relationship_is_chosen_from_the_list(self, kita_client, household_kita):
        page = kita_client.get(reverse("cases:member_create", args=[household_kita.pk])).content.decode()
        select = re.search(r'<select name="relationship".*?</select>', page, re.S).group(0)
        assert re.findall(r"<option value=\"\w*\"[^>]*>([^<]+)</option>", select) == ["選んでください", *RELATIONSHIPS]

    def test_other_needs_the_words_and_keeps_them(self, kita_client, household_kita):
        url = reverse("cases:member_create", args=[household_kita.pk])
        refused = kita_client.post(url, _member(relationship="other"))
        assert "続柄が「その他」のときは、続柄を詳しく書いてください" in refused.content.decode()
        assert not household_kita.members.filter(name="北村 三郎").exists()
        assert kita_client.post(url, _member(relationship="other", relationship_note="叔父")).status_code == 302
        page = kita_client.get(reverse("cases:household_detail", args=[household_kita.pk])).content.decode()
        assert "その他（叔父）" in page

    def test_care_level_and_each_handbook_with_its_grade_are_recorded_and_shown(self, kita_client, household_kita):
        url = reverse("cases:member_create", args=[household_kita.pk])
        response = kita_client.post(url, _member(
            relationship="child", relationship_note="長男", care_level="care_2", physical_disability_grade="2",
            intellectual_disability_grade="A", mental_disability_grade="1"))
        assert response.status_code == 302
        member = household_kita.members.get(name="北村 三郎")
        assert member.support_labels == ["要介護2", "身体障害者手帳 2級", "療育手帳 A", "精神障害者保健福祉手帳 1級"]
        page = kita_client.get(reverse("cases:household_detail", args=[household_kita.pk])).content.decode()
        for label in ["子（長男）", "要介護2", "身体障害者手帳 2級", "療育手帳 A", "精神障害者保健福祉手帳 1級"]:
            assert label in page

    def test_the_citys_own_grades_and_an_unconfirmed_handbook_can_be_recorded(self, kita_client, household_kita):
        url = reverse("cases:member_create", args=[household_kita.pk])
        kita_client.post(url, _member(relationship="sibling", intellectual_disability_grade="moderate",
                                      disability_unconfirmed="on", care_level="support_1"))
        member = household_kita.members.get(name="北村 三郎")
        assert member.support_labels == ["要支援1", "療育手帳 中度", "障害者手帳（種類・等級は未確認）"]

    @pytest.mark.parametrize("field, value", [("care_level", "care_6"), ("physical_disability_grade", "7"),
                                              ("mental_disability_grade", "4"), ("relationship", "長男")])
    def test_a_value_not_in_the_list_is_refused_in_japanese(self, kita_client, household_kita, field, value):
        fields = _member(relationship="child")
        fields[field] = value
        response = kita_client.post(reverse("cases:member_create", args=[household_kita.pk]), fields)
        assert "正しく選択してください" in response.content.decode()
        assert not household_kita.members.filter(name="北村 三郎").exists()

    def test_the_household_is_registered_under_its_person(self, kita_client):
        kita_client.post(reverse("cases:household_create"), {
            "name": "梅田 花子", "name_kana": "うめだ はなこ", "birth_date": "1950-01-02", "sex": "female",
            "address": "", "phone": "", "note": ""})
        assert HouseholdMember.objects.get().relationship == Relationship.SELF


@pytest.mark.django_db
def test_a_household_made_in_bulk_is_registered_under_its_person_unless_told_otherwise(kita):
    from cases.services.bulk import NewHousehold, household_bulk_create

    created = household_bulk_create(user=None, municipality=kita.municipality, households=[NewHousehold(ward=kita, members=[
        {"name": "梅田 花子", "name_kana": "うめだ はなこ"}, {"name": "梅田 一郎", "name_kana": "うめだ いちろう"},
        {"name": "梅田 次郎", "name_kana": "うめだ じろう", "relationship": "child", "relationship_note": "次男"}])])
    assert [(m.relationship, m.relationship_label) for m in created[0].members] == [
        ("self", "本人"), ("other", "その他"), ("child", "子（次男）")]


def test_the_demo_draws_its_families_with_the_list_and_keeps_the_words():
    from faker import Faker

    from demo.people import fake_members

    fake = Faker("ja_JP")
    fake.seed_instance(2019)
    members = [m for _ in range(30) for m in fake_members(fake)]
    assert {m["relationship"] for m in members} <= set(Relationship.values)
    assert {(m["relationship"], m["relationship_note"]) for m in members} >= {("self", ""), ("child", "長男")}


# ------------------------------------------------------------------------------------------------ migration


@pytest.mark.django_db(transaction=True)
def test_free_text_and_checkboxes_of_before_move_to_the_lists():
    """Members written before 0011: the words typed and the two checkboxes, moved to the lists."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    municipality = old.get_model("agencies", "Municipality").objects.create(name="旧市", code="999999")
    ward = old.get_model("agencies", "Ward").objects.create(municipality=municipality, name="旧区")
    household = old.get_model("cases", "Household")._base_manager.create(municipality=municipality, ward=ward)
    member_model = old.get_model("cases", "HouseholdMember")
    typed = {"": True, "長男": False, "妻": False, "母親": False, "孫": False, "叔母": False, " 祖母 ": False, "子": False}
    for n, (text, primary) in enumerate(typed.items()):
        member_model.objects.create(household=household, name=f"旧 {n}", name_kana=f"きゅう {n}", relationship=text,
                                    is_primary=primary, care_certified=text == "母親", disability_certificate=text == "長男",
                                    birth_date=dt.date(1950, 1, 1))

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    moved = {m.name: (m.relationship, m.relationship_note, m.care_level, m.disability_unconfirmed)
             for m in HouseholdMember.objects.filter(household_id=household.pk)}
    assert moved == {
        "旧 0": ("self", "", "", False),
        "旧 1": ("child", "長男", "", True),
        "旧 2": ("spouse", "妻", "", False),
        "旧 3": ("mother", "母親", "certified", False),
        "旧 4": ("grandchild", "", "", False),
        "旧 5": ("other", "叔母", "", False),
        "旧 6": ("grandparent", "祖母", "", False),
        "旧 7": ("child", "", "", False),
    }
    assert HouseholdMember.objects.get(name="旧 3").support_labels == ["認定あり（区分は未確認）"]
    assert HouseholdMember.objects.get(name="旧 1").support_labels == ["障害者手帳（種類・等級は未確認）"]


def test_a_relationship_typed_in_any_width_finds_its_place():
    relationship_of = importlib.import_module(
        "cases.migrations.0011_member_relationship_care_and_certificates_data").relationship_of
    assert relationship_of("次女", is_primary=False) == ("child", "次女")
    assert relationship_of("内縁の夫", is_primary=False) == ("spouse", "内縁の夫")
    assert relationship_of("同居人", is_primary=False) == ("other", "同居人")
    assert relationship_of("", is_primary=False) == ("other", "")
    assert relationship_of("本人", is_primary=True) == ("self", "")
