from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DOMAIN.md §2."""

    COORDINATOR = "coordinator", _("つながる体制推進員")
    AGENCY_WORKER = "agency_worker", _("相談支援機関職員")
    SUPERVISOR = "supervisor", _("スーパーバイザー")
    BUREAU = "bureau", _("福祉局")
    ADMINISTRATOR = "administrator", _("システム管理者")
    AUDITOR = "auditor", _("個人情報保護担当")


# Roles that may ever see a resident's personal data; the others see aggregates, master data or the trail.
PERSONAL_DATA_ROLES = frozenset({Role.COORDINATOR, Role.AGENCY_WORKER, Role.SUPERVISOR})
# Who may open a household's or a case's file at all (docs/access-policy.md). An agency worker sees its tasks
# and what referrals passed on to it, never the file.
CASE_FILE_ROLES = frozenset({Role.COORDINATOR, Role.SUPERVISOR})


class DateStyle(models.TextChoices):
    WAREKI = "wareki", _("和暦（令和2年5月12日）")
    SEIREKI = "seireki", _("西暦（2020年5月12日）")


class User(AbstractUser):
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("担当区・圏域"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("所属機関"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    date_style = models.CharField(_("日付の表示"), max_length=10, choices=DateStyle.choices, default=DateStyle.WAREKI)
    # Set when an administrator issues a one-time password: the user must choose their own at the next login.
    must_change_password = models.BooleanField(_("次回ログイン時にパスワード変更"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=True) | Q(municipality__isnull=False), name="user_has_municipality"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.COORDINATOR) | Q(ward__isnull=False), name="coordinator_has_ward"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.AGENCY_WORKER) | Q(agency__isnull=False), name="agency_worker_has_agency"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.last_name} {self.first_name}".strip()
        return full or self.username

    @property
    def sees_personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES

    @property
    def is_administrator(self) -> bool:
        """システム管理者 of a municipality (read by `core.admin`, which cannot import this app)."""
        return self.role == Role.ADMINISTRATOR


# Granting one of these roles (or moving such a user to another ward, agency or city, or re-activating them) waits
# for a second administrator: the case-work roles see residents' data, and administrators are the approvers, so an
# administrator made by one person alone could approve that person's own requests (docs/security/accounts.md).
APPROVAL_ROLES = PERSONAL_DATA_ROLES | {Role.ADMINISTRATOR}


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認済み")
    REJECTED = "rejected", _("却下")
    CANCELLED = "cancelled", _("取消（後の変更で置き換え）")


class RoleGrant(models.Model):
    """A requested role and place of work for a user, held until another administrator approves it.

    Until then the user keeps what they had (a new user stays inactive). Approval applies the request;
    the requester can never approve their own, nor the user their own.
    """

    user = models.ForeignKey(User, verbose_name=_("利用者"), on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "agencies.Municipality", verbose_name=_("自治体"), on_delete=models.PROTECT, related_name="role_grants"
    )
    ward = models.ForeignKey(
        "agencies.Ward", verbose_name=_("担当区・圏域"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("所属機関"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name=_("申請者"), on_delete=models.PROTECT, related_name="role_grants_requested"
    )
    requested_at = models.DateTimeField(_("申請日時"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("承認・却下した管理者"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="role_grants_decided",
    )
    decided_at = models.DateTimeField(_("承認・却下の日時"), null=True, blank=True)
    reason = models.CharField(_("却下・取消の理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("役割の承認")
        verbose_name_plural = _("役割の承認")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two people: whoever decides is neither the requester nor the user the grant is for.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("requested_by")) & ~Q(decided_by=models.F("user"))),
                name="role_grant_second_person",
            ),
            models.CheckConstraint(
                condition=Q(status=GrantStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=GrantStatus.PENDING) & Q(decided_at__isnull=False)),
                name="role_grant_decided_when_closed",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status=GrantStatus.PENDING), name="role_grant_one_pending_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user.get_username()}: {self.get_role_display()}（{self.get_status_display()}）"
