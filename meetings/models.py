import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Role
from agencies.models import MasterModel
from core.scoping import ScopedManager
from core.wareki import format_date


class MeetingBasis(MasterModel):
    """開催根拠: the legal footing that decides whether personal data may be shared (DOMAIN.md §4)."""

    law = models.CharField(_("根拠法令"), max_length=100, blank=True)
    requires_consent = models.BooleanField(
        _("本人同意が必要"), default=True, help_text=_("本人の同意がなければ個人情報を協議できない根拠。")
    )
    statutory_confidentiality = models.BooleanField(
        _("法定の守秘義務"), default=False, help_text=_("出席者全員に法律上の守秘義務が課される根拠。")
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("開催根拠")
        verbose_name_plural = _("開催根拠")
        constraints = MasterModel.unique_name_constraints("meetingbasis")


class MeetingKind(MasterModel):
    """会議種別 (つながる場, 重層的支援会議, 支援会議 …)."""

    is_network_meeting = models.BooleanField(
        _("ネットワーク会議"), default=False, help_text=_("個別事例ではなく議題を扱う会議（包括化推進会議など）。")
    )
    in_annual_tables = models.BooleanField(
        _("年次集計の対象"), default=False,
        help_text=_("つながる場の年次集計表（開催根拠・SV派遣・相談のあった機関・参加機関・課題）で数える会議。"),
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("会議種別")
        verbose_name_plural = _("会議種別")
        constraints = MasterModel.unique_name_constraints("meetingkind")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("開催予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        """Meetings this user may see: a coordinator their ward's; a supervisor those they convened, attend as
        SV or whose cases they are dispatched to; an agency worker those their agency was invited to."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        if user.role == Role.SUPERVISOR:
            from cases.models import Case

            dispatched = MeetingCase.objects.filter(
                meeting_id=OuterRef("pk"), case__in=Case.all_objects.filter(supervisors=user)
            )
            return mine.filter(Q(convener=user) | Q(supervisor=user) | Exists(dispatched))
        if user.role == Role.AGENCY_WORKER:
            invited = MeetingAgency.objects.filter(meeting_id=OuterRef("pk"), agency_id=user.agency_id)
            return mine.filter(Exists(invited))
        return self.none()

    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def in_period(self, start: dt.date, end: dt.date):
        """Meetings held on days start..end inclusive (Tokyo days)."""
        return self.filter(held_on__gte=start, held_on__lte=end)


class Meeting(models.Model):
    """会議: a case conference (つながる場, 重層的支援会議, 支援会議 …) or a network meeting (包括化推進会議 …)."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("区・圏域"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.ForeignKey(MeetingKind, verbose_name=_("会議種別"), on_delete=models.PROTECT, related_name="meetings")
    basis = models.ForeignKey(
        MeetingBasis, verbose_name=_("開催根拠"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="meetings", help_text=_("個別の事例を協議する会議では必須です。"),
    )
    title = models.CharField(_("会議名"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    held_on = models.DateField(_("開催日"), editable=False, db_index=True)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("招集者"), on_delete=models.PROTECT, related_name="convened_meetings"
    )
    sv_dispatched = models.BooleanField(_("SV派遣"), default=False)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("派遣されたSV"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="sv_meetings",
    )
    status = models.CharField(_("状況"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes = models.TextField(_("議事録"), blank=True)
    decisions = models.TextField(_("決定事項"), blank=True)
    next_review_on = models.DateField(_("次回の見直し日"), null=True, blank=True)
    cancel_reason = models.CharField(_("中止の理由"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    tasks = models.ManyToManyField("cases.RoleAssignment", verbose_name=_("決めた役割分担"), through="MeetingTask",
                                   related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords()
    all_objects = MeetingQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-starts_at", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(sv_dispatched=True) | Q(supervisor__isnull=True), name="meeting_sv_only_if_dispatched"),
        ]
        indexes = [
            models.Index(fields=["municipality", "held_on"], name="meeting_municipality_day_idx"),
            models.Index(fields=["ward", "-starts_at"], name="meeting_ward_start_idx"),  # a ward's list, newest first
            # Upcoming meetings (dashboards) among a city's years of held ones.
            models.Index(fields=["municipality", "held_on"], condition=Q(status="scheduled"),
                         name="meeting_scheduled_day_idx"),
        ]

    def __str__(self):
        return self.title or f"{self.kind} {format_date(self.held_on) if self.held_on else ''}".strip()

    def save(self, *args, **kwargs):
        self.held_on = timezone.localdate(self.starts_at)
        super().save(*args, **kwargs)

    @property
    def is_network(self) -> bool:
        return self.kind.is_network_meeting


class MeetingAgency(models.Model):
    """An agency invited to, and (once held) present at, a meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="agency_links")
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("機関"), on_delete=models.PROTECT, related_name="meeting_links")
    invited = models.BooleanField(_("招集"), default=True)
    attended = models.BooleanField(_("出席"), default=False)

    class Meta:
        verbose_name = _("参加機関")
        verbose_name_plural = _("参加機関")
        ordering = ["agency__category__sort_order", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="meeting_agency_unique")]

    def __str__(self):
        return str(self.agency)


class Confidentiality(models.TextChoices):
    STATUTORY = "statutory", _("法定の守秘義務")
    AGREEMENT = "agreement", _("申し合わせによる守秘")


class MeetingAttendee(models.Model):
    """A person present at a meeting (staff, not residents), with the confidentiality that binds them."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("氏名"), max_length=100)
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("所属機関"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    affiliation = models.CharField(_("所属（機関以外）"), max_length=100, blank=True)
    is_internal = models.BooleanField(_("庁内"), default=False)
    confidentiality = models.CharField(_("守秘義務"), max_length=20, choices=Confidentiality.choices)

    class Meta:
        verbose_name = _("出席者")
        verbose_name_plural = _("出席者")
        ordering = ["-is_internal", "pk"]

    def __str__(self):
        return self.name


class MeetingCase(models.Model):
    """A case discussed at a meeting, with the consent (if any) that allowed it."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="discussions")
    case = models.ForeignKey("cases.Case", verbose_name=_("事例"), on_delete=models.PROTECT, related_name="discussions")
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("根拠とした本人同意"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    note = models.TextField(_("協議の内容"), blank=True)
    issues_recorded = models.BooleanField(_("協議時の課題を記録済み"), default=False, editable=False)

    class Meta:
        verbose_name = _("協議した事例")
        verbose_name_plural = _("協議した事例")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_unique")]

    def __str__(self):
        return str(self.case)


class MeetingTask(models.Model):
    """A 役割分担 decided at a meeting: the link is the meeting's to keep (cases knows nothing of meetings)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("決めた会議"), on_delete=models.CASCADE, related_name="task_links")
    task = models.OneToOneField("cases.RoleAssignment", verbose_name=_("役割分担"), on_delete=models.CASCADE,
                                related_name="meeting_link")

    class Meta:
        verbose_name = _("会議で決めた役割分担")
        verbose_name_plural = _("会議で決めた役割分担")
        ordering = ["pk"]

    def __str__(self):
        return str(self.task)


class MeetingCaseIssue(models.Model):
    """An issue of a case as it stood when the meeting discussed it (the yearly tables count these)."""

    discussion = models.ForeignKey(MeetingCase, verbose_name=_("協議した事例"), on_delete=models.CASCADE, related_name="issues")
    category = models.ForeignKey("cases.IssueCategory", verbose_name=_("課題"), on_delete=models.PROTECT, related_name="+")
    suspected = models.BooleanField(_("疑い"), default=False)

    class Meta:
        verbose_name = _("協議時の課題")
        verbose_name_plural = _("協議時の課題")
        ordering = ["category__sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["discussion", "category"], name="meeting_case_issue_unique")]

    def __str__(self):
        return self.category.name


class AgendaItem(models.Model):
    """議題 of a network meeting (包括化推進会議 …): set, concluded, or carried on as a continuing theme."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("議題"), max_length=200)
    carried_from = models.ForeignKey(
        "self", verbose_name=_("前回からの継続"), on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    progress = models.TextField(_("進捗の報告"), blank=True)
    is_concluded = models.BooleanField(_("解決・結論"), default=False)
    is_continuing = models.BooleanField(_("継続テーマ"), default=False)

    class Meta:
        verbose_name = _("議題")
        verbose_name_plural = _("議題")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~(Q(is_concluded=True) & Q(is_continuing=True)), name="agenda_concluded_or_continuing"),
        ]

    def __str__(self):
        return self.title


class ActivityKind(models.TextChoices):
    """Activities of seed 001 not tied to one case. Group and label follow 001's table."""

    PUBLICITY = "publicity", _("各相談支援機関への事業周知")
    OUTREACH = "outreach", _("各相談支援機関へのアウトリーチ（情報収集や状況確認など）")
    LIAISON = "liaison", _("連絡会参加")
    CASE_REVIEW = "case_review", _("個別事例検討会議")
    WARD_INITIATIVE = "ward_initiative", _("区独自の取組")
    TRAINING = "training", _("研修")
    TOOL = "tool", _("ツール作成")


class ActivityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Activities hold no resident's data: a coordinator sees their ward's, the bureau and supervisors all
        of their municipality's."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        if user.role in (Role.SUPERVISOR, Role.BUREAU, Role.ADMINISTRATOR):
            return mine
        return self.none()

    def in_period(self, start: dt.date, end: dt.date):
        return self.filter(held_on__gte=start, held_on__lte=end)


class Activity(models.Model):
    """活動: 事業周知, アウトリーチ, 連絡会参加, 個別事例検討会議, 区独自の取組, 研修, ツール作成 (seed 001)."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    ward = models.ForeignKey("agencies.Ward", verbose_name=_("区・圏域"), on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("活動"), max_length=20, choices=ActivityKind.choices)
    held_on = models.DateField(_("実施日"))
    title = models.CharField(_("名称・テーマ"), max_length=200, blank=True)
    agencies = models.ManyToManyField("agencies.Agency", verbose_name=_("関わった機関"), blank=True, related_name="+")
    agency_count = models.PositiveIntegerField(_("参加機関数"), null=True, blank=True)
    case_count = models.PositiveIntegerField(_("検討した事例数"), null=True, blank=True)
    participant_count = models.PositiveIntegerField(_("参加者数"), null=True, blank=True)
    note = models.TextField(_("メモ"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    all_objects = ActivityQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("活動")
        verbose_name_plural = _("活動")
        ordering = ["-held_on", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        indexes = [models.Index(fields=["municipality", "held_on"], name="activity_municipality_day_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {format_date(self.held_on)}"
