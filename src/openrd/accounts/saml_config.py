"""SAML identity providers from a file, and the secure defaults every SAML app gets.

Pure (no Django models, no settings access): ``settings.py`` calls
:func:`load_saml_apps` at start-up, and :func:`secure_app_settings` is applied by
the provider (``openrd.accounts.saml``) to every app, whether it came from the
file or was entered in the admin (allauth's SocialApp with provider "saml").

The file (``OPENRD_SAML_IDPS``, TOML or JSON) lists one table per IdP::

    [[idp]]
    slug = "example-u"                  # in the URLs: /ja/accounts/saml/example-u/…
    name_ja = "例大学"
    name_en = "Example University"
    entity_id = "https://idp.example.ac.jp/idp/shibboleth"
    sso_url = "https://idp.example.ac.jp/idp/profile/SAML2/Redirect/SSO"
    x509cert = "MIIC…"                  # or x509cert_file = "/etc/openrd/idp.pem"
    organisation = "example-u"          # the OpenRD organisation code it speaks for
    scopes = ["example.ac.jp"]          # security domains of its scoped attributes
    email_verified = true               # the IdP vouches for the addresses it sends
    gakunin = true                      # a GakuNin member IdP (shown as 学認)
    allow_idp_initiated = false         # unsolicited responses refused unless true
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openrd.accounts.saml_attributes import ALLAUTH_ATTRIBUTE_MAPPING

SHA256_DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
# A transient NameID: GakuNin IdPs release the ePPN as an attribute, and the uid
# is taken from it, so no persistent identifier needs to be asked for.
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

# python3-saml's security options as allauth names them ("advanced"). Each one
# is the safe choice; an app may say otherwise only where noted in
# secure_app_settings.
SECURE_ADVANCED: dict[str, Any] = {
    "strict": True,
    "want_assertion_signed": True,
    "want_message_signed": False,  # Shibboleth IdPs sign the assertion, not the envelope
    "want_attribute_statement": True,
    "want_name_id": False,
    "name_id_format": NAMEID_TRANSIENT,
    "reject_idp_initiated_sso": True,
    "reject_deprecated_algorithm": True,
    "digest_algorithm": SHA256_DIGEST,
    "signature_algorithm": RSA_SHA256,
    "allow_repeat_attribute_name": True,
}

_REQUIRED = ("slug", "entity_id", "sso_url")


class SAMLConfigError(ValueError):
    """The IdP file cannot be used; the message says which entry and why."""


def secure_app_settings(app_settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of a SocialApp's settings with the secure defaults filled in.

    Missing options get the safe value. Two cannot be turned off at all: strict
    validation (audience, destination, timestamps, InResponseTo), and a
    signature over the assertion (on it, or on the whole response). Without
    either, anyone could post a response naming anyone.
    """
    merged = copy.deepcopy(dict(app_settings or {}))
    advanced = {**SECURE_ADVANCED, **merged.get("advanced", {})}
    advanced["strict"] = True
    if not (advanced.get("want_assertion_signed") or advanced.get("want_message_signed")):
        advanced["want_assertion_signed"] = True
    merged["advanced"] = advanced
    merged.setdefault("attribute_mapping", copy.deepcopy(ALLAUTH_ATTRIBUTE_MAPPING))
    merged.setdefault("openrd", {})
    return merged


def _cert(entry: Mapping[str, Any], base: Path) -> str:
    if entry.get("x509cert"):
        return str(entry["x509cert"])
    if entry.get("x509cert_file"):
        path = Path(str(entry["x509cert_file"]))
        return (path if path.is_absolute() else base / path).read_text(encoding="ascii")
    raise SAMLConfigError(f"IdP {entry.get('slug')!r}: x509cert or x509cert_file is required")


def app_from_entry(entry: Mapping[str, Any], *, base: Path = Path()) -> dict[str, Any]:
    """One IdP of the file as an allauth app (SOCIALACCOUNT_PROVIDERS["saml"]["APPS"])."""
    missing = [k for k in _REQUIRED if not entry.get(k)]
    if missing:
        raise SAMLConfigError(f"IdP {entry.get('slug')!r}: missing {', '.join(missing)}")
    slug = str(entry["slug"])
    name_ja = str(entry.get("name_ja") or entry.get("name_en") or slug)
    name_en = str(entry.get("name_en") or name_ja)
    idp = {"entity_id": str(entry["entity_id"]), "sso_url": str(entry["sso_url"]),
           "x509cert": _cert(entry, base)}  # fmt: skip
    if entry.get("slo_url"):
        idp["slo_url"] = str(entry["slo_url"])
    advanced = {"reject_idp_initiated_sso": not bool(entry.get("allow_idp_initiated", False))}
    return {
        "name": name_en,
        # allauth's advice: the IdP's entity id names its accounts (SocialAccount.provider).
        "provider_id": str(entry["entity_id"]),
        "client_id": slug,
        "settings": secure_app_settings(
            {
                "idp": idp,
                "advanced": advanced,
                "openrd": {
                    "name_ja": name_ja,
                    "name_en": name_en,
                    "organisation": str(entry.get("organisation") or ""),
                    "scopes": [str(s) for s in entry.get("scopes", [])],
                    "email_verified": bool(entry.get("email_verified", False)),
                    "gakunin": bool(entry.get("gakunin", False)),
                },
            }
        ),
    }


def load_saml_apps(path: str | Path | None) -> list[dict[str, Any]]:
    """The IdPs listed in ``path`` (TOML or JSON); none without a path."""
    if not path:
        return []
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SAMLConfigError(f"OPENRD_SAML_IDPS: cannot read {path}: {exc}") from exc
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except ValueError as exc:
        raise SAMLConfigError(f"OPENRD_SAML_IDPS: {path} is not valid: {exc}") from exc
    entries = data.get("idp", data.get("idps", [])) if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise SAMLConfigError(f"OPENRD_SAML_IDPS: {path} lists no [[idp]] entries")
    apps = [app_from_entry(e, base=path.parent) for e in entries]
    slugs = [a["client_id"] for a in apps]
    if len(set(slugs)) != len(slugs):
        raise SAMLConfigError(f"OPENRD_SAML_IDPS: a slug is listed twice in {path}")
    return apps
