from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("annual/", views.annual, name="annual"),
    path("annual/annual.xlsx", views.annual_download, {"fmt": "xlsx"}, name="annual_xlsx"),
    path("annual/annual.csv", views.annual_download, {"fmt": "csv"}, name="annual_csv"),
    path("annual/wards.csv", views.annual_wards_download, name="annual_wards_csv"),
    path("activities/", views.activities, name="activities"),
    path("referrals/", views.referrals, name="referrals"),
]
