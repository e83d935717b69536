from django.urls import path

from openrd.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.edit, name="edit"),
    path("pledge/", views.pledge_view, name="pledge"),
    path("history/", views.history, name="history"),
    path("rows/<str:section>/", views.blank_row, name="row"),
]
