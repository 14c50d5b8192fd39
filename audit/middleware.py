"""Refusals on personal-data routes are part of the trail (docs/access-policy.md): who asked for what and was told
no (403) or that it is not there (404). Written after the view, outside its transaction, so the refusal stays
even though the view's work was rolled back. The row names the route and its ids, never the query string."""

from .models import Action
from .services import audit_record

# The routes that show or change a resident's data. The API's reports, schema and docs hold none.
PERSONAL_NAMESPACES = frozenset({"cases", "meetings", "referrals", "ledger", "api"})
NOT_PERSONAL_ROUTES = frozenset({"api:schema", "api:docs", "api:not_found", "api:reports_annual",
                                 "api:reports_activities", "api:reports_referrals"})
REFUSALS = (403, 404)
# What a refused route was about, for the trail's 対象 column: (the URL name's stem, the model it opens).
ROUTE_OBJECTS = (("household", "cases.household"), ("member", "cases.householdmember"), ("consent", "cases.consent"),
                 ("task", "cases.roleassignment"), ("issue", "cases.caseissue"), ("consultation", "cases.consultation"),
                 ("case", "cases.case"), ("meeting", "meetings.meeting"), ("activity", "meetings.activity"),
                 ("referral", "referrals.referral"), ("import", "ledger.importjob"))


def _refused_object(match) -> tuple[str, str, str]:
    """(object_type, object_id, label) of the record a refused route names, e.g. 「事例 #12」."""
    from django.apps import apps

    pk = match.kwargs.get("pk")
    for stem, label in ROUTE_OBJECTS:
        if stem in match.url_name:
            model = apps.get_model(label)
            name = str(model._meta.verbose_name)
            return label, str(pk or ""), f"{name} #{pk}" if pk is not None else name
    return "", str(pk or ""), ""


class RefusalAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSALS:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            if (match is not None and match.namespace in PERSONAL_NAMESPACES
                    and match.view_name not in NOT_PERSONAL_ROUTES and user is not None and user.is_authenticated):
                object_type, object_id, label = _refused_object(match)
                audit_record(action=Action.REFUSED, request=request, user=user, object_type=object_type,
                             object_id=object_id, object_label=label,
                             detail={"status": response.status_code, "route": match.view_name,
                                     "ids": {key: str(value) for key, value in match.kwargs.items()},
                                     "method": request.method})
        return response
