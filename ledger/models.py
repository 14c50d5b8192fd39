"""What a ledger import leaves behind: the file it came from (so the same file is never imported twice)
and the aliases an administrator taught it (「障害者基幹相談支援センター」 → 障がい者基幹相談支援センター)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AliasKind(models.TextChoices):
    WARD = "ward", _("区")
    KIND = "kind", _("会議種別")
    BASIS = "basis", _("開催根拠")
    CATEGORY = "category", _("機関種別")
    ISSUE = "issue", _("課題")


class NameAlias(models.Model):
    """Another spelling of a master name, used when reading ledgers. Without a municipality: for everyone."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.CASCADE,
                                     null=True, blank=True)
    kind = models.CharField(_("対象"), max_length=20, choices=AliasKind.choices)
    alias = models.CharField(_("台帳での表記"), max_length=100)
    target = models.CharField(_("マスタの名称"), max_length=100)

    class Meta:
        verbose_name = _("台帳の表記ゆれ")
        verbose_name_plural = _("台帳の表記ゆれ")
        ordering = ["kind", "alias"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "alias"], name="alias_unique"),
            models.UniqueConstraint(fields=["kind", "alias"], condition=Q(municipality__isnull=True),
                                    name="alias_standard_unique"),
        ]

    def __str__(self):
        return f"{self.alias} → {self.target}"


class LedgerImport(models.Model):
    """One imported file. The checksum makes importing the same file again a no-op."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    filename = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("チェックサム"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    cases_created = models.PositiveIntegerField(_("新しい事例"), default=0)
    meetings_created = models.PositiveIntegerField(_("新しい会議"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("取り込んだ人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(_("取り込み日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("台帳の取り込み")
        verbose_name_plural = _("台帳の取り込み")
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["municipality", "sha256"], name="ledger_file_once")]

    def __str__(self):
        return self.filename
