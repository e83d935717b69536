"""The repository's pages: public records (landing pages, files, citations) and
the deposit and curation screens. OAI-PMH and resumable uploads live outside
the language prefix (``oai/urls.py``, ``tus_urls.py``)."""

from django.urls import path

from openrd.repository import views_access, views_deposit, views_public

app_name = "repository"
urlpatterns = [
    path("", views_public.output_list, name="list"),
    path("<int:pk>/", views_public.output_page, name="output"),
    path("<int:pk>/cite.bib", views_public.bibtex, name="bibtex"),
    path("<int:pk>/cite.ris", views_public.ris, name="ris"),
    path("<int:pk>/metadata.json", views_public.json_ld, name="json_ld"),
    path("c/<int:concept_id>/", views_public.concept, name="concept"),
    path("files/<uuid:key>/<str:name>", views_public.download, name="file"),
    *views_deposit.urlpatterns,
    *views_access.urlpatterns,
]
