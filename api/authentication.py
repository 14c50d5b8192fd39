"""`Authorization: Token <key>` against the hashed tokens of api.models.ApiToken (#15).

A key is looked up by its sha256; an unknown, expired or revoked key, an inactive user, or a role the API does not
serve is answered 401 in the API's error shape (api/errors.py). The last use is recorded (written at most once a minute).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken, token_hash
from .tokens import API_ROLES

LAST_USED_EVERY = dt.timedelta(minutes=1)


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"
    default_detail = _("トークンの有効期限が切れています。新しいトークンの発行をシステム管理者に依頼してください。")


class TokenRevoked(exceptions.AuthenticationFailed):
    default_code = "token_revoked"
    default_detail = _("このトークンは失効しています。新しいトークンの発行をシステム管理者に依頼してください。")


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing (and its OpenAPI scheme), our own store."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
        if token is None or not token.user.is_active or token.user.role not in API_ROLES:
            raise exceptions.AuthenticationFailed()
        if token.revoked_at is not None:
            raise TokenRevoked()
        now = timezone.now()
        if token.expires_at <= now:
            raise TokenExpired()
        # One conditional UPDATE on every request (so each costs the same queries), which writes at most once a minute.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)).update(last_used_at=now)
        return token.user, token
