"""What happens on a case: consultations, consent, support plans and who does what (役割分担)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.wareki import format_date


class ConsultationMethod(models.TextChoices):
    PHONE = "phone", _("電話")
    VISIT = "visit", _("来所")
    HOME_VISIT = "home_visit", _("訪問")
    ACCOMPANY = "accompany", _("同行")
    EMAIL = "email", _("メール・文書")
    AGENCY_CONTACT = "agency_contact", _("関係機関との連絡")
    OTHER = "other", _("その他")


class Consultation(models.Model):
    """相談記録 / 支援経過記録: one dated contact on a case."""

    case = models.ForeignKey("cases.Case", verbose_name=_("事例"), on_delete=models.CASCADE, related_name="consultations")
    held_at = models.DateTimeField(_("日時"))
    method = models.CharField(_("方法"), max_length=20, choices=ConsultationMethod.choices)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("対応者"), on_delete=models.PROTECT, related_name="+")
    agencies = models.ManyToManyField("agencies.Agency", verbose_name=_("関わった機関"), blank=True, related_name="+")
    summary = models.TextField(_("内容"))
    minutes = models.PositiveSmallIntegerField(_("所要時間（分）"), null=True, blank=True)
    next_action = models.CharField(_("次の対応"), max_length=200, blank=True)
    next_due_on = models.DateField(_("次の対応の期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("相談記録")
        verbose_name_plural = _("相談記録")
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__isnull=True) | Q(minutes__lte=24 * 60), name="consultation_minutes_within_a_day"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {format_date(self.held_at)}"


class ConsentPurpose(models.TextChoices):
    SHARING = "sharing", _("情報共有")
    MEETING = "meeting", _("つながる場での協議")
    PROVISION = "provision", _("他機関への提供")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("書面")
    ORAL = "oral", _("口頭")


class ConsentQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(obtained_on__lte=day).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


class Consent(models.Model):
    """本人同意: one person's consent for one purpose, limited to some agencies or to all."""

    member = models.ForeignKey(
        "cases.HouseholdMember", verbose_name=_("同意した人"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("目的"), max_length=20, choices=ConsentPurpose.choices)
    all_agencies = models.BooleanField(_("すべての関係機関"), default=False)
    agencies = models.ManyToManyField("agencies.Agency", verbose_name=_("対象の機関"), blank=True, related_name="+")
    obtained_on = models.DateField(_("同意日"))
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("確認者"), on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("方法"), max_length=10, choices=ConsentMethod.choices)
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    withdrawn_on = models.DateField(_("撤回日"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回の確認者"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        verbose_name = _("本人同意")
        verbose_name_plural = _("本人同意")
        ordering = ["-obtained_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("obtained_on")),
                name="consent_withdrawn_after_obtained",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {format_date(self.obtained_on)}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.obtained_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)

    def covers(self, agency) -> bool:
        return self.all_agencies or any(a.pk == agency.pk for a in self.agencies.all())


class PlanKind(models.TextChoices):
    INITIAL = "initial", _("策定")
    REVISION = "revision", _("再プラン")
    CLOSURE = "closure", _("終結判断")


class SupportPlan(models.Model):
    """支援プラン, versioned: each 再プラン is a new version; earlier versions stay as they were."""

    case = models.ForeignKey("cases.Case", verbose_name=_("事例"), on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("版"))
    kind = models.CharField(_("種別"), max_length=20, choices=PlanKind.choices)
    goals = models.TextField(_("支援の目標"))
    policy = models.TextField(_("支援の方針"), blank=True)
    decided_on = models.DateField(_("決定日"))
    review_on = models.DateField(_("見直し予定日"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作成者"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("支援プラン")
        verbose_name_plural = _("支援プラン")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique")]

    def __str__(self):
        return f"第{self.version}版 {self.get_kind_display()}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("未着手")
    IN_PROGRESS = "in_progress", _("対応中")
    DONE = "done", _("完了")
    CANCELLED = "cancelled", _("中止")


class TaskSharing(models.TextChoices):
    """What lets an agency given a task see the person's details (docs/access-policy.md): the same gate as a
    referral. Without one the agency sees its task and the case number, nothing personal."""

    NONE = "none", _("個人情報を共有しない")
    CONSENT = "consent", _("本人同意（他機関への提供・情報共有）")
    MEETING = "meeting", _("会議で協議した機関（法定の守秘義務または協議の同意）")


class RoleAssignmentQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=(TaskStatus.OPEN, TaskStatus.IN_PROGRESS))

    def actionable(self):
        # A closed case's leftover tasks are nobody's to chase (closing cancels them; imports may not).
        return self.pending().exclude(case__status="closed")

    def overdue(self, today: dt.date):
        return self.actionable().filter(due_on__lt=today)


class RoleAssignment(models.Model):
    """役割分担: which agency (and person) does what by when, on a case."""

    case = models.ForeignKey("cases.Case", verbose_name=_("事例"), on_delete=models.CASCADE, related_name="tasks")
    plan = models.ForeignKey(
        SupportPlan, verbose_name=_("支援プラン"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("担当機関"), on_delete=models.PROTECT, related_name="tasks")
    person = models.CharField(_("担当者"), max_length=100, blank=True)
    task = models.CharField(_("役割"), max_length=200)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    status = models.CharField(_("状況"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_on = models.DateField(_("完了日"), null=True, blank=True)
    sharing_basis = models.CharField(_("個人情報の共有の根拠"), max_length=20, choices=TaskSharing.choices,
                                     default=TaskSharing.NONE)
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("本人同意"), on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("役割分担")
        verbose_name_plural = _("役割分担")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["agency", "status"], name="task_agency_status_idx"),
            # Overdue tasks, earliest first, without reading every task of the city (the coordinator's dashboard).
            models.Index(fields=["due_on", "id"], condition=Q(status__in=("open", "in_progress")),
                         name="task_pending_due_idx"),
        ]

    def __str__(self):
        return self.task

    @property
    def is_pending(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_on is not None and self.due_on < timezone.localdate()
