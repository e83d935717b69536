from django.urls import path

from openrd.programs import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_new, name="new"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/edit/", views.call_edit, name="edit"),
    path("<int:pk>/open/", views.call_open, name="open"),
    path("<int:pk>/close/", views.call_close, name="close"),
]
