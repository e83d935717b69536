from django.urls import path

from openrd.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.email_settings, name="settings"),
    path("settings/unfollow/", views.unfollow, name="unfollow"),
]
