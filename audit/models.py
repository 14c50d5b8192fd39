from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.wareki import format_datetime


class Action(models.TextChoices):
    VIEW = "view", _("閲覧")
    LIST = "list", _("一覧表示")
    SEARCH = "search", _("検索")
    CREATE = "create", _("作成")
    UPDATE = "update", _("変更")
    DELETE = "delete", _("削除")
    EXPORT = "export", _("出力")
    LOGIN = "login", _("ログイン")
    LOGOUT = "logout", _("ログアウト")
    LOGIN_FAILED = "login_failed", _("ログイン失敗")
    LOCKED_OUT = "locked_out", _("ログイン停止")
    PASSWORD_CHANGE = "password_change", _("パスワード変更")
    REFUSED = "refused", _("拒否（権限なし・範囲外）")
    # Trust (#15): account administration, second factors, alerts, approvals, retention and erasure.
    PASSWORD_RESET = "password_reset", _("パスワード再設定")
    TWO_FACTOR = "two_factor", _("二要素認証")
    TOKEN = "token", _("APIトークン")
    UNLOCK = "unlock", _("ログイン停止の解除")
    ALERT = "alert", _("警告")
    REQUEST = "request", _("承認の申請")
    APPROVE = "approve", _("承認")
    REJECT = "reject", _("却下")
    ANONYMISE = "anonymise", _("匿名化")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("audit events cannot be changed")

    def delete(self):
        raise TypeError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who viewed or changed which personal record, when, from where (DOMAIN.md §4).

    Append-only: the model refuses updates and deletes, and a database trigger (migration 0002)
    refuses them too, so neither the app nor a stray query can rewrite the trail.
    The label names the object by type and number only, so the trail itself holds no resident's name.
    """

    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    municipality = models.ForeignKey(
        "agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT, null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("利用者"), on_delete=models.PROTECT, null=True, blank=True
    )
    username = models.CharField(_("ログインID"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("対象の種類"), max_length=50, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=50, blank=True)
    object_label = models.CharField(_("対象"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("ブラウザ"), max_length=300, blank=True)
    path = models.CharField(_("URL"), max_length=500, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査イベント")
        verbose_name_plural = _("監査イベント")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["municipality", "-at"], name="audit_municipality_at_idx"),
        ]

    def __str__(self):
        return f"{format_datetime(self.at)} {self.username} {self.get_action_display()} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events cannot be deleted")
