"""保存期間と消去: how long a closed case's personal data is kept, what was anonymised, and erasure requests.

Nothing here is deleted: a household whose cases were closed long enough ago keeps its rows (so every yearly,
activity, referral and support-cycle figure stays the same) but loses what names the people — names, kana,
birth dates (kept as an age band), address, phone and free text, in the live rows and in their history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_YEARS = 5


class RetentionPolicy(models.Model):
    """保存期間: years after a household's last case was closed (終結) before its personal data is anonymised."""

    municipality = models.OneToOneField(
        "agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="retention_policy"
    )
    years = models.PositiveSmallIntegerField(
        _("保存期間（終結後の年数）"), default=DEFAULT_YEARS, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("世帯のすべての事例が終結してからこの年数が過ぎると、apply_retention がその世帯の個人情報を匿名化します。"),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更新者"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+", editable=False)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("保存期間")
        verbose_name_plural = _("保存期間")
        constraints = [models.CheckConstraint(condition=Q(years__gte=1), name="retention_at_least_a_year")]

    def __str__(self):
        return str(_("終結後%(years)d年") % {"years": self.years})


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("保存期間の経過")
    ERASURE = "erasure", _("本人からの削除請求")


class Anonymisation(models.Model):
    """One household (or one member of it) anonymised: when, why, and how many rows of each kind were rewritten.
    Holds no personal data: the age bands, case numbers and counts only."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    household = models.ForeignKey("cases.Household", verbose_name=_("世帯"), on_delete=models.PROTECT,
                                  related_name="+")
    member = models.ForeignKey("cases.HouseholdMember", verbose_name=_("世帯員（一人だけのとき）"),
                               on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("理由"), max_length=20, choices=AnonymisationReason.choices)
    request = models.ForeignKey("retention.ErasureRequest", verbose_name=_("削除請求"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="anonymisations")
    anonymised_at = models.DateTimeField(_("匿名化の日時"))
    reference_on = models.DateField(_("年齢帯の基準日"), help_text=_("最後の事例の終結日（削除請求では受付日）。"))
    case_numbers = models.JSONField(_("事例番号"), default=list)
    erased = models.JSONField(_("書き換えた行の数"), default=dict)

    class Meta:
        verbose_name = _("匿名化の記録")
        verbose_name_plural = _("匿名化の記録")
        ordering = ["-anonymised_at", "-pk"]
        indexes = [models.Index(fields=["household", "-anonymised_at"], name="anonymisation_household_idx")]

    def __str__(self):
        return f"{_('世帯')} #{self.household_id} {self.get_reason_display()}"


class AnonymisedMember(models.Model):
    """What is kept of a member's birth date: the age band on the reference day (the yearly tables use no age)."""

    anonymisation = models.ForeignKey(Anonymisation, verbose_name=_("匿名化の記録"), on_delete=models.CASCADE,
                                      related_name="members")
    member = models.ForeignKey("cases.HouseholdMember", verbose_name=_("世帯員"), on_delete=models.PROTECT,
                               related_name="+")
    age_band = models.CharField(_("年齢帯"), max_length=20)

    class Meta:
        verbose_name = _("匿名化した世帯員")
        verbose_name_plural = _("匿名化した世帯員")
        ordering = ["pk"]

    def __str__(self):
        return f"{_('世帯員')} #{self.member_id} {self.age_band}"


class ErasureGround(models.TextChoices):
    PERSON = "person", _("本人からの請求")
    AGENT = "agent", _("法定代理人・任意代理人からの請求")
    OTHER = "other", _("その他（補足に記入）")


class ErasureStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち（1人目）")
    FIRST_APPROVED = "first_approved", _("承認待ち（2人目）")
    DONE = "done", _("消去済み")
    REJECTED = "rejected", _("却下")


class ErasureRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """Requests of the user's municipality, for the roles that handle them (administrators and the auditor)."""
        from accounts.models import Role

        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        if user.role not in (Role.ADMINISTRATOR, Role.AUDITOR):
            return self.none()
        return self.filter(municipality_id=user.municipality_id)


class ErasureRequest(models.Model):
    """本人からの削除請求: filed by one person, approved by two others (one of them the 個人情報保護担当),
    executed on the second approval. Names nobody: the household and member by number."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("連番"))
    number = models.CharField(_("受付番号"), max_length=30)
    household = models.ForeignKey("cases.Household", verbose_name=_("世帯"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "cases.HouseholdMember", verbose_name=_("世帯員"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("空欄は世帯全体です。"),
    )
    ground = models.CharField(_("請求の種類"), max_length=20, choices=ErasureGround.choices)
    received_on = models.DateField(_("請求の受付日"))
    note = models.TextField(
        _("補足"), blank=True, help_text=_("氏名・住所など個人を特定する情報は書かないでください（受付票に載ります）。")
    )
    status = models.CharField(_("状況"), max_length=20, choices=ErasureStatus.choices, default=ErasureStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受付者"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("受付日時"))
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承認者（1人目）"),
                                          on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    first_approved_at = models.DateTimeField(_("承認日時（1人目）"), null=True, blank=True)
    second_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承認者（2人目）"),
                                           on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    second_approved_at = models.DateTimeField(_("承認日時（2人目）"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("却下した人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    rejected_at = models.DateTimeField(_("却下の日時"), null=True, blank=True)
    rejection_reason = models.TextField(_("却下の理由"), blank=True)
    executed_at = models.DateTimeField(_("消去の日時"), null=True, blank=True)
    erased = models.JSONField(_("消去した内容"), default=dict, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("削除請求")
        verbose_name_plural = _("削除請求")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year", "sequence"], name="erasure_number_unique"),
            # Four eyes in the database too: nobody approves their own request or approves twice.
            models.CheckConstraint(condition=~Q(first_approved_by=F("requested_by")), name="erasure_first_not_requester"),
            models.CheckConstraint(condition=~Q(second_approved_by=F("requested_by")), name="erasure_second_not_requester"),
            models.CheckConstraint(condition=~Q(second_approved_by=F("first_approved_by")), name="erasure_two_approvers"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(first_approved_by__isnull=False) & Q(second_approved_by__isnull=False)
                                               & Q(executed_at__isnull=False)),
                name="erasure_done_after_two_approvals",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (ErasureStatus.PENDING, ErasureStatus.FIRST_APPROVED)

    @property
    def scope_label(self) -> str:
        if self.member_id:
            return str(_("世帯 #%(household)d の世帯員 #%(member)d") % {"household": self.household_id,
                                                                  "member": self.member_id})
        return str(_("世帯 #%(household)d（世帯員全員）") % {"household": self.household_id})
