from django.urls import path

from openrd.ecosystem import views

app_name = "ecosystem"
urlpatterns = [
    path("hubs/", views.hub_list, name="hubs"),
    path("hubs/<slug:code>/", views.hub_detail, name="hub"),
]
