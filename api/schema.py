"""The OpenAPI schema's shared parts: the one error shape (api/errors.py), documented on every operation."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import add_trace_message
from drf_spectacular.plumbing import get_view_model

ERROR_COMPONENT = "Error"


def error_schema() -> dict:
    return {
        "type": "object",
        "description": str(_("API のエラー（すべて同じ形）")),
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer", "description": str(_("HTTP のステータスコード"))},
                    "code": {"type": "string",
                             "description": str(_("エラーの種類（not_found, invalid, permission_denied など）"))},
                    "message": {"type": "string", "description": str(_("利用者向けのメッセージ"))},
                    "fields": {
                        "type": "object", "description": str(_("入力の項目ごとのメッセージ（誤りがなければ空）")),
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "required": ["status", "code", "message", "fields"],
            },
        },
        "required": ["error"],
    }


ERRORS = {
    "400": _("入力（クエリ・本文）に誤りがあります。"),
    "401": _("認証されていません（トークンまたはログインが必要）。"),
    "403": _("この役割では使えません（福祉局などは個人情報を見られません）。"),
    "404": _("見つからないか、この利用者の範囲外です（他区の記録など）。"),
    "406": _("Accept ヘッダーの形式に対応していません。"),
    "409": _("ほかの操作と重なりました（先に回答された依頼など）。"),
    "415": _("Content-Type に対応していません（application/json で送ってください）。"),
    "429": _("リクエストが多すぎます。"),
}


def _codes(method: str, operation: dict) -> list[str]:
    codes = ["401", "403", "404", "406", "429"]
    if operation.get("parameters") or operation.get("requestBody"):
        codes.append("400")
    if method == "post":
        codes += ["400", "409", "415"]
    return sorted(set(codes))


def add_error_responses(result, generator, request, public):
    """POSTPROCESSING_HOOKS: every operation documents the errors it may answer, all in the Error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = error_schema()
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation):
                responses.setdefault(code, {"description": str(ERRORS[code]),
                                            "content": {"application/json": {"schema": reference}}})
    return result


class ScopedFilterExtension(DjangoFilterExtension):
    """django-filter's parameters in the schema, without touching `Model.objects`: on the scoped models
    (core.scoping) it refuses unscoped queries, and the FilterSet class needs no queryset to be found."""

    target_class = "api.filters.ScopedFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        model = get_view_model(auto_schema.view)
        filterset_class = self.target.get_filterset_class(auto_schema.view) if model else None
        if not filterset_class:
            return []
        result = []
        with add_trace_message(filterset_class):
            for field_name, filter_field in filterset_class.base_filters.items():
                result += self.resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        return result
