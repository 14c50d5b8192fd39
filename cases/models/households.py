import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Role
from agencies.models import MasterModel
from core.scoping import ScopedManager
from core.text import digits_only, normalize_address, normalize_kana, normalize_name


class IssueCategory(MasterModel):
    """課題 master (seed 000's list first, then DOMAIN.md §3's additions)."""

    allows_suspected = models.BooleanField(
        _("疑いを含む"), default=False, help_text=_("「（疑い含む）」として数える課題（精神障がいなど）。")
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("課題の種類")
        verbose_name_plural = _("課題の種類")
        constraints = MasterModel.unique_name_constraints("issuecategory")


class HouseholdQuerySet(models.QuerySet):
    def for_user(self, user):
        """The households this user may see: personal data is scoped here and nowhere else."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id, merged_into__isnull=True)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        if user.role in (Role.SUPERVISOR, Role.AGENCY_WORKER):
            # Through the cases they are dispatched to or their agency is involved in.
            from .cases import Case

            visible_cases = Case.objects.for_user(user).filter(household_id=OuterRef("pk"))
            return mine.filter(Exists(visible_cases))
        return self.none()


class Household(models.Model):
    """世帯: the unit of work (「個人から世帯へ」)."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    ward = models.ForeignKey("agencies.Ward", verbose_name=_("区・圏域"), on_delete=models.PROTECT)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    address_normalized = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    phone_digits = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    note = models.TextField(_("世帯の特記事項"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("統合先の世帯"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="merged_households",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["address_normalized", "phone_digits"])
    all_objects = HouseholdQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("世帯")
        verbose_name_plural = _("世帯")
        ordering = ["-created_at", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="household_not_merged_into_itself"),
        ]

    def __str__(self):
        return f"{_('世帯')} #{self.pk}"

    def save(self, *args, **kwargs):
        # Search keys are derived from what was typed, so they can never disagree with it.
        self.address_normalized = normalize_address(self.address)
        self.phone_digits = digits_only(self.phone)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "address_normalized", "phone_digits"}
        super().save(*args, **kwargs)

    @property
    def primary_member(self):
        # Uses the prefetched members when present, so list pages stay at a fixed query count.
        return next((m for m in self.members.all() if m.is_primary), None)


class Sex(models.TextChoices):
    FEMALE = "female", _("女性")
    MALE = "male", _("男性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class HouseholdMember(models.Model):
    """世帯員."""

    household = models.ForeignKey(Household, verbose_name=_("世帯"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名（かな）"), max_length=100)
    name_normalized = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    kana_normalized = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("推定年齢"), null=True, blank=True, help_text=_("生年月日が分からないときに、おおよその年齢を入力します。")
    )
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    relationship = models.CharField(_("続柄"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("本人"), default=False)
    care_certified = models.BooleanField(_("要介護認定"), default=False)
    disability_certificate = models.BooleanField(_("障害者手帳"), default=False)
    public_assistance = models.BooleanField(_("生活保護受給"), default=False)
    moved_out_on = models.DateField(_("転出日"), null=True, blank=True)
    deceased_on = models.DateField(_("死亡日"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["name_normalized", "kana_normalized"])

    class Meta:
        verbose_name = _("世帯員")
        verbose_name_plural = _("世帯員")
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_primary=True), name="one_primary_member_per_household"
            ),
            models.CheckConstraint(
                condition=Q(estimated_age__isnull=True) | Q(estimated_age__lte=130), name="member_age_plausible"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_normalized = normalize_name(self.name)
        self.kana_normalized = normalize_kana(self.name_kana)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_normalized", "kana_normalized"}
        super().save(*args, **kwargs)

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return self.estimated_age
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def age_is_estimated(self) -> bool:
        return self.birth_date is None and self.estimated_age is not None

    @property
    def in_household(self) -> bool:
        return self.moved_out_on is None and self.deceased_on is None


class HouseholdMerge(models.Model):
    """Two households found to be the same: what moved where, so an administrator can undo it exactly."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    source = models.ForeignKey(Household, verbose_name=_("統合元の世帯"), on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Household, verbose_name=_("統合先の世帯"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    moved_members = models.JSONField(_("移した世帯員"), default=list)  # [{"id": 1, "was_primary": true}, …]
    moved_cases = models.JSONField(_("移した事例"), default=list)  # [case id, …]
    merged_by = models.ForeignKey("accounts.User", verbose_name=_("統合した人"), on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("統合日時"), auto_now_add=True)
    undone_by = models.ForeignKey(
        "accounts.User", verbose_name=_("元に戻した人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("元に戻した日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("世帯の統合")
        verbose_name_plural = _("世帯の統合")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="merge_source_is_not_target"),
        ]

    def __str__(self):
        return f"#{self.source_id} → #{self.target_id}"
