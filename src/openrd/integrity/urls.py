from django.urls import path

app_name = "integrity"
urlpatterns: list = []
