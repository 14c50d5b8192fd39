"""python manage.py grant_app_role ROLE [--print]

The application's database role is not the owner of the tables (#15, docs/security/audit.md): the owner runs
`migrate`, then this command, which grants ROLE what the application needs on every table — and on the audit
trail no more than to read it and add to it. Not being the owner, ROLE can neither TRUNCATE the trail nor
disable its triggers (ALTER TABLE needs ownership). Run it after every `migrate` (new tables); --print only
shows the SQL (for a DBA to run with psql).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The audit trail: read and append only. The chain head is moved on with every event, so it may be updated.
APPEND_ONLY = ("audit_auditevent",)
UPDATE_ONLY = ("audit_auditchainhead",)


def grant_statements(role: str) -> list[str]:
    quote = connection.ops.quote_name
    who = quote(role)
    statements = [
        f"GRANT CONNECT ON DATABASE {quote(connection.settings_dict['NAME'])} TO {who}",
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
    ]
    statements += [f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {who}" for table in APPEND_ONLY]
    statements += [f"REVOKE DELETE ON {quote(table)} FROM {who}" for table in UPDATE_ONLY]
    return statements


class Command(BaseCommand):
    help = gettext_lazy("アプリケーションが接続するデータベースのロール（表の所有者ではないロール）に必要な権限を与えます。"
                        "監査ログには読み取りと追加だけを許します。migrate のたびに、表の所有者で実行してください。")

    def add_arguments(self, parser):
        parser.add_argument("role", help=_("アプリケーションが接続するロール名"))
        parser.add_argument("--print", action="store_true", dest="print_only", help=_("SQL を表示するだけで実行しない"))

    def handle(self, *args, role, print_only=False, **options):
        statements = grant_statements(role)
        if print_only:
            for statement in statements:
                self.stdout.write(statement + ";")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' "
                           "AND tableowner = rolname) FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(_("ロール「%(role)s」がありません。先に CREATE ROLE で作ってください。") % {"role": role})
            if found[0] or found[1]:
                raise CommandError(_("ロール「%(role)s」はスーパーユーザーか表の所有者です。アプリケーションには所有者ではない"
                                     "ロールを使ってください。") % {"role": role})
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(_("ロール「%(role)s」に権限を与えました（監査ログは読み取りと追加のみ）。") % {"role": role})
