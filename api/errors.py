"""Every error of the API in one shape, with Japanese messages:

    {"error": {"status": 404, "code": "not_found", "message": "見つかりません。", "fields": {}}}

`status` repeats the HTTP status; `code` is a stable machine-readable word (not_authenticated,
authentication_failed, permission_denied, csrf_failed, not_found, invalid_page, method_not_allowed,
not_acceptable, unsupported_media_type, parse_error, invalid, conflict, throttled, token_expired, token_revoked); `message` is one
sentence for people; `fields` maps each input that was wrong (a query parameter or a body field, nested
ones as "tasks.0.due_on") to its messages, and is empty otherwise.
"""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

MESSAGES = {
    "not_authenticated": gettext_lazy(
        "認証が必要です。ログインするか、Authorization ヘッダーにトークン（Token <トークン>）を指定してください。"),
    "authentication_failed": gettext_lazy("認証に失敗しました。トークンが正しくないか、利用者が無効になっています。"),
    "token_expired": gettext_lazy("トークンの有効期限が切れています。新しいトークンの発行をシステム管理者に依頼してください。"),
    "token_revoked": gettext_lazy("このトークンは失効しています。新しいトークンの発行をシステム管理者に依頼してください。"),
    "permission_denied": gettext_lazy("この操作を行う権限がありません。"),
    "csrf_failed": gettext_lazy("CSRF トークンがないか、正しくありません。画面を開き直してから送ってください。"),
    "not_found": gettext_lazy("見つかりません。"),
    "invalid_page": gettext_lazy("ページ番号（page）が正しくないか、範囲外です。"),
    "not_acceptable": gettext_lazy("Accept ヘッダーの形式には対応していません。application/json を指定してください。"),
    "parse_error": gettext_lazy("リクエストの本文を JSON として読み取れません。"),
    "invalid": gettext_lazy("入力内容に誤りがあります。項目ごとのメッセージを確認してください。"),
    "conflict": gettext_lazy("この操作は、ほかの操作と重なったため行えませんでした。"),
    "server_error": gettext_lazy("サーバーでエラーが起きました。"),
}


# Messages Django and DRF leave untranslated, by their error code.
CODE_MESSAGES = {
    "null_characters_not_allowed": gettext_lazy("NUL 文字（\\x00）は使えません。"),
    "surrogate_characters_not_allowed": gettext_lazy("使えない文字（対になっていないサロゲート文字）が含まれています。"),
}


SURROGATE = re.compile("[\ud800-\udfff]")


def _text(item) -> str:
    """A message for people. DRF repeats some input in its messages (「"…" は有効な選択肢ではありません。」); a lone
    surrogate in it could not be written as UTF-8 and would turn the 400 into a 500, so it is shown as �."""
    code = getattr(item, "code", None)
    return str(CODE_MESSAGES[code]) if code in CODE_MESSAGES else SURROGATE.sub("\ufffd", str(item))


def error_body(status_code: int, code: str, message, fields: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": str(message), "fields": fields or {}}}


class Conflict(exceptions.APIException):
    """409: the object changed under the request (e.g. someone else answered the referral first)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = MESSAGES["conflict"]


def _flatten(detail, prefix: str, fields: dict, general: list) -> None:
    """DRF's nested error details → {"a.0.b": [messages]}; messages not tied to a field go to `general`."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and not prefix:
                _flatten(value, "", {}, general)
            else:
                _flatten(value, f"{prefix}.{key}" if prefix else str(key), fields, general)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            messages = [_text(item) for item in detail]
            if prefix:
                fields.setdefault(prefix, []).extend(messages)
            else:
                general.extend(messages)
        else:
            for index, item in enumerate(detail):
                _flatten(item, f"{prefix}.{index}" if prefix else str(index), fields, general)
    elif prefix:
        fields.setdefault(prefix, []).append(_text(detail))
    else:
        general.append(_text(detail))


def _code_and_message(exc: exceptions.APIException, request) -> tuple[str, str]:
    code = exc.default_code
    if isinstance(exc, Conflict):
        return "conflict", str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        detail = str(exc.detail)
        if detail.startswith("CSRF Failed"):
            return "csrf_failed", str(MESSAGES["csrf_failed"])
        # Our own permission classes and services explain themselves in Japanese; DRF's default does not.
        custom = exc.detail != exceptions.PermissionDenied.default_detail and not detail.startswith("You do not")
        return "permission_denied", detail if custom else str(MESSAGES["permission_denied"])
    if isinstance(exc, exceptions.NotFound):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "not_found"
        return code, str(MESSAGES.get(code, MESSAGES["not_found"]))
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", "")
        return "method_not_allowed", _("このURLではメソッド %(method)s は使えません。") % {"method": method}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        media = request.content_type if request is not None else ""
        return "unsupported_media_type", _(
            "Content-Type「%(type)s」には対応していません。application/json で送ってください。") % {"type": media[:100]}
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait) if exc.wait is not None else 60
        return "throttled", _("リクエストが多すぎます。%(wait)d 秒ほど待ってから、もう一度お試しください。") % {"wait": max(wait, 1)}
    if code in MESSAGES:
        return code, str(MESSAGES[code])
    return code, str(exc.detail) if isinstance(exc.detail, str) else str(MESSAGES["invalid"])


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        return exceptions.ValidationError(detail)
    return exc


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every handled error in the shape above, and the request's
    transaction rolled back (ATOMIC_REQUESTS), as DRF's own handler does."""
    exc = _as_api_exception(exc)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handling and logging take it
    request = context.get("request")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    fields, general = {}, []
    if isinstance(exc, exceptions.ValidationError):
        _flatten(exc.detail, "", fields, general)
        code = "invalid"
        message = " ".join(general) if general else str(MESSAGES["invalid"])
    elif isinstance(exc, exceptions.ParseError):
        code, message = "parse_error", str(MESSAGES["parse_error"])
    else:
        code, message = _code_and_message(exc, request)
    set_rollback()
    return Response(error_body(exc.status_code, code, message, fields), status=exc.status_code, headers=headers)


@csrf_exempt  # it changes nothing, and a POST to a wrong address should hear "not found", not "CSRF"
def not_found(request, *args, **kwargs):
    """Any address under /api/ that names no endpoint: the same JSON 404 as the endpoints give."""
    return JsonResponse(error_body(404, "not_found", MESSAGES["not_found"]), status=404,
                        json_dumps_params={"ensure_ascii": False})


def call_service(service, *, field_codes: dict | None = None, conflict_codes=(), **kwargs):
    """Run a service (services validate and decide); its ValidationError becomes the API's 400, with each
    message put under the input it is about (`field_codes`: error code → field), or 409 for `conflict_codes`."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        field_codes = field_codes or {}
        fields, general, conflict = {}, [], False
        for item in error.error_list if hasattr(error, "error_list") else [error]:
            message = " ".join(item.messages)
            if item.code in conflict_codes:
                conflict = True
            if item.code in field_codes:
                fields.setdefault(field_codes[item.code], []).append(message)
            else:
                general.append(message)
        if conflict:
            raise Conflict(" ".join(general) or None) from error
        raise exceptions.ValidationError({**fields, **({api_settings.NON_FIELD_ERRORS_KEY: general} if general else {})}) from error
