"""The staff's pages for an award's members and matching funds, in the ``awards``
namespace: ``awards/urls.py`` lists them with ``*urls_people.urlpatterns``."""

from django.urls import path

from openrd.awards import views_people

urlpatterns = [
    path("<int:pk>/members/", views_people.edit_members, name="members"),
    path("<int:pk>/matching/", views_people.edit_matching, name="matching"),
]
