"""/api/: the OpenAPI schema and its documentation page, and v1 of the REST API."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import reports, schema, views  # noqa: F401  (schema registers the filter backend's extension before any schema is drawn)
from .errors import not_found


class SchemaView(SpectacularAPIView):
    """The schema as JSON unless YAML is asked for (?format=yaml), so that its errors are JSON like the API's."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer, OpenApiYamlRenderer]


app_name = "api"

v1 = [
    path("households/", views.HouseholdList.as_view(), name="household_list"),
    path("households/<int:pk>/", views.HouseholdDetail.as_view(), name="household_detail"),
    path("cases/", views.CaseList.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case_detail"),
    path("cases/<int:pk>/consultations/", views.CaseConsultationCreate.as_view(), name="case_consultation_create"),
    path("issues/", views.IssueList.as_view(), name="issue_list"),
    path("issues/<int:pk>/", views.IssueDetail.as_view(), name="issue_detail"),
    path("consultations/", views.ConsultationList.as_view(), name="consultation_list"),
    path("consultations/<int:pk>/", views.ConsultationDetail.as_view(), name="consultation_detail"),
    path("meetings/", views.MeetingList.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", views.MeetingDetail.as_view(), name="meeting_detail"),
    path("activities/", views.ActivityList.as_view(), name="activity_list"),
    path("activities/<int:pk>/", views.ActivityDetail.as_view(), name="activity_detail"),
    path("referrals/", views.ReferralList.as_view(), name="referral_list"),
    path("referrals/<int:pk>/", views.ReferralDetail.as_view(), name="referral_detail"),
    *[path(f"referrals/<int:pk>/{action}/", views.ReferralAction.as_view(action_name=action), name=f"referral_{action}")
      for action in ("accept", "decline", "start", "complete", "withdraw")],
    path("reports/annual/", reports.AnnualReportView.as_view(), name="reports_annual"),
    path("reports/activities/", reports.ActivityReportView.as_view(), name="reports_activities"),
    path("reports/referrals/", reports.ReferralReportView.as_view(), name="reports_referrals"),
]

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its start script from docs/?script: the page has no inline script or style (CSP).
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html")),
         name="docs"),
    path("v1/", include(v1)),
    # Anything else under /api/: the API's JSON 404, not the site's HTML page.
    re_path(r"^.*$", not_found, name="not_found"),
]
