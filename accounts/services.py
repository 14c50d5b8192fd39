"""Writes to accounts. Every change of an account is announced (accounts.signals) and the audit trail records it.

Account administration (the admin's user pages call these; so may a command):

- `user_save` creates or changes an account. A role that sees personal data (or the administrator's own role),
  or such a user's move to another ward, agency or city, or their re-activation, is *held* as a RoleGrant until
  a second administrator approves it (`role_grant_approve`); the rest applies at once.
- A new account gets a one-time password, shown once to the administrator and changed by the user at the first
  login (`must_change_password`). An administrator never types or reads another user's own password:
  `user_issue_one_time_password` is the only reset.
"""

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import APPROVAL_ROLES, GrantStatus, Role, RoleGrant, User
from .signals import (
    password_reset,
    role_grant_decided,
    role_grant_requested,
    user_created,
    user_deleted,
    user_updated,
)

# What decides whether and where a user sees personal data (field name → attribute).
ACCESS_ATTRIBUTES = {"role": "role", "municipality": "municipality_id", "ward": "ward_id", "agency": "agency_id",
                     "is_active": "is_active"}
ACCESS_FIELDS = tuple(ACCESS_ATTRIBUTES)
# Never compared nor named: the hash is a secret, the others change by themselves at login.
UNTRACKED_FIELDS = frozenset({"id", "password", "last_login", "date_joined"})
# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
ONE_TIME_LENGTH = 16


@transaction.atomic
def user_update_preferences(*, user: User, date_style: str, request=None) -> User:
    user.date_style = date_style
    user.save(update_fields=["date_style"])
    user_updated.send(sender=User, user=user, request=request, fields=["date_style"])
    return user


def one_time_password() -> str:
    """16 random characters (about 93 bits): used once, then replaced by the user's own."""
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))


def _tracked_fields():
    return [f for f in User._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]


@dataclass
class UserSaved:
    user: User
    fields: list[str] = field(default_factory=list)  # applied at once
    grant: RoleGrant | None = None  # held for a second administrator
    one_time_password: str = ""  # a new account's, to be shown once


def needs_approval(*, actor: User, before: User | None, after: User) -> bool:
    """Whether saving `after` over `before` gives someone access that a second administrator must approve."""
    if after.role not in APPROVAL_ROLES or not after.is_active or after.is_superuser:
        return False  # taking access away, or a role without residents' data, applies at once (the operator has all)
    if before is not None and before.is_active and before.role == after.role and (
        before.municipality_id, before.ward_id, before.agency_id) == (after.municipality_id, after.ward_id, after.agency_id):
        return False
    city = after.municipality_id
    if after.role == Role.ADMINISTRATOR and actor.is_superuser and city is not None and not User.objects.filter(
        role=Role.ADMINISTRATOR, municipality_id=city, is_active=True, is_staff=True,
    ).exclude(pk=after.pk).exists():
        return False  # the operator sets up a city's first administrator: there is nobody yet to approve
    return True


def _check_place(*, role: str, municipality_id, ward, agency) -> None:
    """A ward and an agency belong to the user's city (the database checks the rest: a coordinator has a ward…)."""
    if ward is not None and ward.municipality_id != municipality_id:
        raise ValidationError(_("担当区・圏域は、利用者の自治体のものを選んでください。"), code="ward_elsewhere")
    if agency is not None and agency.municipality_id != municipality_id:
        raise ValidationError(_("所属機関は、利用者の自治体のものを選んでください。"), code="agency_elsewhere")


@transaction.atomic
def user_save(*, actor: User, user: User, request=None) -> UserSaved:
    """Create `user` (no pk yet) or save the changes made to it in memory, as the admin's form does.

    Access-granting changes are held (see the module's docstring); the returned UserSaved says what applied
    and what waits. Audited as CREATE/UPDATE naming the fields (and REQUEST for what waits).
    """
    created = user.pk is None
    before = None if created else User.objects.select_for_update().get(pk=user.pk)
    _check_place(role=user.role, municipality_id=user.municipality_id, ward=user.ward, agency=user.agency)
    requested = (user.role, user.municipality_id, user.ward_id, user.agency_id)
    held = needs_approval(actor=actor, before=before, after=user)
    if held:
        if before is None:
            user.is_active = False  # the account exists, but cannot log in until approved
        else:
            for attribute in ACCESS_ATTRIBUTES.values():
                setattr(user, attribute, getattr(before, attribute))
    result = UserSaved(user=user)
    if created:
        result.one_time_password = one_time_password()
        user.set_password(result.one_time_password)
        user.must_change_password = True
        user.save()
        result.fields = [f.name for f in _tracked_fields() if getattr(user, f.attname) not in (None, "", False)]
        user_created.send(sender=User, user=user, actor=actor, request=request, fields=result.fields)
    else:
        assert before is not None
        result.fields = [f.name for f in _tracked_fields() if getattr(before, f.attname) != getattr(user, f.attname)]
        if result.fields:
            user.save(update_fields=result.fields)
            user_updated.send(sender=User, user=user, actor=actor, request=request, fields=result.fields)
        if held or set(result.fields) & set(ACCESS_FIELDS):
            # What was asked before is replaced by this change (or by taking the access away).
            _cancel_pending(user=user, reason=_("後の変更で置き換えられました。"))
    if held:
        role, municipality_id, ward_id, agency_id = requested
        assert municipality_id is not None  # the database's user_has_municipality: only the operator has none
        result.grant = RoleGrant.objects.create(
            user=user, role=role, municipality_id=municipality_id, ward_id=ward_id, agency_id=agency_id,
            requested_by=actor,
        )
        role_grant_requested.send(sender=RoleGrant, grant=result.grant, actor=actor, request=request)
    return result


def _cancel_pending(*, user: User, reason: str) -> None:
    RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING).update(
        status=GrantStatus.CANCELLED, decided_at=timezone.now(), reason=reason[:200]
    )


@transaction.atomic
def user_delete(*, actor: User, user: User, request=None) -> None:
    user_id, username, municipality_id = user.pk, user.get_username(), user.municipality_id
    user.delete()
    user_deleted.send(sender=User, user_id=user_id, username=username, municipality_id=municipality_id,
                      actor=actor, request=request)


@transaction.atomic
def user_issue_one_time_password(*, actor: User, user: User, request=None) -> str:
    """A new random password that the user must replace at the next login; the old one stops working and every
    session of the user ends (the session hash follows the password). Audited as PASSWORD_RESET."""
    if user.pk == actor.pk:
        raise ValidationError(_("自分のパスワードは「パスワード変更」の画面で変更してください。"), code="own_password")
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    password_reset.send(sender=User, user=user, actor=actor, request=request)
    return password


def may_decide(*, actor: User, grant: RoleGrant) -> bool:
    """Another administrator of the grant's city (or the system operator) — never who asked, nor whom it is for."""
    if not actor.is_active or actor.pk in (grant.requested_by_id, grant.user_id):
        return False
    return actor.is_superuser or (
        actor.role == Role.ADMINISTRATOR and actor.is_staff and actor.municipality_id == grant.municipality_id
    )


def _locked_pending(*, actor: User, grant: RoleGrant) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if grant.status != GrantStatus.PENDING:
        raise ValidationError(
            _("この申請はすでに「%(status)s」です。") % {"status": grant.get_status_display()}, code="decided"
        )
    if not may_decide(actor=actor, grant=grant):
        if actor.pk == grant.requested_by_id:
            raise ValidationError(_("自分が申請した変更は承認・却下できません。別の管理者に依頼してください。"), code="own_request")
        if actor.pk == grant.user_id:
            raise ValidationError(_("自分の役割の変更は承認・却下できません。"), code="own_grant")
        raise ValidationError(_("この申請を承認・却下できるのは、同じ自治体の別のシステム管理者です。"), code="not_approver")
    return grant


@transaction.atomic
def role_grant_approve(*, actor: User, grant: RoleGrant, request=None) -> RoleGrant:
    """Apply the requested role and place of work (and activate the account). Audited as APPROVE and UPDATE."""
    grant = _locked_pending(actor=actor, grant=grant)
    user = User.objects.select_for_update().get(pk=grant.user_id)
    _check_place(role=grant.role, municipality_id=grant.municipality_id, ward=grant.ward, agency=grant.agency)
    before = {name: getattr(user, attribute) for name, attribute in ACCESS_ATTRIBUTES.items()}
    user.role, user.municipality_id, user.ward_id, user.agency_id = (
        grant.role, grant.municipality_id, grant.ward_id, grant.agency_id)
    user.is_active = True
    fields = [name for name, attribute in ACCESS_ATTRIBUTES.items() if before[name] != getattr(user, attribute)]
    if fields:
        user.full_clean(exclude=["password", "username"], validate_unique=False)
        user.save(update_fields=fields)
    grant.status, grant.decided_by, grant.decided_at = GrantStatus.APPROVED, actor, timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    role_grant_decided.send(sender=RoleGrant, grant=grant, actor=actor, request=request)
    if fields:
        user_updated.send(sender=User, user=user, actor=actor, request=request, fields=fields)
    return grant


@transaction.atomic
def role_grant_reject(*, actor: User, grant: RoleGrant, request=None, reason: str = "") -> RoleGrant:
    """The user keeps what they had (a new account stays inactive). Audited as REJECT."""
    grant = _locked_pending(actor=actor, grant=grant)
    grant.status, grant.decided_by, grant.decided_at, grant.reason = (
        GrantStatus.REJECTED, actor, timezone.now(), reason[:200])
    grant.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    role_grant_decided.send(sender=RoleGrant, grant=grant, actor=actor, request=request)
    return grant
