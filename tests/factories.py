"""factory_boy factories mirroring the models. Names are fictitious."""

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from agencies.models import Agency, AgencyCategory, Municipality, Ward
from cases.models import Household, HouseholdMember

TEST_PASSWORD = "test-password-123"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"テスト市{n}")
    code = factory.Sequence(lambda n: f"{900000 + n:06d}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward
        django_get_or_create = ("municipality", "name")

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"第{n}区")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    municipality = factory.LazyAttribute(lambda o: o.ward.municipality)
    ward = factory.SubFactory(WardFactory)
    category = factory.LazyFunction(lambda: AgencyCategory.objects.get(municipality=None, name="地域包括支援センター"))
    name = factory.LazyAttribute(lambda o: f"{o.ward.name}{o.category.name}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "試験"
    first_name = factory.Sequence(lambda n: f"太郎{n}")
    role = Role.COORDINATOR
    municipality = factory.LazyAttribute(
        lambda o: o.ward.municipality if o.ward else (o.agency.municipality if o.agency else None)
    )
    ward = None
    agency = None
    password = factory.LazyFunction(lambda: make_password(TEST_PASSWORD))


class ScopedModelFactory(factory.django.DjangoModelFactory):
    """For models whose `objects` refuses unscoped queries: factories write through `all_objects`."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_objects


class HouseholdFactory(ScopedModelFactory):
    class Meta:
        model = Household

    municipality = factory.LazyAttribute(lambda o: o.ward.municipality)
    ward = factory.SubFactory(WardFactory)
    address = factory.LazyAttribute(lambda o: f"{o.municipality.name}{o.ward.name}テスト町1-2-3")
    phone = "06-0000-0000"


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"架空 花子{n}")
    name_kana = factory.Sequence(lambda n: f"かくう はなこ{n}")
    birth_date = dt.date(1960, 4, 1)
    relationship = "self"
    is_primary = True
