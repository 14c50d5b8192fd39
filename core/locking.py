"""Optimistic locking: a save based on an old version is refused and the user told what changed since.

Works on any model with a `version` field and django-simple-history records (`history`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.wareki import format_datetime, format_value


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
                changes.append({"field": label, "before": format_value(before), "after": format_value(after)})
    latest = obj.history.order_by("-history_id").select_related("history_user").first()
    who = latest.history_user.display_name if latest and latest.history_user else _("他の利用者")
    when = format_datetime(latest.history_date) if latest else ""
    message = _("%(who)sさんが%(when)sにこの情報を更新したため、保存しませんでした。最新の内容を確認してから、もう一度入力してください。") % {
        "who": who, "when": when,
    }
    raise StaleVersionError(message, changes=changes)
