from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """自治体. Every domain row belongs to exactly one; nothing crosses this line but anonymous aggregates."""

    name = models.CharField(_("自治体名"), max_length=50, unique=True)
    code = models.CharField(_("地方公共団体コード"), max_length=6, unique=True)
    area_label = models.CharField(
        _("圏域の呼び方"), max_length=20, default="区", help_text=_("大阪市は「区」、狛江市は「日常生活圏域」など。")
    )

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_six_digits"),
        ]

    def __str__(self):
        return self.name


class Ward(models.Model):
    """区 / 圏域."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("区・圏域")
        verbose_name_plural = _("区・圏域")
        ordering = ["municipality", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="ward_name_unique_in_municipality")]

    def __str__(self):
        return self.name


# Shared base for the master lists (マスタ) of DOMAIN.md §3.
#
# A master row with no municipality is the national standard list, loaded by a data migration and
# editable by the system operator; a municipality's administrator adds rows of its own. Both kinds are
# offered to that municipality's users, in sort order.

class MasterQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))

    def active(self):
        return self.filter(is_active=True)


class MasterModel(models.Model):
    municipality = models.ForeignKey(
        "agencies.Municipality",
        verbose_name=_("自治体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("空欄は全国標準の項目です。"),
    )
    name = models.CharField(_("名称"), max_length=100)
    sort_order = models.PositiveIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("使用中"), default=True)

    objects = MasterQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name

    @classmethod
    def unique_name_constraints(cls, label):
        return [
            models.UniqueConstraint(
                fields=["name"], condition=Q(municipality__isnull=True), name=f"{label}_standard_name_unique"
            ),
            models.UniqueConstraint(fields=["municipality", "name"], name=f"{label}_municipality_name_unique"),
        ]


class Field(models.TextChoices):
    """分野 of an agency category (DOMAIN.md §3)."""

    ELDERLY = "elderly", _("高齢")
    DISABILITY = "disability", _("障がい")
    CHILDREN = "children", _("子ども")
    POVERTY = "poverty", _("生活困窮")
    HEALTH = "health", _("保健医療")
    EDUCATION = "education", _("教育")
    HOUSING = "housing", _("住まい")
    EMPLOYMENT = "employment", _("就労")
    OTHER = "other", _("その他")


class AgencyCategory(MasterModel):
    """機関種別 (相談のあった機関 / 参加機関 in the yearly tables)."""

    field = models.CharField(_("分野"), max_length=20, choices=Field.choices, default=Field.OTHER)

    class Meta(MasterModel.Meta):
        verbose_name = _("機関種別")
        verbose_name_plural = _("機関種別")
        constraints = MasterModel.unique_name_constraints("agencycategory")


class Agency(models.Model):
    """機関: a concrete agency (e.g. 北区地域包括支援センター)."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="agencies")
    ward = models.ForeignKey(
        Ward, verbose_name=_("区・圏域"), on_delete=models.PROTECT, null=True, blank=True, related_name="agencies",
        help_text=_("市全域を担当する機関は空欄。"),
    )
    category = models.ForeignKey(AgencyCategory, verbose_name=_("機関種別"), on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("機関名"), max_length=100)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    is_active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        verbose_name = _("機関")
        verbose_name_plural = _("機関")
        ordering = ["municipality", "ward__sort_order", "category__sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="agency_name_unique_in_municipality")]

    def __str__(self):
        return self.name
