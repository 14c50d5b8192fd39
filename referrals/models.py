"""つなぎ: a hand-off between agencies about a case, with an owner, a deadline and an answer (DOMAIN.md §3).

「連携は1対1が多数 → 押し付け合い」「狭間にある事例は…あいまい 忘れられる」 (004:15-19): a referral is
addressed to one agency (or a ward office), must be answered by its due date, and shows as overdue
until it is. Its status moves only through the explicit actions of `referrals.services`.
"""

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from agencies.models import MasterModel
from core.scoping import ScopedManager


class ReferralPurpose(models.TextChoices):
    """What a kind of referral asks for; the product's behaviour hangs on this, not on the kind's name."""

    HANDOVER = "handover", _("つなぎ")
    RETURN = "return", _("つなぎ戻し")
    MEETING_REQUEST = "meeting_request", _("つながる場の開催依頼")
    INFORMATION_REQUEST = "information_request", _("情報提供依頼")


class ReferralKind(MasterModel):
    """依頼の種別, with the number of days the receiver has to answer (admin-editable)."""

    purpose = models.CharField(_("依頼の目的"), max_length=30, choices=ReferralPurpose.choices)
    default_due_days = models.PositiveSmallIntegerField(
        _("回答期限（日数）"), default=7, help_text=_("依頼日から回答期限までの日数。依頼のときに変更できます。")
    )

    class Meta(MasterModel.Meta):
        verbose_name = _("つなぎの種別")
        verbose_name_plural = _("つなぎの種別")
        constraints = MasterModel.unique_name_constraints("referralkind")


class DeclineReason(MasterModel):
    """辞退の理由 (admin-editable; the reports count declines by these)."""

    class Meta(MasterModel.Meta):
        verbose_name = _("辞退の理由")
        verbose_name_plural = _("辞退の理由")
        constraints = MasterModel.unique_name_constraints("declinereason")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("依頼中")
    ACCEPTED = "accepted", _("受理")
    DECLINED = "declined", _("辞退")
    IN_PROGRESS = "in_progress", _("対応中")
    COMPLETED = "completed", _("完了")
    WITHDRAWN = "withdrawn", _("取下げ")


# The receiving side may look at what was shared while the referral is in hand: not after it is declined, withdrawn
# or completed (docs/access-policy.md: the window closes at 完了).
SHARING_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)
IN_FLIGHT_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS)


class SharedItem(models.TextChoices):
    """What personal information a referral passes on. Anything here needs consent or a statutory basis."""

    IDENTITY = "identity", _("本人の氏名・ふりがな・生年月日・住所・電話番号")
    HOUSEHOLD = "household", _("世帯構成")
    ISSUES = "issues", _("課題")
    CONSULTATIONS = "consultations", _("相談の経過（直近）")
    PLAN = "plan", _("支援プランと役割分担")


class SharingBasis(models.TextChoices):
    """Why the personal information may be passed on (DOMAIN.md §4)."""

    NONE = "none", _("個人情報を共有しない")
    CONSENT = "consent", _("本人同意（他機関への提供・情報共有）")
    SUPPORT_MEETING = "support_meeting", _("支援会議の決定（社会福祉法第106条の6）")
    CARE_MEETING = "care_meeting", _("地域ケア会議（介護保険法第115条の48）")
    CHILD_COUNCIL = "child_council", _("要保護児童対策地域協議会（児童福祉法第25条の2）")
    OTHER_LAW = "other_law", _("その他の法令に基づく提供")
    OWN_WARD = "own_ward", _("事例を担当する区役所への返送")


STATUTORY_BASES = (SharingBasis.SUPPORT_MEETING, SharingBasis.CARE_MEETING, SharingBasis.CHILD_COUNCIL,
                   SharingBasis.OTHER_LAW)


class ReferralQuerySet(models.QuerySet):
    def for_user(self, user):
        """Referrals this user may see: a coordinator those about their ward's cases or addressed to their
        ward office; an agency worker those their agency sent or received; a supervisor those about the
        cases they are dispatched to. What of the case each may see is decided per referral (`shared_with`)."""
        if not user.is_authenticated or user.municipality_id is None:
            return self.none()
        mine = self.filter(municipality_id=user.municipality_id)
        if user.role == Role.COORDINATOR:
            return mine.filter(Q(case_ward_id=user.ward_id) | Q(to_ward_id=user.ward_id) | Q(from_ward_id=user.ward_id))
        if user.role == Role.AGENCY_WORKER:
            return mine.filter(Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id))
        if user.role == Role.SUPERVISOR:
            return mine.filter(case__supervisors=user)
        return self.none()

    def addressed_to(self, user):
        """Addressed to the user's own office: their agency, or their ward office for a coordinator."""
        if user.role == Role.AGENCY_WORKER:
            return self.filter(to_agency_id=user.agency_id)
        if user.role == Role.COORDINATOR:
            return self.filter(to_ward_id=user.ward_id)
        return self.none()

    def sent_by_office_of(self, user):
        if user.role == Role.AGENCY_WORKER:
            return self.filter(from_agency_id=user.agency_id)
        if user.role == Role.COORDINATOR:
            return self.filter(from_agency__isnull=True, from_ward_id=user.ward_id)
        return self.none()

    def unanswered(self):
        return self.filter(status=ReferralStatus.SENT)

    def overdue(self, today: dt.date | None = None):
        return self.unanswered().filter(due_on__lt=today or timezone.localdate())

    def in_fiscal_year(self, fiscal_year: int):
        return self.filter(sent_on__gte=dt.date(fiscal_year, 4, 1), sent_on__lte=dt.date(fiscal_year + 1, 3, 31))


class Referral(models.Model):
    """つなぎ: from an agency or a ward office, to an agency or a ward office, about one case."""

    municipality = models.ForeignKey("agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", verbose_name=_("事例"), on_delete=models.PROTECT, related_name="referrals")
    case_ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("事例の区・圏域"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.ForeignKey(ReferralKind, verbose_name=_("種別"), on_delete=models.PROTECT, related_name="referrals")
    parent = models.ForeignKey(
        "self", verbose_name=_("元の依頼"), on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    from_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("依頼元の機関"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals_sent", help_text=_("空欄は区役所（つながる体制推進員）からの依頼です。"),
    )
    from_ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("依頼元の区役所"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("依頼者"), on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("依頼先の機関"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals_received",
    )
    to_ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("依頼先の区役所"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("依頼の理由と内容"))
    shares = ArrayField(
        models.CharField(max_length=20, choices=SharedItem.choices), verbose_name=_("共有する情報"), default=list, blank=True
    )
    sharing_basis = models.CharField(_("共有の根拠"), max_length=20, choices=SharingBasis.choices, default=SharingBasis.NONE)
    basis_note = models.CharField(_("根拠の詳細"), max_length=200, blank=True)
    basis_meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name=_("根拠とした会議"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("法令に基づく会議（支援会議など）で共有を決めたときの、その会議の記録。"),
    )
    snapshot = models.JSONField(
        _("共有した情報の控え"), default=dict, blank=True, editable=False,
        help_text=_("送った時点の内容。依頼先はこの控えだけを、依頼が手元にある間だけ見られます。"),
    )
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("本人同意"), on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    sent_at = models.DateTimeField(_("依頼日時"))
    sent_on = models.DateField(_("依頼日"), editable=False, db_index=True)
    due_on = models.DateField(_("回答期限"))
    status = models.CharField(_("状況"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回答者"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.ForeignKey(
        DeclineReason, verbose_name=_("辞退の理由"), on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    answer_note = models.TextField(_("回答の補足"), blank=True)
    outcome = models.TextField(_("対応の結果"), blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True, help_text=_("完了・辞退・取下げの日時。"))
    overdue_notified_at = models.DateTimeField(_("期限超過の通知日時"), null=True, blank=True, editable=False)

    all_objects = ReferralQuerySet.as_manager()
    objects = ScopedManager()

    class Meta:
        verbose_name = _("つなぎ")
        verbose_name_plural = _("つなぎ")
        ordering = ["-sent_at", "-pk"]
        base_manager_name = "all_objects"
        default_manager_name = "all_objects"
        constraints = [
            models.CheckConstraint(
                condition=(Q(to_agency__isnull=False) & Q(to_ward__isnull=True)) | (Q(to_agency__isnull=True) & Q(to_ward__isnull=False)),
                name="referral_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(from_agency__isnull=False) | Q(from_ward__isnull=False), name="referral_has_sender"
            ),
            models.CheckConstraint(
                condition=Q(sharing_basis="none", shares=[]) | (~Q(sharing_basis="none") & ~Q(shares=[])),
                name="referral_shares_only_with_basis",
            ),
            models.CheckConstraint(
                condition=~Q(sharing_basis="consent") | Q(consent__isnull=False), name="referral_consent_recorded"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | Q(decline_reason__isnull=False), name="referral_decline_has_reason"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("sent_on")), name="referral_due_after_sent"),
        ]
        indexes = [
            models.Index(fields=["to_agency", "status", "due_on"], name="referral_agency_inbox_idx"),
            models.Index(fields=["to_ward", "status", "due_on"], name="referral_ward_inbox_idx"),
            models.Index(fields=["case_ward", "status"], name="referral_case_ward_idx"),
            models.Index(fields=["municipality", "sent_on"], name="referral_municipality_day_idx"),
            # Each box's answered referrals, newest first a page at a time (selectors.BoxPages).
            models.Index(fields=["to_agency", "-sent_at", "-id"], name="referral_agency_recent_idx"),
            models.Index(fields=["to_ward", "-sent_at", "-id"], name="referral_ward_recent_idx"),
            models.Index(fields=["from_agency", "-sent_at", "-id"], name="referral_sender_recent_idx"),
            models.Index(fields=["from_ward", "-sent_at", "-id"], name="referral_office_recent_idx"),
            models.Index(fields=["case_ward", "-sent_at", "-id"], name="referral_caseward_recent_idx"),
        ]

    def __str__(self):
        return f"{self.kind} No.{self.pk}"

    def save(self, *args, **kwargs):
        self.sent_on = timezone.localdate(self.sent_at)
        self.case_ward_id = self.case.ward_id
        super().save(*args, **kwargs)

    @property
    def number(self) -> str:
        return f"No.{self.pk}"

    @property
    def sender_name(self) -> str:
        if self.from_agency_id:
            return self.from_agency.name
        return _("%(ward)s役所（つながる体制推進員）") % {"ward": self.from_ward.name}

    @property
    def recipient_name(self) -> str:
        if self.to_agency_id:
            return self.to_agency.name
        return _("%(ward)s役所（つながる体制推進員）") % {"ward": self.to_ward.name}

    @property
    def shares_personal_data(self) -> bool:
        return bool(self.shares)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == ReferralStatus.SENT and self.due_on < (today or timezone.localdate())

    def shared_item_labels(self) -> list[str]:
        return [SharedItem(item).label for item in self.shares]


EVENT_LABELS = {"send": _("依頼"), "accept": _("受理"), "decline": _("辞退"), "start": _("対応開始"), "complete": _("完了"),
                "withdraw": _("取下げ")}


class ReferralEvent(models.Model):
    """One explicit action on a referral (送付, 受理, 辞退, 対応開始, 完了, 取下げ), with who, when and what."""

    referral = models.ForeignKey(Referral, verbose_name=_("つなぎ"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("変更前"), max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=ReferralStatus.choices)
    note = models.TextField(_("内容"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作者"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("日時"))

    class Meta:
        verbose_name = _("つなぎの経過")
        verbose_name_plural = _("つなぎの経過")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral} {self.label}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.get_to_status_display()))


class NotificationKind(models.TextChoices):
    NEW = "new", _("新しい依頼")
    ACCEPTED = "accepted", _("受理")
    DECLINED = "declined", _("辞退")
    COMPLETED = "completed", _("完了")
    WITHDRAWN = "withdrawn", _("取下げ")
    OVERDUE = "overdue", _("回答期限の超過")


class Notification(models.Model):
    """お知らせ, shown in the app and sent by e-mail. The text names no resident: only the referral's number,
    kind and offices, so that neither the list nor the e-mail carries personal data."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("宛先"), on_delete=models.CASCADE, related_name="notifications")
    referral = models.ForeignKey(Referral, verbose_name=_("つなぎ"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("種類"), max_length=20, choices=NotificationKind.choices)
    message = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("メール送信日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            # A user's notices newest first, a page at a time, not a sort of every notice they ever had.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_recent_idx"),
        ]
        constraints = [
            # The overdue notice goes out once per referral and person, however often the command runs.
            models.UniqueConstraint(fields=["user", "referral"], condition=Q(kind="overdue"), name="notification_overdue_once"),
        ]

    def __str__(self):
        return self.message
