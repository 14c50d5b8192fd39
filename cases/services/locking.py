"""Optimistic locking: a save based on an old version is refused and the user told what changed since."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.wareki import format_wareki


class StaleVersionError(ValidationError):
    def __init__(self, message, *, changes):
        super().__init__(message, code="stale")
        self.changes = changes


def check_version(obj, expected_version: int, *, fields: list[str]):
    """Lock the row and compare versions; on a mismatch, list who changed which fields since."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if current.version == expected_version:
        return current
    then = obj.history.filter(version=expected_version).order_by("-history_id").first()
    changes = []
    if then is not None:
        for name in fields:
            before, after = getattr(then, name), getattr(current, name)
            if before != after:
                label = str(type(obj)._meta.get_field(name).verbose_name)
                changes.append({"field": label, "before": before, "after": after})
    latest = obj.history.order_by("-history_id").select_related("history_user").first()
    who = latest.history_user.display_name if latest and latest.history_user else _("他の利用者")
    when = format_wareki(latest.history_date.date()) if latest else ""
    message = _("%(who)sさんが%(when)sにこの情報を更新したため、保存しませんでした。最新の内容を確認してから、もう一度入力してください。") % {
        "who": who, "when": when,
    }
    raise StaleVersionError(message, changes=changes)


def versioned_update(obj, *, expected_version: int, fields: list[str], changes: dict, user, request=None):
    """Apply `changes` to the editable `fields` of `obj` if nobody saved it since `expected_version`.

    Bumps the version, saves only what changed and leaves an audit event naming the changed fields.
    """
    from audit.models import Action
    from audit.services import audit_record

    current = check_version(obj, expected_version, fields=fields)
    changed = [name for name in fields if name in changes and getattr(current, name) != changes[name]]
    for name in changed:
        setattr(current, name, changes[name])
    current.version += 1  # the row is locked by check_version
    current._history_user = user  # attributed even outside a web request
    touched = [*changed, "version"] + (["updated_at"] if hasattr(current, "updated_at") else [])
    current.save(update_fields=touched)
    audit_record(action=Action.UPDATE, request=request, user=user, obj=current, detail={"fields": changed})
    return current
