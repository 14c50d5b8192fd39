from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("erasure/", views.request_list, name="request_list"),
    path("erasure/new/", views.request_create, name="request_create"),
    path("erasure/<int:pk>/", views.request_detail, name="request_detail"),
    path("erasure/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("erasure/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("erasure/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("erasure/<int:pk>/receipt.csv", views.receipt_csv, name="receipt_csv"),
]
