from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top floor: what each role sees first, the menu and its badges. Imports any app below it."""

    name = "home"
    verbose_name = _("ホーム")
