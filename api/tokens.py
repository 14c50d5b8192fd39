"""Issuing and revoking API tokens; both are audited (Action.TOKEN) in the token user's city."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PERSONAL_DATA_ROLES, Role
from audit.models import Action
from audit.services import audit_record

from .models import ApiToken, token_hash

# The roles the API serves: the case-work roles (their records) and the bureau and administrators (the reports).
# An auditor has nothing to call, so no token.
API_ROLES = PERSONAL_DATA_ROLES | {Role.BUREAU, Role.ADMINISTRATOR}
MAX_DAYS = 366


def _audit(*, token: ApiToken, event: str, actor=None, request=None, **detail) -> None:
    audit_record(action=Action.TOKEN, request=request, user=actor, obj=token, municipality=token.user.municipality_id,
                 username="" if actor else "manage.py",
                 detail={"event": event, "username": token.user.get_username(), "prefix": token.prefix, **detail})


@transaction.atomic
def token_issue(*, user, days: int | None = None, name: str = "", actor=None, request=None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid `days` days (API_TOKEN_DAYS by default). Returns the token and its key: the
    key is shown once and only its hash is kept."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("有効期間は1日から%(max)d日までで指定してください。") % {"max": MAX_DAYS}, code="days")
    if not user.is_active:
        raise ValidationError(_("利用停止中の利用者にはトークンを発行できません。"), code="inactive")
    if user.role not in API_ROLES:
        raise ValidationError(
            _("役割「%(role)s」は API を使わないため、トークンを発行できません。") % {"role": user.get_role_display()},
            code="role")
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, key_hash=token_hash(key), prefix=key[:6], name=name[:100], created_at=now,
        created_by=actor, expires_at=now + dt.timedelta(days=days),
    )
    _audit(token=token, event="issued", actor=actor, request=request, expires_at=token.expires_at.isoformat())
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, actor=None, request=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    _audit(token=token, event="revoked", actor=actor, request=request)
    return token
