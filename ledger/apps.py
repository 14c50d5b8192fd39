from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("開催台帳の取り込み")

    def ready(self):
        from cases import registry

        from . import parts

        registry.register_case_part(parts.case_part)
        registry.register_household_note(parts.household_notes)
