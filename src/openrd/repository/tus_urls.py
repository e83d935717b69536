"""Resumable uploads (tus 1.0) at /uploads/, outside the language prefix: the
protocol's answers are JSON for programs, not pages (openrd.repository.tus)."""

from django.urls import URLPattern, path

from openrd.repository import tus

app_name = "uploads"

urlpatterns: list[URLPattern] = [
    path("", tus.collection, name="create"),
    # A plain string, not <uuid:…>: a malformed key is answered by the protocol
    # (JSON 404), not by the site's HTML 404 page.
    path("<str:key>", tus.upload, name="upload"),
]
