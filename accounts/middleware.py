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

# What a user who still owes their second factor may open (the password change comes after it).
SECOND_FACTOR_OPEN = frozenset({"accounts:two_factor_verify", "accounts:two_factor_setup", "accounts:logout",
                                "set_language", "core:healthz"})
PASSWORD_OPEN = frozenset({"accounts:password_change", "accounts:password_change_done", "accounts:logout",
                           "set_language", "core:healthz"})


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
        if due and name not in SECOND_FACTOR_OPEN:
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
