from django.db import models
from django.utils.translation import gettext_lazy as _

from core.masters import MasterModel


class MeetingBasis(MasterModel):
    """開催根拠: the legal footing that decides whether personal data may be shared (DOMAIN.md §4)."""

    law = models.CharField(_("根拠法令"), max_length=100, blank=True)
    requires_consent = models.BooleanField(
        _("本人同意が必要"), default=True, help_text=_("本人の同意がなければ個人情報を協議できない根拠。")
    )
    statutory_confidentiality = models.BooleanField(
        _("法定の守秘義務"), default=False, help_text=_("出席者全員に法律上の守秘義務が課される根拠。")
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("開催根拠")
        verbose_name_plural = _("開催根拠")
        constraints = MasterModel.unique_name_constraints("meetingbasis")


class MeetingKind(MasterModel):
    """会議種別 (つながる場, 重層的支援会議, 支援会議 …)."""

    is_network_meeting = models.BooleanField(
        _("ネットワーク会議"), default=False, help_text=_("個別事例ではなく議題を扱う会議（包括化推進会議など）。")
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("会議種別")
        verbose_name_plural = _("会議種別")
        constraints = MasterModel.unique_name_constraints("meetingkind")
