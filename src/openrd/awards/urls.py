from django.urls import path

from openrd.awards import views

app_name = "awards"
urlpatterns = [
    path("", views.award_list, name="list"),
    path("<int:pk>/", views.award_detail, name="detail"),
]
