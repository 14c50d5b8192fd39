from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.wareki import format_datetime

from . import chain


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


_ACTION_LABELS: dict[str | None, dict[str, str]] = {}


def action_labels() -> dict[str, str]:
    """The actions' names in the active language, translated once per language (get_action_display hashes every
    lazy label on each call, a cost per row on a page of the trail or a CSV of a million events)."""
    language = get_language()
    if language not in _ACTION_LABELS:
        _ACTION_LABELS[language] = {value: str(label) for value, label in Action.choices}
    return _ACTION_LABELS[language]


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Many events at once (the benchmark's data), chained like one by one: one head lock per chain."""
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            heads = chain.seal(objs, using=self.db)
            created = super().bulk_create(objs, *args, **kwargs)
            chain.advance(heads, using=self.db)
        return created

    def update(self, **kwargs):
        raise TypeError("audit events cannot be changed")

    def delete(self):
        raise TypeError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """Who viewed or changed which personal record, when, from where (DOMAIN.md §4).

    Append-only: the model refuses updates and deletes, and a database trigger (migration 0002)
    refuses them too, so neither the app nor a stray query can rewrite the trail. Tamper-evident: each event is
    chained by `seq` and `hash` to the one before it in its municipality's chain (audit.chain), so a change made
    past the trigger, by the table's owner, is found by `manage.py verify_audit`.
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
    seq = models.PositiveBigIntegerField(_("連番"), editable=False)
    hash = models.CharField(_("ハッシュ"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("監査イベント")
        verbose_name_plural = _("監査イベント")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["municipality", "-at"], name="audit_municipality_at_idx"),
            # The burst check of failed logins (audit.alerts) counts one action over the last minutes on every failure.
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            # "Who looked at this record": list and search events whose detail names it among their ids.
            GinIndex(fields=["detail"], opclasses=["jsonb_path_ops"], name="audit_detail_gin_idx"),
        ]
        constraints = [
            # One event per place in a chain: two writers can never fork it, whatever the locking.
            models.UniqueConstraint(fields=["municipality", "seq"], nulls_distinct=False, name="audit_chain_seq_unique"),
        ]

    def __str__(self):
        return f"{format_datetime(self.at)} {self.username} {self.action_label} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("audit events cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            heads = chain.seal([self], using=using)
            super().save(*args, **kwargs)
            chain.advance(heads, using=using)

    def delete(self, *args, **kwargs):
        raise TypeError("audit events cannot be deleted")

    @property
    def action_label(self) -> str:
        return action_labels().get(self.action, self.action)


class AuditChainHead(models.Model):
    """The last seq and hash of each chain (chain = municipality id, 0 for events naming none), moved on in the
    transaction that adds an event. Events missing from the end of a chain are found against it."""

    chain = models.PositiveBigIntegerField(_("チェーン"), primary_key=True)
    seq = models.PositiveBigIntegerField(_("最後の連番"))
    hash = models.CharField(_("最後のハッシュ"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("監査ログの末尾")
        verbose_name_plural = _("監査ログの末尾")

    def __str__(self):
        return f"{self.chain}: {self.seq}"
