"""Daily: notify both sides of referrals left unanswered past their due date (cron or a systemd timer).

    python manage.py notify_overdue_referrals

Idempotent: each referral's overdue notice goes out once, however often this runs.
"""

from django.core.management.base import BaseCommand

from referrals.services import referrals_notify_overdue


class Command(BaseCommand):
    help = "回答期限を過ぎたつなぎを依頼元・依頼先に通知します（1日1回の実行を想定、何度実行しても通知は1回）。"

    def handle(self, *args, **options):
        count = referrals_notify_overdue()
        self.stdout.write(f"期限超過の通知: {count}件")
