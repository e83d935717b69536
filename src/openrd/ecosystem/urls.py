from django.urls import path

from openrd.ecosystem import (
    views,
    views_accelerators,
    views_challenges,
    views_companies,
    views_sbir,
)

app_name = "ecosystem"
urlpatterns = [
    path("hubs/", views.hub_list, name="hubs"),
    path("hubs/<slug:code>/", views.hub_detail, name="hub"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/<slug:code>/", views_challenges.challenge_detail, name="challenge"),
    path("challenges/<slug:code>/propose/", views_challenges.propose, name="propose"),
    path("challenges/<slug:code>/proposals/<int:pk>/step/", views_challenges.step, name="step"),
    path("adoption/", views_challenges.adoption_page, name="adoption"),
    path("adoption.csv", views_challenges.adoption_download, {"ext": "csv"}, name="adoption_csv"),
    path(
        "adoption.xlsx", views_challenges.adoption_download, {"ext": "xlsx"}, name="adoption_xlsx"
    ),
    path("companies/", views_companies.company_list, name="companies"),
    path("companies/<int:pk>/", views_companies.company_detail, name="company"),
    path("companies/<int:pk>/facts/", views_companies.declare_fact, name="declare_fact"),
    path("companies/<int:pk>/profile/", views_companies.edit_profile, name="profile"),
    path("sbir/", views_sbir.overview, name="sbir"),
    path("sbir/calls/<int:pk>/topic/", views_sbir.topic_edit, name="sbir_topic"),
    path("sbir/roadmaps/<int:pk>/", views_sbir.roadmap, name="roadmap"),
    path("accelerators/", views_accelerators.accelerator_page, name="accelerators"),
    path("accelerators/cohorts/", views_accelerators.save_cohort, name="save_cohort"),
    path("support/", views_accelerators.support_page, name="support"),
    path("support/save/", views_accelerators.save_support, name="save_support"),
]
