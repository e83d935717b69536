from django.urls import path

from openrd.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("<slug:code>/", views.program_detail, name="detail"),
    path("<slug:code>/follow/", views.program_follow, name="follow"),
    path("<slug:code>/unfollow/", views.program_unfollow, name="unfollow"),
]
