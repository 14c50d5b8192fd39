from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.signals import password_changed, user_updated

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


@receiver(user_updated)
def _user_updated(sender, user, request=None, fields=(), **kwargs):
    audit_record(action=Action.UPDATE, request=request, user=user, obj=user, detail={"fields": list(fields)})


@receiver(password_changed)
def _password_changed(sender, user, request=None, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGE, request=request, user=user, obj=user)
