from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/sheet/", views.referral_sheet, name="referral_sheet"),
    path("referrals/<int:pk>/return/", views.referral_return, name="referral_return"),
    path("referrals/<int:pk>/<slug:action>/", views.referral_action, name="referral_action"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
]
