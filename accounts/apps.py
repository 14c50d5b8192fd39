from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("利用者")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .security import second_factor_due

        user_logged_in.connect(second_factor_due, dispatch_uid="accounts.second_factor_due")
