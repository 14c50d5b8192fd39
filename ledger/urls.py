from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("ledger/imports/", views.import_list, name="import_list"),
    path("ledger/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("ledger/imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("ledger/imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("ledger/imports/<int:pk>/retry/", views.import_retry, name="import_retry"),
    path("ledger/imports/<int:pk>/aliases/", views.alias_add, name="alias_add"),
    path("ledger/export/", views.export, name="export"),
]
