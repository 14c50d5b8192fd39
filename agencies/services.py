import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Agency, AgencyCategory, Municipality, Ward
from .signals import organisation_changed

# Standard categories that every ward (or 圏域) has one office of: the ward's own windows and the
# centres set up per ward. Schools, clinics, service providers, the police, Hello Work and so on are
# many per ward or organised differently, so the administrator registers them one by one.
PER_WARD_CATEGORY_NAMES = frozenset({
    "地域包括支援センター",
    "高齢福祉担当",
    "生活困窮担当",
    "障がい者基幹相談支援センター",
    "生活保護担当",
    "子ども・子育て担当",
    "見守り相談室",
    "精神保健福祉相談員",
    "障がい福祉担当",
    "社会福祉協議会",
    "保健センター",
})


def per_ward_categories():
    """The active standard categories that municipality_setup() creates an agency of in every ward."""
    return AgencyCategory.objects.filter(
        municipality__isnull=True, is_active=True, name__in=PER_WARD_CATEGORY_NAMES
    ).order_by("sort_order", "pk")


@transaction.atomic
def municipality_setup(
    *, name: str, code: str, wards: list[str], area_label: str = "区", actor=None, request=None
) -> Municipality:
    """Create (or bring up to date) a municipality, its wards in the given order and each ward's agencies.

    Idempotent: running it again creates nothing new. Agencies are matched by name and left as they
    are once they exist, so an administrator's later changes (phone, 使用中) survive a re-run.
    What it changed is announced once (`organisation_changed`, audited); a run that changes nothing says nothing.
    """
    name, code, wards = setup_checked(name=name, code=code, wards=wards)
    before = Municipality.objects.filter(code=code).values("name", "area_label").first()
    municipality, created = Municipality.objects.update_or_create(
        code=code, defaults={"name": name, "area_label": area_label}
    )
    fields = [key for key, value in (before or {}).items() if value != getattr(municipality, key)]
    categories = list(per_ward_categories())
    wards_created, wards_moved, agencies_created = [], [], 0
    for position, ward_name in enumerate(wards, start=1):
        ward = Ward.objects.filter(municipality=municipality, name=ward_name).first()
        if ward is None:
            ward = Ward.objects.create(municipality=municipality, name=ward_name, sort_order=position)
            wards_created.append(ward_name)
        elif ward.sort_order != position:
            ward.sort_order = position
            ward.save(update_fields=["sort_order"])
            wards_moved.append(ward_name)
        for category in categories:
            _agency, made = Agency.objects.get_or_create(
                municipality=municipality,
                name=f"{ward.name}{category.name}",
                defaults={"ward": ward, "category": category},
            )
            agencies_created += made
    if created or fields or wards_created or wards_moved or agencies_created:
        organisation_changed.send(
            sender=Municipality, instance=municipality, action="create" if created else "update", fields=fields,
            actor=actor, request=request,
            detail={"wards_created": wards_created, "wards_reordered": wards_moved, "agencies_created": agencies_created},
        )
    return municipality


def setup_checked(*, name: str, code: str, wards: list[str]) -> tuple[str, str, list[str]]:
    """Names in NFKC without surrounding spaces; the refusals a new city's set-up can meet, in Japanese."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    code = unicodedata.normalize("NFKC", code or "").strip()
    wards = [unicodedata.normalize("NFKC", w).strip() for w in wards if w and w.strip()]
    if not name:
        raise ValidationError(_("自治体名を入力してください。"), code="name_required")
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError(_("地方公共団体コードは6桁の数字で入力してください（例: 271004）。"), code="invalid_code")
    if not wards:
        raise ValidationError(_("区・圏域を一つ以上入力してください。"), code="wards_required")
    repeated = sorted({w for w in wards if wards.count(w) > 1})
    if repeated:
        raise ValidationError(_("区・圏域の名前が重複しています：%(names)s") % {"names": "、".join(repeated)}, code="duplicate_ward")
    other = Municipality.objects.filter(name=name).exclude(code=code).first()
    if other is not None:
        raise ValidationError(
            _("自治体名「%(name)s」は別のコード（%(code)s）で登録されています。") % {"name": name, "code": other.code},
            code="name_taken",
        )
    return name, code, wards
