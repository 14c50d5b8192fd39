from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from cases.models import Household, HouseholdMember

from .locking import check_version

HOUSEHOLD_FIELDS = ["address", "phone", "note"]
MEMBER_FIELDS = [
    "name", "name_kana", "birth_date", "estimated_age", "sex", "relationship", "care_certified",
    "disability_certificate", "public_assistance", "moved_out_on", "deceased_on",
]


@transaction.atomic
def household_create(*, user, ward, address="", phone="", note="", primary: dict, request=None) -> Household:
    household = Household(municipality_id=user.municipality_id, ward=ward, address=address, phone=phone, note=note)
    household.save()
    member = HouseholdMember(household=household, is_primary=True, relationship=primary.pop("relationship", "本人") or "本人", **primary)
    member.save()
    audit_record(action=Action.CREATE, request=request, user=user, obj=household)
    audit_record(action=Action.CREATE, request=request, user=user, obj=member)
    return household


@transaction.atomic
def household_update(*, user, household: Household, expected_version: int, request=None, **changes) -> Household:
    current = check_version(household, expected_version, fields=HOUSEHOLD_FIELDS)
    changed = [name for name in HOUSEHOLD_FIELDS if name in changes and getattr(current, name) != changes[name]]
    for name in changed:
        setattr(current, name, changes[name])
    current.version += 1  # the row is locked by check_version
    current.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"fields": changed})
    return current


@transaction.atomic
def member_add(*, user, household: Household, request=None, **fields) -> HouseholdMember:
    member = HouseholdMember(household=household, is_primary=False, **fields)
    member.save()
    audit_record(action=Action.CREATE, request=request, user=user, obj=member)
    return member


@transaction.atomic
def member_update(*, user, member: HouseholdMember, expected_version: int, request=None, **changes) -> HouseholdMember:
    current = check_version(member, expected_version, fields=MEMBER_FIELDS)
    changed = [name for name in MEMBER_FIELDS if name in changes and getattr(current, name) != changes[name]]
    for name in changed:
        setattr(current, name, changes[name])
    current.version += 1  # the row is locked by check_version
    current.save(update_fields=[*changed, "version"])
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"fields": changed})
    return current
