from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from audit.services import audit_at_the_end
from core.urlwalk import decorate_views

admin.site.site_header = _("つながる支援ケース管理 マスタ管理")
admin.site.site_title = _("マスタ管理")
admin.site.index_title = _("マスタ・利用者の管理")

urlpatterns = [
    path("", include("core.urls")),
    path("", include("home.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("retention/", include("retention.urls")),
    path("api/", include("api.urls")),
    path("", include("cases.urls")),
    path("", include("meetings.urls")),
    path("", include("referrals.urls")),
    path("", include("ledger.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# A page that only reads writes its audit events as it returns, so that the chain's lock is not held while the page
# is built (audit.services.audit_at_the_end; docs/benchmarks.md).
decorate_views(urlpatterns, audit_at_the_end)
