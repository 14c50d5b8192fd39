from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (seed_demo, the seeds' history, demo logins): an entry point that writes only through services."""

    name = "demo"
    verbose_name = _("デモデータ")
