from django.urls import path

from openrd.repository.oai import views

urlpatterns = [path("", views.endpoint, name="oai")]
