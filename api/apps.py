from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("外部システム連携（API）")
    # api.schema (drf-spectacular's schema extension) is imported by api.urls, where the schema is served: a
    # command that never draws the schema does not load drf-spectacular (docs/benchmarks/startup.md).
