from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("監査ログ")

    def ready(self):
        from . import alerts, signals  # noqa: F401
