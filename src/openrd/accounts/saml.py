"""allauth's SAML provider with OpenRD's rules (docs/adr/0021-saml-single-sign-on.md).

``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]`` names
:class:`OpenRDSAMLProvider`, so allauth's own views (login, ACS, metadata) use
it. python3-saml does the protocol; this class only adds what allauth leaves to
the site:

- the secure defaults (``saml_config.secure_app_settings``) for every app,
  including ones entered in the admin, and one SP entity id for all IdPs;
- one ACS address whatever the page language (IdPs check it against the SP
  metadata they were given, which has one);
- the ePPN as the only uid (a transient NameID changes at every sign-in);
- a store of used assertions (``saml_replay``), and a refusal with a reason,
  an audit entry and a 4xx for an unsolicited or replayed response.
"""

from __future__ import annotations

from typing import Any, NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import translation

from openrd.accounts import saml_errors
from openrd.accounts.saml_config import secure_app_settings
from openrd.accounts.saml_replay import consume


def sp_entity_id() -> str:
    """The one name OpenRD has as a SAML service provider (registered with each IdP)."""
    configured = getattr(settings, "OPENRD_SAML_SP_ENTITY_ID", "")
    return configured or settings.OPENRD_SITE_URL.rstrip("/") + "/saml/sp"


def refuse(request: HttpRequest, provider: Any, problem: str, reason: str = "") -> NoReturn:
    """Stop the sign-in with allauth's error page (401), audited with ``problem``."""
    raise ImmediateHttpResponse(
        render_authentication_error(
            request, provider, extra_context={"saml_problem": problem, "saml_reason": reason}
        )
    )


def error_page(request: HttpRequest, problem: str, *, status: int) -> HttpResponse:
    """allauth's sign-in error page with the sentence for ``problem``, for the
    refusals made before allauth's flow starts (an unknown IdP, a response
    that cannot be read)."""
    return render(
        request,
        "socialaccount/authentication_error.html",
        {"saml_problem": problem, "saml_message": saml_errors.message(problem)},
        status=status,
    )


def unknown_idp_response(request: HttpRequest) -> HttpResponse:
    """The page for a SAML address naming no configured IdP (404, not Django's bare one)."""
    return error_page(request, saml_errors.UNKNOWN_IDP, status=404)


def display_name(app: Any) -> str:
    """The IdP's name in the page language (file: name_ja/name_en; admin: the app's name)."""
    openrd = (app.settings or {}).get("openrd", {})
    if translation.get_language() == "ja" and openrd.get("name_ja"):
        return str(openrd["name_ja"])
    return str(openrd.get("name_en") or app.name or app.client_id)


class OpenRDSAMLProvider(SAMLProvider):
    # allauth finds a provider's URLs (login, acs, metadata…) in its package.
    package = "allauth.socialaccount.providers.saml"

    def __init__(self, request: HttpRequest, app: Any = None) -> None:
        super().__init__(request, app=app)
        # A new dict: apps from settings share theirs between requests.
        app_settings = secure_app_settings(self.app.settings)
        app_settings["sp"] = {"entity_id": sp_entity_id(), **app_settings.get("sp", {})}
        self.app.settings = app_settings

    @property
    def openrd(self) -> dict[str, Any]:
        return dict(self.app.settings.get("openrd", {}))

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> Any:
        # allauth builds the ACS address with reverse(), which carries the page's
        # language prefix; the IdP knows only the one in the metadata (/ja/…).
        # The person comes back to the home page in the language they started in.
        if process == AuthProcess.LOGIN and not next_url:
            next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
        with translation.override(settings.LANGUAGE_CODE):
            return super().redirect(request, process, next_url, data, **kwargs)

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        # python3-saml has checked signature, audience, destination and time.
        advanced = self.app.settings["advanced"]
        if not response.get_last_response_in_response_to() and advanced.get(
            "reject_idp_initiated_sso", True
        ):
            refuse(request, self, saml_errors.UNSOLICITED, "no InResponseTo")
        assertion_id = response.get_last_assertion_id() or response.get_last_message_id()
        if not assertion_id or not consume(
            self.sub_id, str(assertion_id), response.get_last_assertion_not_on_or_after()
        ):
            refuse(request, self, saml_errors.REPLAY, f"assertion {assertion_id} used before")
        return super().sociallogin_from_response(request, response)

    def unstash_redirect_state(self, request: HttpRequest, state_id: Any) -> Any:
        # A response to a request of another browser, or one already answered.
        try:
            return super().unstash_redirect_state(request, state_id)
        except PermissionDenied:
            refuse(request, self, saml_errors.UNSOLICITED, "InResponseTo matches no request")

    def extract_uid(self, data: Any) -> str:
        # Never the NameID: a transient one would make a new account each time.
        uid = self._extract(data).get("uid")
        if not uid:
            refuse(self.request, self, saml_errors.MISSING_EPPN, "no eduPersonPrincipalName")
        return str(uid).strip().lower()

    def extract_common_fields(self, data: Any) -> dict[str, Any]:
        fields = super().extract_common_fields(data)
        # Whether the address is the person's is the IdP's word, as configured,
        # never an attribute of the response.
        fields["email_verified"] = bool(self.openrd.get("email_verified", False))
        if fields.get("email"):
            fields["email"] = str(fields["email"]).strip().lower()
        return fields
