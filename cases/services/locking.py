"""The audited, version-checked update every edit form of cases uses (the check itself is core.locking)."""

from audit.models import Action
from audit.services import audit_record
from core.history import attribute_to
from core.locking import check_version


def versioned_update(obj, *, expected_version: int, fields: list[str], changes: dict, user, request=None):
    """Apply `changes` to the editable `fields` of `obj` if nobody saved it since `expected_version`.

    Bumps the version, saves only what changed and leaves an audit event naming the changed fields.
    """
    current = check_version(obj, expected_version, fields=fields)
    changed = [name for name in fields if name in changes and getattr(current, name) != changes[name]]
    for name in changed:
        setattr(current, name, changes[name])
    current.version += 1  # the row is locked by check_version
    attribute_to(current, user)  # attributed even outside a web request
    touched = [*changed, "version"] + (["updated_at"] if hasattr(current, "updated_at") else [])
    current.save(update_fields=touched)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"fields": changed})
    return current
