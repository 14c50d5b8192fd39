from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Role
from core.scoping import ScopedManager


class IntakeChannel(models.TextChoices):
    VISIT = "visit", _("来所")
    PHONE = "phone", _("電話")
    HOME_VISIT = "home_visit", _("訪問")
    EMAIL = "email", _("メール")
    OUTREACH = "outreach", _("アウトリーチ")
    AGENCY = "agency", _("関係機関から")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("受付")
    ASSESSMENT = "assessment", _("アセスメント")
    PLANNING = "planning", _("プラン作成")
    SUPPORTING = "supporting", _("支援中")
    MONITORING = "monitoring", _("モニタリング")
    CLOSED = "closed", _("終結")
    SUSPENDED = "suspended", _("中断")


OPEN_STATUSES = (
    CaseStatus.RECEIVED, CaseStatus.ASSESSMENT, CaseStatus.PLANNING, CaseStatus.SUPPORTING, CaseStatus.MONITORING,
)


class CaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """Cases whose file this user may open (docs/access-policy.md): a coordinator their ward's, a supervisor
        those dispatched to (directly, or through a meeting that discussed the case). An agency worker opens no
        case file: it sees its tasks (cases.sharing) and what referrals passed on to it."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        if user.role == Role.SUPERVISOR:
            return mine.filter(supervisors=user)
        return self.none()

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    """事例: one household's episode of comprehensive support, from 受付 to 終結."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    ward = models.ForeignKey("agencies.Ward", verbose_name=_("担当区・圏域"), on_delete=models.PROTECT)
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="cases"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("連番"))
    number = models.CharField(_("事例番号"), max_length=30)
    received_on = models.DateField(_("受付日"))
    intake_channel = models.CharField(_("相談経路"), max_length=20, choices=IntakeChannel.choices)
    referring_category = models.ForeignKey(
        "agencies.AgencyCategory", verbose_name=_("相談のあった機関（種別）"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
        help_text=_("本人・家族からの相談のときは空欄。"),
    )
    referring_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("相談のあった機関"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主担当"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="led_cases",
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("派遣スーパーバイザー"), blank=True, related_name="supervised_cases"
    )
    is_difficult = models.BooleanField(_("困難事例"), default=False)
    summary = models.TextField(_("相談の概要"), blank=True)
    status = models.CharField(_("状況"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    status_changed_at = models.DateTimeField(_("状況の変更日時"), null=True, blank=True)
    closed_on = models.DateField(_("終結日"), null=True, blank=True)
    closing_reason = models.TextField(_("終結の理由"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    external_number = models.CharField(
        _("台帳の事例番号"), max_length=50, blank=True, help_text=_("開催台帳から取り込んだ事例の、市の台帳での番号。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[supervisors])
    all_objects = CaseQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("事例")
        verbose_name_plural = _("事例")
        ordering = ["-received_on", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year", "sequence"], name="case_number_unique"),
            models.UniqueConstraint(fields=["municipality", "external_number"], condition=~Q(external_number=""),
                                    name="case_external_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False), name="closed_case_has_closed_on"
            ),
        ]
        indexes = [
            models.Index(fields=["ward", "status"], name="case_ward_status_idx"),
            # The case list's order (newest received first) within a ward, without a sort (city scale).
            models.Index(fields=["ward", "-received_on", "-id"], name="case_ward_recent_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNumberSequence(models.Model):
    """The last case number given out per municipality and fiscal year (locked while numbering)."""

    municipality = models.ForeignKey("agencies.Municipality", on_delete=models.PROTECT)
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year"], name="case_sequence_unique"),
        ]

    def __str__(self):
        return f"{self.fiscal_year}: {self.last}"


class CaseStatusChange(models.Model):
    """One explicit move of a case's status, with who, when and why."""

    case = models.ForeignKey(Case, verbose_name=_("事例"), on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("変更前"), max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=CaseStatus.choices)
    reason = models.TextField(_("理由"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("変更者"), on_delete=models.PROTECT)
    changed_at = models.DateTimeField(_("変更日時"))

    class Meta:
        verbose_name = _("状況の変更")
        verbose_name_plural = _("状況の変更")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class CaseIssue(models.Model):
    """課題 on a case, optionally tied to one member."""

    case = models.ForeignKey(Case, verbose_name=_("事例"), on_delete=models.CASCADE, related_name="issues")
    category = models.ForeignKey(
        "cases.IssueCategory", verbose_name=_("課題"), on_delete=models.PROTECT, related_name="case_issues"
    )
    member = models.ForeignKey(
        "cases.HouseholdMember", verbose_name=_("対象の世帯員"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="issues",
    )
    suspected = models.BooleanField(_("疑い"), default=False)
    noted_on = models.DateField(_("把握日"))
    resolved_on = models.DateField(_("解消日"), null=True, blank=True)
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事例の課題")
        verbose_name_plural = _("事例の課題")
        ordering = ["category__sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("noted_on")),
                name="issue_resolved_after_noted",
            ),
        ]

    def __str__(self):
        return self.category.name
