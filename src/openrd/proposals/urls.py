from django.urls import path

from openrd.proposals import views, views_members, views_stats
from openrd.proposals.documents import views as documents

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/save/", views.proposal_save, name="save"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/members/", views_members.proposal_members_page, name="members"),
    path(
        "<int:pk>/members/<int:member_id>/",
        views_members.member_change,
        name="member_change",
    ),
    path(
        "<int:pk>/members/<int:member_id>/withdraw/",
        views_members.member_withdraw,
        name="member_withdraw",
    ),
    path("<int:pk>/endorse/", views.proposal_endorse, name="endorse"),
    path("<int:pk>/files/<str:sha256>/", views.proposal_file, name="file"),
    path("calls/<int:pk>/stats/", views_stats.call_stats, name="call_stats"),
    path("calls/<int:pk>/stats.csv", views_stats.call_stats_csv, name="call_stats_csv"),
    path("<int:pk>/versions/<int:number>/", documents.version_detail, name="version"),
    path("<int:pk>/versions/<int:number>/pdf", documents.version_pdf, name="version_pdf"),
]
