"""Top-level URL map: language-prefixed pages, the versioned API, admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from openrd.api import api
from openrd.core.views import healthz

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    # OAI-PMH's base URL and resumable uploads: not pages, so no language prefix.
    path("oai", include("openrd.repository.oai.urls")),
    path("uploads/", include("openrd.repository.tus_urls")),
]

urlpatterns += i18n_patterns(
    path("", include("openrd.portal.urls")),
    path("programs/", include("openrd.programs.urls")),
    path("calls/", include("openrd.programs.call_urls")),
    path("proposals/", include("openrd.proposals.urls")),
    path("invitations/", include("openrd.proposals.invitation_urls")),
    path("reviews/", include("openrd.review.urls")),
    path("awards/", include("openrd.awards.urls")),
    path("outputs/", include("openrd.repository.urls")),
    path("strategy/", include("openrd.strategy.urls")),
    path("ecosystem/", include("openrd.ecosystem.urls")),
    path("disclosures/", include("openrd.integrity.urls")),
    path("integrity/", include("openrd.integrity.urls_office")),
    path("accounts/", include("openrd.accounts.urls")),
    path("jobs/", include("openrd.jobs.urls")),
    path("notifications/", include("openrd.notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
