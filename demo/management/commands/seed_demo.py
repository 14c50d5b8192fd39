"""Demo data for `make run`: 大阪市 with its 24 wards, one user per role and fictitious households.

Idempotent: a re-run resets the demo users (role, ward, agency, password) and tops each ward up to
its number of households, so it never duplicates anything. The steps are in `demo.seed`; the past years
the reports show (FY2019–FY2022: seed 000's つながる場 tables, seed 001's activities) come from
`demo.history`, created once.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Agency, Ward
from agencies.services import municipality_setup
from cases.models import Household, HouseholdMember
from demo.history import seed_history
from demo.people import DEMO_USERS, OSAKA_CODE, OSAKA_NAME, OSAKA_WARDS
from demo.seed import seed_agencies, seed_cases, seed_households, seed_meetings, seed_referrals, seed_users


class Command(BaseCommand):
    help = "デモ用のデータ（大阪市・24区・役割ごとの利用者・架空の世帯）を用意します。何度実行しても重複しません。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="大阪市に世帯が既にあるときは何もしません。"
        )

    def handle(self, *args, if_empty=False, **options):
        if not settings.DEMO_DATA_ALLOWED:
            # Demo logins share a known password: never in production.
            raise CommandError(_("この環境ではデモデータを作成できません（DEMO_DATA_ALLOWED が無効です）。"))
        if if_empty:
            existing = Household.all_objects.filter(municipality__code=OSAKA_CODE).count()
            if existing:
                self.stdout.write(
                    _("デモデータは既にあります（%(name)sの世帯 %(count)d 件）。何もしませんでした。")
                    % {"name": OSAKA_NAME, "count": existing}
                )
                return

        with transaction.atomic():
            municipality = municipality_setup(name=OSAKA_NAME, code=OSAKA_CODE, wards=OSAKA_WARDS)
            seed_agencies(municipality)
            users_created = seed_users(municipality)
            households_created = seed_households(municipality)
            cases_created = seed_cases(municipality)
            meetings_created = seed_meetings(municipality)
            referrals_created = seed_referrals(municipality)
            history = seed_history(municipality)

        self.stdout.write(self.style.SUCCESS(_("デモデータを用意しました。")))
        self.stdout.write(_("  事例: 新規 %(count)d 件") % {"count": cases_created})
        self.stdout.write(_("  これからの会議・最近の会議: 新規 %(count)d 件") % {"count": meetings_created})
        self.stdout.write(_("  つなぎ: 新規 %(count)d 件") % {"count": referrals_created})
        if history is None:
            self.stdout.write(_("  過去の実績（令和元年度〜令和4年度）: 既にあります"))
        else:
            self.stdout.write(
                _("  過去の実績（令和元年度〜令和4年度）: つながる場 %(meetings)d 回、事例 %(cases)d 件、"
                  "相談記録 %(consultations)d 件、活動 %(activities)d 件")
                % history
            )
        self.stdout.write(
            _("  %(name)s: 区 %(wards)d、機関 %(agencies)d")
            % {
                "name": municipality.name,
                "wards": Ward.objects.filter(municipality=municipality).count(),
                "agencies": Agency.objects.filter(municipality=municipality).count(),
            }
        )
        self.stdout.write(
            _("  利用者: %(count)d 人（うち新規 %(created)d 人）")
            % {"count": len(DEMO_USERS), "created": users_created}
        )
        households = Household.all_objects.filter(municipality=municipality)
        self.stdout.write(
            _("  世帯: %(count)d 件（うち新規 %(created)d 件）、世帯員 %(members)d 人")
            % {
                "count": households.count(),
                "created": households_created,
                "members": HouseholdMember.objects.filter(household__in=households).count(),
            }
        )


