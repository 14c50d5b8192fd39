from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/ecomap.svg", views.household_ecomap, name="household_ecomap"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/merge/", views.household_merge, name="household_merge"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/cases/new/", views.case_create, name="case_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/consultations/", views.consultation_create, name="consultation_create"),
    path("cases/<int:pk>/issues/", views.issue_create, name="issue_create"),
    path("cases/<int:pk>/issues/<int:issue_pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("cases/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("cases/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
]
