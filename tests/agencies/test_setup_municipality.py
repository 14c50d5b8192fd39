"""Moving a city in, step one: `manage.py setup_municipality` and the admin's add form, both through one service."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from agencies.models import Agency, Municipality, Ward
from agencies.services import PER_WARD_CATEGORY_NAMES
from tests.factories import MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("setup_municipality", *args, stdout=out)
    return out.getvalue().strip()


def test_a_city_from_nothing_and_again_creates_nothing_new():
    first = _run("狛江市", "--code", "132195", "--wards", "第一圏域,第二圏域、第三圏域", "--area-label", "日常生活圏域")
    komae = Municipality.objects.get(code="132195")
    per_ward = len(PER_WARD_CATEGORY_NAMES)
    assert list(komae.wards.order_by("sort_order").values_list("name", flat=True)) == ["第一圏域", "第二圏域", "第三圏域"]
    assert Agency.objects.filter(municipality=komae).count() == 3 * per_ward
    assert first == f"狛江市（132195）: 日常生活圏域 3（新規 3）、機関 {3 * per_ward}（新規 {3 * per_ward}）"
    again = _run("狛江市", "--code", "132195", "--wards", "第一圏域,第二圏域,第三圏域", "--area-label", "日常生活圏域")
    assert again == f"狛江市（132195）: 日常生活圏域 3（新規 0）、機関 {3 * per_ward}（新規 0）"


def test_a_ward_can_be_added_later_and_an_administrators_change_survives():
    _run("堺市", "--code", "271403", "--wards", "堺区")
    renamed = Agency.objects.get(name="堺区地域包括支援センター")
    renamed.phone = "072-000-0000"
    renamed.save()
    _run("堺市", "--code", "271403", "--wards", "堺区,北区")
    assert Ward.objects.filter(municipality__code="271403").count() == 2
    assert Agency.objects.get(pk=renamed.pk).phone == "072-000-0000"


@pytest.mark.parametrize("args, message", [
    (("堺市", "--code", "27140", "--wards", "堺区"), "6桁の数字"),
    (("堺市", "--code", "abcdef", "--wards", "堺区"), "6桁の数字"),
    (("堺市", "--code", "271403", "--wards", " , "), "一つ以上"),
    (("堺市", "--code", "271403", "--wards", "堺区,堺区"), "重複しています：堺区"),
    (("　", "--code", "271403", "--wards", "堺区"), "自治体名を入力"),
])
def test_bad_input_is_refused_in_japanese_with_a_non_zero_exit_and_nothing_saved(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Municipality.objects.exists() and not Ward.objects.exists()


def test_a_name_already_used_by_another_code_is_refused(osaka):
    with pytest.raises(CommandError, match="別のコード（271004）"):
        _run("大阪市", "--code", "999999", "--wards", "北区")


def test_full_width_digits_are_accepted():
    _run("堺市", "--code", "２７１４０３", "--wards", "堺区")
    assert Municipality.objects.get(name="堺市").code == "271403"


def test_the_admin_adds_a_city_with_its_wards_through_the_same_service(client):
    operator = UserFactory(username="operator", role="administrator", is_staff=True, is_superuser=True,
                           municipality=MunicipalityFactory())
    client.force_login(operator)
    response = client.post(reverse("admin:agencies_municipality_add"), {
        "name": "狛江市", "code": "132195", "area_label": "日常生活圏域", "ward_names": "第一圏域\n第二圏域\n"})
    assert response.status_code == 302
    komae = Municipality.objects.get(code="132195")
    assert list(komae.wards.values_list("name", flat=True)) == ["第一圏域", "第二圏域"]
    assert Agency.objects.filter(municipality=komae).count() == 2 * len(PER_WARD_CATEGORY_NAMES)
    refused = client.post(reverse("admin:agencies_municipality_add"), {
        "name": "調布市", "code": "132080", "area_label": "区", "ward_names": ""})
    assert refused.status_code == 200 and "区・圏域を一つ以上入力してください" in refused.content.decode()
    assert not Municipality.objects.filter(code="132080").exists()
    change = client.post(reverse("admin:agencies_municipality_change", args=[komae.pk]), {
        "name": "狛江市", "code": "132195", "area_label": "日常生活圏域", "ward_names": "第三圏域"})
    assert change.status_code == 302
    assert list(komae.wards.order_by("sort_order").values_list("name", flat=True)) == ["第一圏域", "第二圏域", "第三圏域"]
