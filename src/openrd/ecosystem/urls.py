from django.urls import path

from openrd.ecosystem import views

app_name = "ecosystem"
urlpatterns = [
    path("hubs/", views.hub_list, name="hubs"),
    path("hubs/<slug:code>/", views.hub_detail, name="hub"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/<slug:code>/", views.challenge_detail, name="challenge"),
]
