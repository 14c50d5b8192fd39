"""API tokens, kept as a hash (#15): the key is shown once when issued and never stored."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_hash(key: str) -> str:
    """The stored form of a key: sha256 in hex. The key is 256 random bits, so no salt or slow hash is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("利用者"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("トークンのハッシュ（SHA-256）"), max_length=64, unique=True, editable=False)
    # The first characters of the key, to tell tokens apart in the list (too few to guess the rest).
    prefix = models.CharField(_("トークンの先頭"), max_length=8, editable=False)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("発行日時"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("発行した人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("有効期限"))
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("失効させた人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_issue"),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.user.get_username()})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
