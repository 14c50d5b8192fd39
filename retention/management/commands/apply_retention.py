"""python manage.py apply_retention [--dry-run] [--municipality CODE] [--user LOGIN_ID]

Run once a day (cron). Anonymises the households whose cases were all closed more than the retention period
ago (管理画面「保存期間」, default 5 years). --dry-run lists what would be done and changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agencies.models import Municipality
from retention.services import apply_retention


class Command(BaseCommand):
    help = _("保存期間を過ぎた終結事例の世帯を匿名化します（--dry-run で確認だけ）。")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help=_("匿名化せず、対象の世帯と事例番号を表示します。"))
        parser.add_argument("--municipality", metavar="CODE", help=_("地方公共団体コード（6桁）。省略するとすべての自治体。"))
        parser.add_argument("--user", metavar="LOGIN_ID", help=_("監査ログに記録する実行者（システム管理者）のログインID。"))

    def handle(self, *args, dry_run=False, municipality=None, user=None, **options):
        cities = Municipality.objects.order_by("code")
        if municipality:
            cities = cities.filter(code=municipality)
            if not cities.exists():
                raise CommandError(_("地方公共団体コード「%(code)s」の自治体はありません。") % {"code": municipality})
        actor = None
        if user:
            actor = User.objects.filter(username=user, role=Role.ADMINISTRATOR, is_active=True).first()
            if actor is None:
                raise CommandError(_("「%(user)s」というシステム管理者はいません。") % {"user": user})
        for city in cities:
            if actor is not None and actor.municipality_id != city.pk:
                continue
            run = apply_retention(municipality=city, dry_run=dry_run, user=actor)
            self._report(run)

    def _report(self, run):
        head = _("%(city)s: 保存期間 終結後%(years)d年（%(cutoff)s より前に終結した世帯）") % {
            "city": run.municipality.name, "years": run.years, "cutoff": run.cutoff.isoformat()}
        self.stdout.write(head)
        for planned in run.households:
            self.stdout.write("  " + _("世帯 #%(household)d: %(cases)s（最後の終結 %(closed)s、世帯員 %(members)d人）") % {
                "household": planned.household_id, "cases": "、".join(planned.case_numbers),
                "closed": planned.last_closed.isoformat(), "members": planned.members})
        if run.dry_run:
            self.stdout.write(_("確認のみ: %(households)d世帯・%(cases)d事例を匿名化します（何も変更していません）。") % {
                "households": len(run.households), "cases": run.cases})
        else:
            self.stdout.write(self.style.SUCCESS(_("%(households)d世帯・%(cases)d事例を匿名化しました。") % {
                "households": len(run.done), "cases": sum(len(r.case_numbers) for r in run.done)}))
