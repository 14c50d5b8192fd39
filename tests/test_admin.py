import pytest
from django.urls import reverse

from agencies.models import AgencyCategory
from tests.factories import WardFactory


@pytest.fixture
def admin_client_osaka(client, administrator):
    client.force_login(administrator)
    return client


def test_an_administrator_sees_only_their_own_citys_wards(admin_client_osaka, kita, nishinari, komae_area):
    response = admin_client_osaka.get(reverse("admin:agencies_ward_changelist"))
    names = {ward.name for ward in response.context["cl"].result_list}
    assert names == {"北区", "西成区"}


def test_an_administrator_cannot_open_another_citys_ward(admin_client_osaka, komae_area):
    response = admin_client_osaka.get(reverse("admin:agencies_ward_change", args=[komae_area.pk]))
    assert response.status_code == 302  # the admin redirects to the list: "does not exist"


def test_a_new_ward_is_put_in_the_administrators_city(admin_client_osaka, osaka):
    response = admin_client_osaka.post(reverse("admin:agencies_ward_add"), {"name": "都島区", "sort_order": 2})
    assert response.status_code == 302
    assert WardFactory._meta.model.objects.get(name="都島区").municipality == osaka


def test_the_standard_master_list_is_loaded_by_migration(db):
    names = list(AgencyCategory.objects.filter(municipality=None).values_list("name", flat=True)[:5])
    assert names == ["地域包括支援センター", "高齢福祉担当", "生活困窮担当", "障がい者基幹相談支援センター", "生活保護担当"]


def test_standard_master_rows_are_read_only_for_a_city_administrator(admin_client_osaka):
    standard = AgencyCategory.objects.get(municipality=None, name="警察")
    url = reverse("admin:agencies_agencycategory_change", args=[standard.pk])
    admin_client_osaka.post(url, {"name": "県警", "field": "other", "sort_order": 1, "is_active": "on"})
    standard.refresh_from_db()
    assert standard.name == "警察"


def test_a_city_administrator_can_add_a_category_of_their_own(admin_client_osaka, osaka, komae):
    admin_client_osaka.post(
        reverse("admin:agencies_agencycategory_add"), {"name": "居住支援法人", "field": "housing", "sort_order": 500}
    )
    own = AgencyCategory.objects.get(name="居住支援法人")
    assert own.municipality == osaka
    assert own in AgencyCategory.objects.for_municipality(osaka)
    assert own not in AgencyCategory.objects.for_municipality(komae)


@pytest.mark.parametrize("role", ["coordinator_kita", "bureau", "auditor"])
def test_other_roles_are_kept_out_of_the_admin(client, cast, role):
    client.force_login(cast[role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
