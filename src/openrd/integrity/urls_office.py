"""The integrity office's pages: checklists, the effort ledger, sanctions, screening."""

from django.urls import include, path

urlpatterns = [
    path("checklists/", include("openrd.integrity.checklists.urls")),
    path("effort/", include("openrd.integrity.effort.urls")),
    path("sanctions/", include("openrd.integrity.sanctions.urls")),
    path("screening/", include("openrd.integrity.screening.urls")),
]
