"""Refuse a posted SAMLResponse that is not base64-encoded XML, before allauth keeps it.

allauth's ACS view stores whatever was posted and its next step hands it to
python3-saml, which raises on text that is not XML (lxml's syntax error) and
allauth does not catch that: the person would get a server error. This
middleware runs python3-saml's own decoding and hardened parser (no DTD, no
entities) on the ACS post only, and answers anything unreadable with the SAML
error page (400) and an audit entry. Everything else (signature, audience,
time, replay) is checked by python3-saml and ``accounts.saml`` afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML

from openrd.accounts import saml_errors
from openrd.accounts.saml import error_page
from openrd.core import audit


def is_readable(value: str) -> bool:
    try:
        root = OneLogin_Saml2_XML.to_etree(OneLogin_Saml2_Utils.b64decode(value))
    except (ValueError, etree.LxmlError):  # binascii, DTD/entities and XML syntax errors
        return False
    return root is not None


class RefuseUnreadableSAMLResponse:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.url_name != "saml_acs" or request.method != "POST":
            return None
        value = request.POST.get("SAMLResponse")
        if value is None or is_readable(value):
            return None  # a missing response is refused by python3-saml itself
        slug = str(view_kwargs.get("organization_slug", ""))[:64]
        with transaction.atomic():
            audit.record(
                "accounts.social.failed",
                object_type="socialaccount.provider",
                object_repr="saml",
                after={
                    "provider": "saml",
                    "idp": slug,
                    "error": saml_errors.MALFORMED,
                    "reason": "SAMLResponse is not base64-encoded XML",
                },
                request=request,
            )
        return error_page(request, saml_errors.MALFORMED, status=400)
