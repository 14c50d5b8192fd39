"""Login security: throttling by address and by login ID, lifting a stop, second factors (django-otp).

The audit trail lives a layer above: these services announce what they did with `accounts.signals`
(`lockout_cleared`, `two_factor_changed`) and audit writes the events inside the same transaction.
"""

from binascii import unhexlify

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Sum, TextChoices
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from .models import User
from .signals import lockout_cleared, password_changed, two_factor_changed

# Set on a request by the password + second factor login: only the address limit holds it back.
SECOND_FACTOR_LOGIN = "second_factor_login"
# What a session still owes after the password (accounts.middleware keeps every other page shut until then).
SECOND_FACTOR_SESSION_KEY = "second_factor_due"


class SecondFactorDue(TextChoices):
    VERIFY = "verify"  # the user has a second factor: the code is asked for
    ENROL = "enrol"  # none yet and one is required: enrolment first


def failure_limits() -> dict[str, int]:
    return {"username": settings.AXES_FAILURE_LIMIT, "ip_address": settings.LOGIN_ADDRESS_FAILURE_LIMIT}


class LoginThrottle(AxesDatabaseHandler):
    """django-axes with one limit per lockout parameter (axes itself compares every parameter with one limit).

    Failures are counted separately for the address (any login ID) and for the login ID (any address), each
    against its own limit. axes compares `get_failures()` with AXES_FAILURE_LIMIT, so the count is given on that
    scale: the limit plus the failures beyond (or short of) the nearest limit.
    """

    def failures_by_parameter(self, request, credentials=None) -> dict[str, int]:
        attempts = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        counted = {
            "ip_address": attempts.filter(ip_address=request.axes_ip_address) if request.axes_ip_address else None,
            # The login ID's own limit does not hold back the owner proving a second factor.
            "username": attempts.filter(username=username)
            if username and not getattr(request, SECOND_FACTOR_LOGIN, False) else None,
        }
        return {
            parameter: (rows.aggregate(total=Sum("failures_since_start"))["total"] or 0) if rows is not None else 0
            for parameter, rows in counted.items()
            if parameter in settings.AXES_LOCKOUT_PARAMETERS
        }

    def get_failures(self, request, credentials=None) -> int:
        limits = failure_limits()
        counts = self.failures_by_parameter(request, credentials)
        return settings.AXES_FAILURE_LIMIT + max(counts[p] - limits[p] for p in counts)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful login, that login ID's failures only: one good login behind a shared address must
        not wipe the failures others made from it. A password alone does not count as a successful login for a
        user with a second factor: their failures are forgotten once the code is given (second_factor_passed)."""
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "otp_device", None) is None and has_second_factor(user):
            return 0
        username = get_client_username(request, credentials)
        return forget_failures(username) if username else 0


def forget_failures(username: str) -> int:
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count


def address_is_stopped(request) -> bool:
    """Whether the request's address has reached its own limit (whatever login ID it tries)."""
    AxesProxyHandler.update_request(request)
    counts = LoginThrottle().failures_by_parameter(request, {User.USERNAME_FIELD: None})
    return counts.get("ip_address", 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


@transaction.atomic
def password_chosen(*, user: User, request=None) -> None:
    """The user has set a password of their own (Django's form saved it): a one-time password's demand ends."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    password_changed.send(sender=User, user=user, request=request)


@transaction.atomic
def lockout_clear(*, user: User, by: User, request=None) -> int:
    """Lift the stop on a login ID (its failures from every address are forgotten). Returns the rows cleared."""
    cleared = AxesProxyHandler.reset_attempts(username=user.get_username())
    lockout_cleared.send(sender=User, user=user, actor=by, request=request, attempts=cleared)
    return cleared


# --- Second factor -------------------------------------------------------------------------------------------

def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_due(sender, request, user, **kwargs) -> None:
    """At every login (user_logged_in): what the session owes before its first page. A login that already
    proved a device (accounts:login_second_factor) owes nothing."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(SECOND_FACTOR_SESSION_KEY, None)
    if getattr(user, "otp_device", None) is not None:
        return
    if has_second_factor(user):
        session[SECOND_FACTOR_SESSION_KEY] = SecondFactorDue.VERIFY.value
    elif settings.TWO_FACTOR_REQUIRED:
        session[SECOND_FACTOR_SESSION_KEY] = SecondFactorDue.ENROL.value


def is_recovery_code(device) -> bool:
    return isinstance(device, StaticDevice)


def second_factor_passed(*, request, user: User, device) -> None:
    """The session has proved `device`: open the pages, and leave it on the trail."""
    otp_login(request, device)
    request.session.pop(SECOND_FACTOR_SESSION_KEY, None)
    forget_failures(user.get_username())  # now the login has succeeded
    method = "recovery_code" if is_recovery_code(device) else "totp"
    two_factor_changed.send(sender=User, user=user, actor=user, request=request, event="verified", method=method)


def new_totp_key() -> str:
    return random_hex(20)


def totp_matches(key: str, token: str) -> bool:
    """Check a code against a key not yet saved (enrolment): the current step or one either side."""
    token = token.strip().replace(" ", "")
    if not token.isdigit():
        return False
    return TOTP(unhexlify(key.encode())).verify(int(token), tolerance=1)


def totp_config_url(*, user: User, key: str) -> str:
    return TOTPDevice(user=user, key=key, name="default").config_url


def _recovery_codes(device: StaticDevice) -> list[str]:
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enrol(*, user: User, key: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Save the user's authenticator app (replacing any earlier one) and issue fresh recovery codes, which are
    shown once and never again. Returns the device and the codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, key=key, name="default", confirmed=True)
    codes = _recovery_codes(StaticDevice.objects.create(user=user, name="recovery", confirmed=True))
    two_factor_changed.send(sender=User, user=user, actor=user, request=request, event="enrolled")
    return device, codes


def two_factor_verify(*, user: User, token: str):
    """The device that accepts the code, or None: six digits are asked of the authenticator app, anything else
    of the recovery codes (a code that matches is used up). Each device counts its own failures and makes the
    next try wait longer (django-otp's throttling)."""
    token = token.strip().replace(" ", "").lower()
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    if not token:
        return None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(token):
                return device
    return None


@transaction.atomic
def two_factor_reset(*, user: User, by: User, request=None) -> int:
    """Remove every second factor of a user (a lost phone): they enrol again at their next login if the second
    factor is required. Returns the devices removed."""
    removed = sum(
        model.objects.filter(user=user).delete()[1].get(model._meta.label, 0) for model in (TOTPDevice, StaticDevice)
    )
    two_factor_changed.send(sender=User, user=user, actor=by, request=request, event="reset", devices=removed)
    return removed
