from django.db import transaction

from .models import Agency, AgencyCategory, Municipality, Ward

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
def municipality_setup(*, name: str, code: str, wards: list[str], area_label: str = "区") -> Municipality:
    """Create (or bring up to date) a municipality, its wards in the given order and each ward's agencies.

    Idempotent: running it again creates nothing new. Agencies are matched by name and left as they
    are once they exist, so an administrator's later changes (phone, 使用中) survive a re-run.
    """
    municipality, _ = Municipality.objects.update_or_create(
        code=code, defaults={"name": name, "area_label": area_label}
    )
    categories = list(per_ward_categories())
    for position, ward_name in enumerate(wards, start=1):
        ward, _ = Ward.objects.update_or_create(
            municipality=municipality, name=ward_name, defaults={"sort_order": position}
        )
        for category in categories:
            Agency.objects.get_or_create(
                municipality=municipality,
                name=f"{ward.name}{category.name}",
                defaults={"ward": ward, "category": category},
            )
    return municipality
