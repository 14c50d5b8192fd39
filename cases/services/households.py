from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from cases.models import Case, Household, HouseholdMember, HouseholdMerge, Relationship
from core.history import attribute_to

from .locking import versioned_update

HOUSEHOLD_FIELDS = ["address", "phone", "note"]
MEMBER_FIELDS = [
    "name", "name_kana", "birth_date", "estimated_age", "sex", "relationship", "relationship_note", "care_level",
    "physical_disability_grade", "intellectual_disability_grade", "mental_disability_grade", "disability_unconfirmed",
    "public_assistance", "moved_out_on", "deceased_on",
]


@transaction.atomic
def household_create(*, user, ward, address="", phone="", note="", primary: dict, request=None) -> Household:
    household = Household(municipality_id=user.municipality_id, ward=ward, address=address, phone=phone, note=note)
    attribute_to(household, user)
    household.save()
    member = HouseholdMember(household=household, is_primary=True, relationship=Relationship.SELF,
                             **{k: v for k, v in primary.items() if k != "relationship"})
    attribute_to(member, user)
    member.save()
    audit_record(action=Action.CREATE, request=request, user=user, obj=household)
    audit_record(action=Action.CREATE, request=request, user=user, obj=member)
    return household


@transaction.atomic
def household_update(*, user, household: Household, expected_version: int, request=None, **changes) -> Household:
    return versioned_update(household, expected_version=expected_version, fields=HOUSEHOLD_FIELDS, changes=changes,
                            user=user, request=request)


@transaction.atomic
def member_add(*, user, household: Household, request=None, **fields) -> HouseholdMember:
    member = HouseholdMember(household=household, is_primary=False, **fields)
    attribute_to(member, user)
    member.save()
    audit_record(action=Action.CREATE, request=request, user=user, obj=member)
    return member


@transaction.atomic
def member_update(*, user, member: HouseholdMember, expected_version: int, request=None, **changes) -> HouseholdMember:
    return versioned_update(member, expected_version=expected_version, fields=MEMBER_FIELDS, changes=changes,
                            user=user, request=request)


@transaction.atomic
def household_merge(*, user, source: Household, target: Household, reason: str, request=None) -> HouseholdMerge:
    """Fold `source` into `target`: its members and cases move, `source` is kept as merged (undoable)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("統合の理由を入力してください。"), code="reason_required")
    source, target = (Household.all_objects.select_for_update().get(pk=h.pk) for h in (source, target))
    if source.pk == target.pk:
        raise ValidationError(_("同じ世帯どうしは統合できません。"), code="same")
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError(_("既に統合された世帯は選べません。"), code="already_merged")
    if (source.municipality_id, source.ward_id) != (target.municipality_id, target.ward_id):
        raise ValidationError(_("同じ区の世帯どうしだけを統合できます。"), code="other_ward")
    target_has_primary = target.members.filter(is_primary=True).exists()
    moved_members = []
    for member in source.members.all():
        moved_members.append({"id": member.pk, "was_primary": member.is_primary})
        member.household = target
        # The target keeps its own primary person; the source's becomes an ordinary member.
        member.is_primary = member.is_primary and not target_has_primary
        member.version += 1
        member.save(update_fields=["household", "is_primary", "version"])
    moved_cases = list(source.cases.values_list("pk", flat=True))
    for case in source.cases.all():
        case.household = target
        case.version += 1
        case.save(update_fields=["household", "version", "updated_at"])
    source.merged_into = target
    source.version += 1
    source.save(update_fields=["merged_into", "version", "updated_at"])
    merge = HouseholdMerge.objects.create(
        municipality_id=source.municipality_id, source=source, target=target, reason=reason,
        moved_members=moved_members, moved_cases=moved_cases, merged_by=user,
    )
    for household in (source, target):
        audit_record(action=Action.UPDATE, request=request, user=user, obj=household, detail={"merge": merge.pk})
    return merge


@transaction.atomic
def household_merge_undo(*, user, merge: HouseholdMerge, request=None) -> HouseholdMerge:
    """Put back exactly what a merge moved (administrators, through the admin)."""
    merge = HouseholdMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("この統合は既に元に戻されています。"), code="already_undone")
    source = Household.all_objects.select_for_update().get(pk=merge.source_id)
    target = Household.all_objects.get(pk=merge.target_id)
    for moved in merge.moved_members:
        member = HouseholdMember.objects.get(pk=moved["id"])
        member.household = source
        member.is_primary = moved["was_primary"]
        member.version += 1
        member.save(update_fields=["household", "is_primary", "version"])
    for case in Case.all_objects.filter(pk__in=merge.moved_cases):
        case.household = source
        case.version += 1
        case.save(update_fields=["household", "version", "updated_at"])
    source.merged_into = None
    source.version += 1
    source.save(update_fields=["merged_into", "version", "updated_at"])
    merge.undone_by, merge.undone_at = user, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    for household in (source, target):
        audit_record(action=Action.UPDATE, request=request, user=user, obj=household, detail={"merge_undone": merge.pk})
    return merge
