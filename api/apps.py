from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("外部システム連携（API）")

    def ready(self):
        from . import schema  # noqa: F401  (registers the schema extension of the filter backend)
