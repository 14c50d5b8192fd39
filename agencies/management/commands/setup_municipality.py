"""A new city from nothing: its wards (or 圏域) and an agency of every per-ward category in each.

    python manage.py setup_municipality 狛江市 --code 132195 --wards 第一圏域,第二圏域,第三圏域 --area-label 日常生活圏域

Idempotent: running it again creates nothing new and leaves an administrator's later changes alone.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency, Ward
from agencies.services import municipality_setup


class Command(BaseCommand):
    help = "自治体・区（圏域）・区ごとの標準の機関を登録します（何度実行しても重複しません）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="自治体名（例: 大阪市）")
        parser.add_argument("--code", required=True, help="地方公共団体コード6桁（例: 271004）")
        parser.add_argument("--wards", required=True, help="区・圏域の名前をカンマ区切りで、表示する順に（読点「、」も可）")
        parser.add_argument("--area-label", default="区", help="区域の呼び名（区、日常生活圏域 など）")

    def handle(self, *args, name, code, wards, area_label, **options):
        names = wards.replace("、", ",").replace("，", ",").split(",")
        before = (Ward.objects.filter(municipality__code=code).count(), Agency.objects.filter(municipality__code=code).count())
        try:
            municipality = municipality_setup(name=name, code=code, wards=names, area_label=area_label)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        wards_now = Ward.objects.filter(municipality=municipality).count()
        agencies_now = Agency.objects.filter(municipality=municipality).count()
        self.stdout.write(
            f"{municipality.name}（{municipality.code}）: {municipality.area_label} {wards_now}（新規 {wards_now - before[0]}）、"
            f"機関 {agencies_now}（新規 {agencies_now - before[1]}）"
        )
