"""An API token for a user, shown once:

    python manage.py issue_token kita_coordinator [--days 30] [--name 庁内連携システム]

Only its sha256 is stored; the token expires after API_TOKEN_DAYS days (90) unless --days says otherwise, and the
issue is audited (APIトークン) in the user's city. Revoke a token in the admin (APIトークン → 失効させる).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.tokens import token_issue


class Command(BaseCommand):
    help = "API のトークンを発行し、一度だけ表示します（保存するのはハッシュだけです）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="ログインID")
        parser.add_argument("--days", type=int, default=None, help="有効期間の日数（既定は API_TOKEN_DAYS、90日）")
        parser.add_argument("--name", default="", help="用途（一覧で見分けるため。例: 庁内連携システム）")

    def handle(self, *args, username, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"ログインID「{username}」の利用者はいません。")
        try:
            token, key = token_issue(user=user, days=days, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(f"{user.get_username()} のトークン（有効期限 {token.expires_at:%Y-%m-%d %H:%M}）。"
                          "この表示のあとは確認できません:")
        self.stdout.write(key)
