import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.masters import MasterModel
from core.scoping import ScopedManager


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
        mine = self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        # Supervisors see households of the cases they are dispatched to, agency workers those their
        # agency is involved in; both arrive with cases, meetings and referrals.
        return self.none()


class Household(models.Model):
    """世帯: the unit of work (「個人から世帯へ」)."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    ward = models.ForeignKey("agencies.Ward", verbose_name=_("区・圏域"), on_delete=models.PROTECT)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    all_objects = HouseholdQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("世帯")
        verbose_name_plural = _("世帯")
        ordering = ["-created_at", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"

    def __str__(self):
        return f"{_('世帯')} #{self.pk}"

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
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    relationship = models.CharField(_("続柄"), max_length=20, blank=True)
    is_primary = models.BooleanField(_("本人"), default=False)

    class Meta:
        verbose_name = _("世帯員")
        verbose_name_plural = _("世帯員")
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_primary=True), name="one_primary_member_per_household"
            ),
        ]

    def __str__(self):
        return self.name

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())
