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


class SearchKeyedQuerySet(models.QuerySet):
    """Rows written in bulk get their search keys as `save()` gives them (bulk_create and update skip save()).

    The model names its keys in `SEARCH_KEYS` ({key: (typed field, normaliser)}) and fills them in
    `fill_search_keys()`; this is the only place they are computed, whichever way a row is written.
    """

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_search_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.fill_search_keys()
        keys = [key for key, (source, _normalise) in self.model.SEARCH_KEYS.items() if source in fields]
        return super().bulk_update(objs, [*fields, *keys], *args, **kwargs)

    def update(self, **kwargs):
        for key, (source, normalise) in self.model.SEARCH_KEYS.items():
            if source in kwargs and key not in kwargs:  # bulk_update() sends both, already derived
                if not isinstance(kwargs[source], str):
                    raise TypeError(f"{source} is updated only with a value, so that {key} can follow it")
                kwargs[key] = normalise(kwargs[source])
        return super().update(**kwargs)


def _fill_search_keys(obj) -> None:
    for key, (source, normalise) in obj.SEARCH_KEYS.items():
        setattr(obj, key, normalise(getattr(obj, source)))


def _with_search_keys(obj, kwargs: dict) -> dict:
    """save()'s kwargs: an update of named fields also writes the keys derived from them."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], *obj.SEARCH_KEYS}
    return kwargs


class HouseholdQuerySet(SearchKeyedQuerySet):
    def for_user(self, user):
        """The households this user may see: personal data is scoped here and nowhere else."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id, merged_into__isnull=True)
        if user.role == Role.COORDINATOR:
            return mine.filter(ward_id=user.ward_id)
        if user.role == Role.SUPERVISOR:
            # Through the cases they are dispatched to (an agency worker sees no household: docs/access-policy.md).
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
        # A ward's newest households without a sort; its count read from the index alone (city scale).
        indexes = [models.Index(fields=["ward", "-created_at", "-id"], include=["municipality"],
                                condition=Q(merged_into__isnull=True), name="household_ward_recent_idx")]

    def __str__(self):
        return f"{_('世帯')} #{self.pk}"

    # Search keys are derived from what was typed, so they can never disagree with it.
    SEARCH_KEYS = {"address_normalized": ("address", normalize_address), "phone_digits": ("phone", digits_only)}

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        super().save(*args, **_with_search_keys(self, kwargs))

    def fill_search_keys(self) -> None:
        _fill_search_keys(self)

    @property
    def primary_member(self):
        # Uses the prefetched members when present, so list pages stay at a fixed query count.
        return next((m for m in self.members.all() if m.is_primary), None)


class Sex(models.TextChoices):
    FEMALE = "female", _("女性")
    MALE = "male", _("男性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class Relationship(models.TextChoices):
    """続柄, from the person the household is registered under (本人)."""

    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶者")
    CHILD = "child", _("子")
    FATHER = "father", _("父")
    MOTHER = "mother", _("母")
    SIBLING = "sibling", _("兄弟姉妹")
    GRANDPARENT = "grandparent", _("祖父母")
    GRANDCHILD = "grandchild", _("孫")
    OTHER = "other", _("その他")


class CareLevel(models.TextChoices):
    """要介護度 (介護保険の要介護認定)."""

    SUPPORT_1 = "support_1", _("要支援1")
    SUPPORT_2 = "support_2", _("要支援2")
    CARE_1 = "care_1", _("要介護1")
    CARE_2 = "care_2", _("要介護2")
    CARE_3 = "care_3", _("要介護3")
    CARE_4 = "care_4", _("要介護4")
    CARE_5 = "care_5", _("要介護5")
    CERTIFIED = "certified", _("認定あり（区分は未確認）")


class PhysicalDisabilityGrade(models.TextChoices):
    """身体障害者手帳の等級."""

    GRADE_1 = "1", _("1級")
    GRADE_2 = "2", _("2級")
    GRADE_3 = "3", _("3級")
    GRADE_4 = "4", _("4級")
    GRADE_5 = "5", _("5級")
    GRADE_6 = "6", _("6級")


class IntellectualDisabilityGrade(models.TextChoices):
    """療育手帳の判定: A/B, or 重度/中度/軽度 where the city grades it so."""

    A = "A", _("A")
    B = "B", _("B")
    SEVERE = "severe", _("重度")
    MODERATE = "moderate", _("中度")
    MILD = "mild", _("軽度")


class MentalDisabilityGrade(models.TextChoices):
    """精神障害者保健福祉手帳の等級."""

    GRADE_1 = "1", _("1級")
    GRADE_2 = "2", _("2級")
    GRADE_3 = "3", _("3級")


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
    relationship = models.CharField(_("続柄"), max_length=20, choices=Relationship.choices, default=Relationship.OTHER)
    relationship_note = models.CharField(
        _("続柄（詳しく）"), max_length=20, blank=True,
        help_text=_("長男・叔母など。「その他」のときは必ず書いてください。"),
    )
    is_primary = models.BooleanField(_("本人"), default=False)
    care_level = models.CharField(_("要介護度"), max_length=12, choices=CareLevel.choices, blank=True)
    physical_disability_grade = models.CharField(
        _("身体障害者手帳"), max_length=2, choices=PhysicalDisabilityGrade.choices, blank=True)
    intellectual_disability_grade = models.CharField(
        _("療育手帳"), max_length=10, choices=IntellectualDisabilityGrade.choices, blank=True)
    mental_disability_grade = models.CharField(
        _("精神障害者保健福祉手帳"), max_length=2, choices=MentalDisabilityGrade.choices, blank=True)
    disability_unconfirmed = models.BooleanField(
        _("障害者手帳あり（種類・等級は未確認）"), default=False,
        help_text=_("手帳を持っていると分かっていて、種類や等級をまだ確かめていないとき。"),
    )
    public_assistance = models.BooleanField(_("生活保護受給"), default=False)
    moved_out_on = models.DateField(_("転出日"), null=True, blank=True)
    deceased_on = models.DateField(_("死亡日"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["name_normalized", "kana_normalized"])
    objects = SearchKeyedQuerySet.as_manager()

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

    SEARCH_KEYS = {"name_normalized": ("name", normalize_name), "kana_normalized": ("name_kana", normalize_kana)}

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        super().save(*args, **_with_search_keys(self, kwargs))

    def fill_search_keys(self) -> None:
        _fill_search_keys(self)

    @property
    def relationship_label(self) -> str:
        """「子（長男）」, 「その他（叔母）」 or just 「母」."""
        label = str(self.get_relationship_display())
        if not self.relationship_note:
            return label
        return _("%(relationship)s（%(note)s）") % {"relationship": label, "note": self.relationship_note}

    @property
    def disability_certificates(self) -> list[str]:
        """Each 手帳 the member holds, with its grade: 「身体障害者手帳 2級」「療育手帳 A」."""
        held = [f"{self._meta.get_field(name).verbose_name} {getattr(self, f'get_{name}_display')()}"
                for name in ("physical_disability_grade", "intellectual_disability_grade", "mental_disability_grade")
                if getattr(self, name)]
        if self.disability_unconfirmed:
            held.append(str(_("障害者手帳（種類・等級は未確認）")))
        return held

    @property
    def support_labels(self) -> list[str]:
        """The support the member gets, as the household page and a shared 世帯構成 show it (no name)."""
        labels = [str(self.get_care_level_display())] if self.care_level else []
        labels += self.disability_certificates
        if self.public_assistance:
            labels.append(str(_("生活保護受給")))
        return labels

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
