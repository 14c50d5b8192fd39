"""Gates a signed-in user passes before any other page: the second factor, then a password of their own.

Both are decided once, at login (accounts.security.second_factor_due), and kept in the session, so an ordinary
page costs no query. After MessageMiddleware; the admin is gated too.
"""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .security import SECOND_FACTOR_SESSION_KEY, SecondFactorDue

ALWAYS_OPEN = frozenset({"accounts:logout", "set_language", "core:healthz"})
# What a user who still owes their second factor may open (the password change comes after it). One who has a
# second factor may only give it: enrolling another would get round it with the password alone.
SECOND_FACTOR_OPEN = {
    SecondFactorDue.VERIFY: ALWAYS_OPEN | {"accounts:two_factor_verify"},
    SecondFactorDue.ENROL: ALWAYS_OPEN | {"accounts:two_factor_setup"},
}
PASSWORD_OPEN = ALWAYS_OPEN | {"accounts:password_change", "accounts:password_change_done"}


class AccountGatesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        due = request.session.get(SECOND_FACTOR_SESSION_KEY)
        if due and name not in SECOND_FACTOR_OPEN.get(due, ALWAYS_OPEN):
            target = "accounts:two_factor_verify" if due == SecondFactorDue.VERIFY else "accounts:two_factor_setup"
            return self.refuse(request, target, _("確認コードの入力（二要素認証）が済んでいません。"))
        if not due and request.user.must_change_password and name not in PASSWORD_OPEN:
            return self.refuse(request, "accounts:password_change", _("パスワードを変更してください。"))
        return None

    @staticmethod
    def refuse(request, target: str, message: str):
        if request.path.startswith("/api/"):
            # A browser session calling the API (the API's error shape; tokens never reach here unverified).
            error = {"status": 403, "code": "account_gate", "message": message, "fields": {}}
            return JsonResponse({"error": error}, status=403)
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)
