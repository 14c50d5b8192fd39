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


class ImportedCase(models.Model):
    """Provenance: the case was created from this file's row (ledger keeps it; cases knows nothing of ledger)."""

    case = models.OneToOneField("cases.Case", verbose_name=_("事例"), on_delete=models.CASCADE,
                                related_name="ledger_provenance")
    source = models.ForeignKey(LedgerImport, verbose_name=_("取り込み元"), on_delete=models.PROTECT, related_name="cases")
    row = models.PositiveIntegerField(_("取り込み元の行"))

    class Meta:
        verbose_name = _("台帳から取り込んだ事例")
        verbose_name_plural = _("台帳から取り込んだ事例")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.source} {self.row}"


class ImportedMeeting(models.Model):
    """Provenance: the meeting was created from this file's row."""

    meeting = models.OneToOneField("meetings.Meeting", verbose_name=_("会議"), on_delete=models.CASCADE,
                                   related_name="ledger_provenance")
    source = models.ForeignKey(LedgerImport, verbose_name=_("取り込み元"), on_delete=models.PROTECT,
                               related_name="meetings")
    row = models.PositiveIntegerField(_("取り込み元の行"))

    class Meta:
        verbose_name = _("台帳から取り込んだ会議")
        verbose_name_plural = _("台帳から取り込んだ会議")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.source} {self.row}"


class JobStatus(models.TextChoices):
    QUEUED_CHECK = "queued_check", _("確認を待っています")
    CHECKING = "checking", _("確認しています")
    CHECKED = "checked", _("確認できました")
    REJECTED = "rejected", _("誤りがあります")
    DUPLICATE = "duplicate", _("取り込み済みのファイルです")
    QUEUED_IMPORT = "queued_import", _("取り込みを待っています")
    IMPORTING = "importing", _("取り込んでいます")
    DONE = "done", _("取り込みました")
    CANCELLED = "cancelled", _("取り消しました")
    FAILED = "failed", _("取り込めませんでした")


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Administrators see their municipality's imports; a coordinator those of their own ward."""
        from accounts.models import Role

        if user.role == Role.ADMINISTRATOR:
            return self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return self.filter(municipality_id=user.municipality_id, ward_id=user.ward_id)
        return self.none()


class ImportJob(models.Model):
    """A ledger uploaded on the web page, checked and then imported by the background worker.

    The worker writes `rows_done` through a second database connection, so the page sees progress while
    the import's own transaction is still open; cancelling rolls that transaction back entirely.
    """

    RUNNING = (JobStatus.QUEUED_CHECK, JobStatus.CHECKING, JobStatus.QUEUED_IMPORT, JobStatus.IMPORTING)
    OPEN = (*RUNNING, JobStatus.CHECKED, JobStatus.REJECTED)
    ERRORS_KEPT = 1000
    NOTICES_KEPT = 200

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.CASCADE)
    # A coordinator's import may hold rows of their own ward only; an administrator's (ward blank) any ward.
    ward = models.ForeignKey("agencies.Ward", verbose_name=_("区・圏域"), on_delete=models.CASCADE, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("取り込んだ人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    filename = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("チェックサム"), max_length=64)
    # Where the uploaded file is kept (settings STORAGES["ledger"]) until the job ends; blank once it is
    # imported or cancelled (the file is deleted then).
    stored_name = models.CharField(_("保存先"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大きさ（バイト）"), default=0)
    # What the check found (importer.Result.to_json), so that the import reads the file only once more.
    plan = models.JSONField(_("取り込みの計画"), default=dict, blank=True)
    status = models.CharField(_("状況"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED_CHECK)
    # "check" while the file is read and checked, "import" while meetings are written.
    phase = models.CharField(_("段階"), max_length=10, blank=True)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("処理した行"), default=0)
    cancel_requested = models.BooleanField(_("取り消しの依頼"), default=False)
    preview = models.JSONField(_("取り込まれるもの"), default=dict, blank=True)
    # Each error's reason, the notices and how the job ended are kept as {"kind", "params"} (ledger.notices)
    # and written in the reader's language when the page is shown.
    errors = models.JSONField(_("誤り"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("誤りの数"), default=0)
    # How many errors of each column and reason, with the first of them ({"column", "reason", "count"}): the
    # list above holds only the first errors (settings LEDGER_MAX_STORED_ERRORS).
    error_summary = models.JSONField(_("誤りの内訳"), default=list, blank=True)
    notices = models.JSONField(_("確認で気づいたこと"), default=list, blank=True)
    notice = models.JSONField(_("お知らせ"), default=dict, blank=True)
    result = models.ForeignKey(LedgerImport, verbose_name=_("取り込み"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("台帳の取り込み作業")
        verbose_name_plural = _("台帳の取り込み作業")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        """How far the running pass has got (99 at most until it ends: the total of a check is an estimate)."""
        if self.status == JobStatus.DONE:
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0
