from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import GrantStatus, User
from accounts.signals import (
    password_changed,
    password_reset,
    role_grant_decided,
    role_grant_requested,
    user_created,
    user_deleted,
    user_updated,
)
from agencies.models import Municipality
from agencies.signals import organisation_changed

from .models import Action
from .services import audit_record, sign_in_municipality


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The attempted name is kept (it is how brute force shows up); the password never is.
    username = str(credentials.get("username", ""))[:150]
    audit_record(action=Action.LOGIN_FAILED, request=request, username=username,
                 municipality=sign_in_municipality(username))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")[:150]
    audit_record(action=Action.LOCKED_OUT, request=request, username=username, municipality=sign_in_municipality(username))


# Account administration (#15): who changed whose account, which fields (never their values), in the city of the
# account changed, so that city's auditor sees it even when the system operator did it.


@receiver(user_created)
def _user_created(sender, user, actor, request=None, fields=(), **kwargs):
    audit_record(action=Action.CREATE, request=request, user=actor, obj=user, municipality=user.municipality_id,
                 detail={"username": user.get_username(), "fields": list(fields)})


@receiver(user_updated)
def _user_updated(sender, user, request=None, fields=(), actor=None, **kwargs):
    detail = {"fields": list(fields)}
    if actor is not None and actor.pk != user.pk:
        detail["username"] = user.get_username()
    audit_record(action=Action.UPDATE, request=request, user=actor or user, obj=user,
                 municipality=user.municipality_id or getattr(actor, "municipality_id", None), detail=detail)


@receiver(user_deleted)
def _user_deleted(sender, user_id, username, municipality_id, actor, request=None, **kwargs):
    audit_record(action=Action.DELETE, request=request, user=actor, object_type="accounts.user", object_id=str(user_id),
                 object_label=f"{User._meta.verbose_name} #{user_id}", municipality=municipality_id,
                 detail={"username": username})


@receiver(password_reset)
def _password_reset(sender, user, actor, request=None, **kwargs):
    audit_record(action=Action.PASSWORD_RESET, request=request, user=actor, obj=user, municipality=user.municipality_id,
                 detail={"username": user.get_username(), "one_time": True})


def _grant_detail(grant) -> dict:
    return {"username": grant.user.get_username(), "user_id": grant.user_id, "role": grant.role,
            "ward_id": grant.ward_id, "agency_id": grant.agency_id, "requested_by": grant.requested_by.get_username()}


@receiver(role_grant_requested)
def _role_grant_requested(sender, grant, actor, request=None, **kwargs):
    audit_record(action=Action.REQUEST, request=request, user=actor, obj=grant, municipality=grant.municipality_id,
                 detail=_grant_detail(grant))


@receiver(role_grant_decided)
def _role_grant_decided(sender, grant, actor, request=None, **kwargs):
    action = Action.APPROVE if grant.status == GrantStatus.APPROVED else Action.REJECT
    audit_record(action=action, request=request, user=actor, obj=grant, municipality=grant.municipality_id,
                 detail={**_grant_detail(grant), **({"reason": grant.reason} if grant.reason else {})})


@receiver(password_changed)
def _password_changed(sender, user, request=None, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGE, request=request, user=user, obj=user)


ORGANISATION_ACTIONS = {"create": Action.CREATE, "update": Action.UPDATE, "delete": Action.DELETE}


@receiver(organisation_changed)
def _organisation_changed(sender, instance, action, fields=(), actor=None, request=None, detail=None, **kwargs):
    municipality = instance.pk if isinstance(instance, Municipality) else instance.municipality_id
    audit_record(action=ORGANISATION_ACTIONS[action], request=request, user=actor, obj=instance,
                 municipality=municipality,
                 detail={"name": str(getattr(instance, "name", "")), "fields": list(fields), **(detail or {})})
