from django.urls import path

from openrd.portal import lists, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("organisations/", lists.organisation_list, name="organisations"),
    path("audit/", lists.audit_log, name="audit"),
]
