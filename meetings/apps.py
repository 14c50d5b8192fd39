from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("会議")

    def ready(self):
        from cases import registry

        from . import parts

        registry.register_case_part(parts.case_part)
        registry.register_household_involvement(parts.household_involvement)
