"""Prints where to open the app and the demo logins (`make run` calls it after seed_demo)."""

import os
import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.models import User
from demo.people import DEMO_USERNAMES, demo_password


class Command(BaseCommand):
    help = "デモ用の URL とログイン（ID・役割・担当・パスワード）を表示します。"

    def handle(self, *args, **options):
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(_("ブラウザで http://127.0.0.1:%(port)s/ を開いてください。") % {"port": port})

        users = {
            user.username: user
            for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("municipality", "ward", "agency")
        }
        if not users:
            self.stdout.write(_("デモ用の利用者がいません。先に python manage.py seed_demo を実行してください。"))
            return

        password = demo_password()
        rows = [(_("ログインID"), _("役割"), _("担当区・所属機関"), _("パスワード"))]
        for username in DEMO_USERNAMES:  # seed_demo's order, not alphabetical
            if user := users.get(username):
                # Roles without a ward or agency work city-wide.
                post = user.agency or user.ward or (_("%(name)s全域") % {"name": user.municipality or ""})
                rows.append((user.username, str(user.get_role_display()), str(post), password))

        self.stdout.write(_("デモ用のログイン:"))
        widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  " + "  ".join(cells).rstrip())


def _width(text: str) -> int:
    """Columns on a terminal: full-width (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
