from django.urls import path

from openrd.integrity.sanctions import views

app_name = "integrity-sanctions"
urlpatterns = [
    path("", views.public_list, name="public"),
    path("register/", views.register, name="register"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/lift/", views.lift, name="lift"),
]
