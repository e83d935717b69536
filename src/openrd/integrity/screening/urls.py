from django.urls import path

from openrd.integrity.screening import views

app_name = "integrity-screening"
urlpatterns = [
    path("", views.flags, name="flags"),
    path("flags/<int:pk>/", views.flag_detail, name="flag"),
    path("flags/<int:pk>/confirm/", views.flag_review, {"action": "confirm"}, name="confirm"),
    path("flags/<int:pk>/dismiss/", views.flag_review, {"action": "dismiss"}, name="dismiss"),
    path("thresholds/<int:agency_pk>/", views.thresholds, name="thresholds"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
