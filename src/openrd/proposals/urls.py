from django.urls import path

from openrd.proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/save/", views.proposal_save, name="save"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/endorse/", views.proposal_endorse, name="endorse"),
    path("<int:pk>/files/<str:sha256>/", views.proposal_file, name="file"),
]
