from django.urls import path

from openrd.integrity.checklists import views

app_name = "integrity-checklists"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("institutions/", views.institutions, name="institutions"),
    path("institutions/<int:pk>/", views.institution, name="institution"),
    path("completion/", views.completion, name="completion"),
]
