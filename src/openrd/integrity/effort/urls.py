from django.urls import path

from openrd.integrity.effort import views

app_name = "integrity-effort"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("people/<int:person_id>/", views.person_ledger, name="person"),
]
