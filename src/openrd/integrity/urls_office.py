"""The integrity office's pages: checklists, the effort ledger, sanctions, screening."""

from django.urls import include, path

from openrd.integrity.views_office import hub

urlpatterns = [
    path("", hub, name="integrity-hub"),
    path("checklists/", include("openrd.integrity.checklists.urls")),
    path("effort/", include("openrd.integrity.effort.urls")),
    path("sanctions/", include("openrd.integrity.sanctions.urls")),
    path("screening/", include("openrd.integrity.screening.urls")),
]
