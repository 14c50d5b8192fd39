"""The demo's fictitious city and people: 大阪市's wards, one user per role, households made by Faker.

Nothing here writes; `demo.seed` and `demo.history` create rows through the services.
"""

import os
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from accounts.models import Role
from cases.models import Relationship, Sex

DEFAULT_DEMO_PASSWORD = "tsunagaru-demo"

OSAKA_NAME = "大阪市"
OSAKA_CODE = "271004"
# The official order of the wards (大阪市の区の順).
OSAKA_WARDS = [
    "北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区",
    "西淀川区", "淀川区", "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区",
    "住之江区", "住吉区", "東住吉区", "平野区", "西成区",
]

# The two wards the demo coordinators work in get enough households to fill a list page.
HOUSEHOLDS_PER_WARD = {"北区": 12, "西成区": 12}
HOUSEHOLDS_PER_OTHER_WARD = 3

FAKER_SEED = 2019
# Ages are counted from a fixed day, not today, so the generated data is the same whenever it is run.
REFERENCE_DATE = date(2025, 4, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    last_name: str
    first_name: str
    ward: str | None = None
    agency: str | None = None
    is_staff: bool = False


DEMO_USERS = [
    DemoUser("kita_coordinator", Role.COORDINATOR, "北川", "美咲", ward="北区"),
    DemoUser("nishinari_coordinator", Role.COORDINATOR, "西岡", "健太", ward="西成区"),
    DemoUser("agency_worker", Role.AGENCY_WORKER, "森本", "由美", agency="北区地域包括支援センター"),
    DemoUser("konkyu_worker", Role.AGENCY_WORKER, "今井", "翔", agency="北区生活困窮担当"),
    DemoUser("supervisor", Role.SUPERVISOR, "上田", "誠"),
    DemoUser("bureau", Role.BUREAU, "福井", "直子"),
    DemoUser("admin", Role.ADMINISTRATOR, "菅野", "聡", is_staff=True),
    DemoUser("auditor", Role.AUDITOR, "松岡", "理恵"),
]
DEMO_USERNAMES = [demo.username for demo in DEMO_USERS]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD



def fake_household(fake: Faker, ward_name: str) -> tuple[dict, list[dict]]:
    # Faker's 丁目 runs to 42; real ones rarely pass single digits.
    address = f"{OSAKA_NAME}{ward_name}{fake.town()}{fake.random_int(1, 9)}丁目{fake.ban()}{fake.gou()}"
    phone = fake.phone_number()
    if not phone.startswith("0"):
        # ja_JP's landline format "##-####-####" has no leading 0; make it an Osaka (06) number.
        phone = "06" + phone[2:]
    return {"address": address, "phone": phone}, fake_members(fake)


# 続柄 as the demo's families are drawn (長男, 妻 …) → the list's value; the word itself stays as 続柄（詳しく）.
RELATIONSHIPS = {"本人": Relationship.SELF, "妻": Relationship.SPOUSE, "夫": Relationship.SPOUSE, "長男": Relationship.CHILD,
                 "次男": Relationship.CHILD, "長女": Relationship.CHILD, "母": Relationship.MOTHER, "父": Relationship.FATHER}


def fake_members(fake: Faker) -> list[dict]:
    """本人 first, then up to three relatives whose ages fit the relationship."""
    size = fake.random_int(1, 4)
    surname, surname_kana, _romaji = fake.last_name_pair()
    primary_sex = fake.random_element([Sex.FEMALE, Sex.MALE])
    spouse = ("妻", Sex.FEMALE) if primary_sex == Sex.MALE else ("夫", Sex.MALE)
    pattern = fake.random_element(["nuclear", "with_parents", "elderly"])

    if pattern == "nuclear":  # 夫婦と子
        age = fake.random_int(30, 55)
        first_child = age - fake.random_int(22, 30)
        second_child = max(first_child - fake.random_int(1, 5), 0)
        children = fake.random_element([("長男", "次男"), ("長男", "長女"), ("長女", "長男")])
        relatives = [
            (*spouse, age + fake.random_int(-5, 5)),
            (children[0], _child_sex(children[0]), first_child),
            (children[1], _child_sex(children[1]), second_child),
        ]
    elif pattern == "with_parents":  # 親と同居（ひきこもり・8050 の子の側など）
        age = fake.random_int(18, 55)
        mother = age + fake.random_int(22, 35)
        relatives = [("母", Sex.FEMALE, mother), ("父", Sex.MALE, mother + fake.random_int(0, 5))]
    else:  # 高齢の本人と、同居の子（8050）
        age = fake.random_int(65, 89)
        child = fake.random_element(["長男", "長女"])
        relatives = [(*spouse, age + fake.random_int(-5, 5)), (child, _child_sex(child), age - fake.random_int(25, 35))]

    people = [("本人", primary_sex, age), *relatives[: size - 1]]
    members = []
    for relationship, sex, member_age in people:
        given, given_kana, _romaji = (
            fake.first_name_female_pair() if sex == Sex.FEMALE else fake.first_name_male_pair()
        )
        members.append({
            "name": f"{surname} {given}",
            "name_kana": _hiragana(f"{surname_kana} {given_kana}"),
            "birth_date": date(REFERENCE_DATE.year - member_age, 1, 1) + timedelta(days=fake.random_int(0, 364)),
            "sex": sex,
            "relationship": RELATIONSHIPS[relationship],
            "relationship_note": "" if relationship in ("本人", "母", "父") else relationship,
        })
    return members


def _child_sex(relationship: str) -> str:
    return Sex.FEMALE if relationship == "長女" else Sex.MALE


def _hiragana(katakana: str) -> str:
    """Faker gives カタカナ; the field is 氏名（かな）."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)
