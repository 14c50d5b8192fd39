"""続柄 from a list, 要介護度 and the 手帳 grades (issue 14, item 11): what was typed before, moved over.

- 続柄 was free text. Each value goes to its place in the list; the words typed stay in 続柄（詳しく） when they
  say more than the list does (長男 → 子・「長男」), and anything the list does not know becomes その他 with the
  text kept there (叔母 → その他・「叔母」). A blank 続柄 is 本人 for the person the household is registered under.
- 要介護認定 (a checkbox) becomes 要介護度 「認定あり（区分は未確認）」; 障害者手帳 (a checkbox) becomes
  「障害者手帳あり（種類・等級は未確認）」. Nobody's level or grade is guessed.

History rows keep what was recorded at the time.
"""

import unicodedata

from django.db import migrations

RELATIONSHIPS = {
    "self": ["本人"],
    "spouse": ["配偶者", "妻", "夫", "内縁の妻", "内縁の夫"],
    "child": ["子", "長男", "次男", "三男", "四男", "長女", "次女", "三女", "四女", "息子", "娘", "子ども", "子供"],
    "father": ["父", "父親"],
    "mother": ["母", "母親"],
    "sibling": ["兄弟姉妹", "兄", "姉", "弟", "妹", "兄弟", "姉妹"],
    "grandparent": ["祖父母", "祖父", "祖母"],
    "grandchild": ["孫", "孫息子", "孫娘"],
}
LABELS = {"self": "本人", "spouse": "配偶者", "child": "子", "father": "父", "mother": "母", "sibling": "兄弟姉妹",
          "grandparent": "祖父母", "grandchild": "孫", "other": "その他"}
BY_TEXT = {text: code for code, texts in RELATIONSHIPS.items() for text in texts}
CHUNK = 2000


def relationship_of(text: str, *, is_primary: bool) -> tuple[str, str]:
    """(the list's value, what stays in 続柄（詳しく）) for a 続柄 typed as free text."""
    typed = unicodedata.normalize("NFKC", text or "").strip()
    if not typed:
        return ("self" if is_primary else "other"), ""
    code = BY_TEXT.get(typed.replace(" ", ""), "other")
    return code, ("" if typed == LABELS[code] else typed[:20])


def forwards(apps, schema_editor):
    member_model = apps.get_model("cases", "HouseholdMember")
    changed = []
    fields = ["relationship", "relationship_note", "care_level", "disability_unconfirmed"]
    for member in member_model._base_manager.only("pk", "is_primary", "care_certified", "disability_certificate", *fields
                                                  ).iterator(chunk_size=CHUNK):
        if member.relationship not in LABELS:  # not yet one of the list's values
            member.relationship, member.relationship_note = relationship_of(member.relationship, is_primary=member.is_primary)
        if member.care_certified and not member.care_level:
            member.care_level = "certified"
        if member.disability_certificate:
            member.disability_unconfirmed = True
        changed.append(member)
    for start in range(0, len(changed), CHUNK):
        member_model._base_manager.bulk_update(changed[start:start + CHUNK], fields)


def backwards(apps, schema_editor):
    member_model = apps.get_model("cases", "HouseholdMember")
    changed = []
    for member in member_model._base_manager.iterator(chunk_size=CHUNK):
        member.relationship = member.relationship_note or LABELS.get(member.relationship, member.relationship)
        member.care_certified = bool(member.care_level)
        member.disability_certificate = bool(
            member.disability_unconfirmed or member.physical_disability_grade or member.intellectual_disability_grade
            or member.mental_disability_grade)
        changed.append(member)
    for start in range(0, len(changed), CHUNK):
        member_model._base_manager.bulk_update(changed[start:start + CHUNK],
                                               ["relationship", "care_certified", "disability_certificate"])


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0010_member_relationship_care_and_certificates"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
