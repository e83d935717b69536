"""The invitee's pages: /<lang>/invitations/ (their invitations) and the e-mail's link."""

from django.urls import path, re_path

from openrd.proposals import views_members

app_name = "invitations"
urlpatterns = [
    path("", views_members.invitation_list, name="list"),
    path("answer/<int:member_id>/", views_members.invitation_answer, name="answer"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/$", views_members.invitation_detail, name="detail"),
]
