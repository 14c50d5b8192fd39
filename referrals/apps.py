from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("つなぎ")

    def ready(self):
        from cases import registry

        from . import parts

        registry.register_case_part(parts.case_part)
