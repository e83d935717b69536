"""An identity provider in the test process, built with pysaml2 (no network).

It reads OpenRD's SP metadata, parses the AuthnRequest OpenRD redirects to,
and answers with a Response whose Assertion is signed, as a Shibboleth IdP of
a GakuNin member would. Its RSA key and self-signed certificate are made per
test. pysaml2 builds the messages; the signature is made with python-xmlsec
(python3-saml's own dependency, a wheel from PyPI), so the tests need no
xmlsec1 program on the machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

ENTITY_ID = "https://idp.example.ac.jp/idp/shibboleth"
SSO_URL = "https://idp.example.ac.jp/idp/profile/SAML2/Redirect/SSO"
# pysaml2 wants the path of an xmlsec1 program even when it is asked to sign
# and verify nothing, as here: any existing file satisfies its check.
NO_XMLSEC1 = sys.executable
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path

    @property
    def cert_base64(self) -> str:
        """The certificate as IdP metadata carries it (base64 DER, no PEM lines)."""
        pem = self.cert_file.read_text(encoding="ascii")
        return "".join(line for line in pem.splitlines() if "-----" not in line)


def make_key_pair(directory: Path, name: str = "idp") -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name}.example.ac.jp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KeyPair(key_file, cert_file)


@dataclass(frozen=True)
class AuthnRequest:
    id: str
    acs_url: str
    sp_entity_id: str
    name_id_format: str | None
    relay_state: str | None


class TestIdP:
    __test__ = False  # a helper, not a test class

    """A pysaml2 ``Server`` configured as the IdP ``ENTITY_ID``."""

    def __init__(
        self, keys: KeyPair, sp_metadata: str, *, entity_id: str = ENTITY_ID, lifetime: int = 5
    ) -> None:
        self.keys = keys
        config = IdPConfig().load(
            {
                "entityid": entity_id,
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": lifetime},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
                "key_file": str(keys.key_file),
                "cert_file": str(keys.cert_file),
                "metadata": {"inline": [sp_metadata]},
                "xmlsec_binary": NO_XMLSEC1,
            }
        )
        self.server = Server(config=config)

    def parse(self, redirect_url: str) -> AuthnRequest:
        """Read the AuthnRequest from the HTTP-Redirect binding OpenRD sent the browser to."""
        query = parse_qs(urlparse(redirect_url).query)
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = parsed.message
        policy = message.name_id_policy
        return AuthnRequest(
            id=message.id,
            acs_url=message.assertion_consumer_service_url,
            sp_entity_id=message.issuer.text,
            name_id_format=policy.format if policy is not None else None,
            relay_state=query.get("RelayState", [None])[0],
        )

    def respond(
        self,
        request: AuthnRequest | None,
        identity: dict[str, list[str]],
        *,
        acs_url: str | None = None,
        audience: str | None = None,
        sign_assertion: bool = True,
    ) -> str:
        """A base64 Response (what the browser posts to the ACS) for ``identity``."""
        in_response_to = request.id if request is not None else None
        sp_entity_id = request.sp_entity_id if request is not None else (audience or "")
        xml: Any = self.server.create_authn_response(
            identity,
            in_response_to=in_response_to,
            destination=acs_url or (request.acs_url if request else ""),
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text="_transient-" + str(id(identity))),
            authn={"class_ref": PASSWORD_PROTECTED},
            sign_response=False,
            sign_assertion=False,
        )
        root = etree.fromstring(str(xml).encode("utf-8"))
        if audience and audience != sp_entity_id:
            # Made out to another service provider (pysaml2 only writes for SPs
            # whose metadata it has): the signature then covers that audience.
            for element in root.iter(f"{{{SAML_ASSERTION_NS}}}Audience"):
                element.text = audience
        if sign_assertion:
            self._sign_assertion(root)
        document = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return base64.b64encode(document).decode("ascii")

    def _sign_assertion(self, root: Any) -> None:
        """Sign the Response's Assertion in place (enveloped, exclusive c14n, RSA-SHA256)."""
        (assertion,) = root.findall(f"{{{SAML_ASSERTION_NS}}}Assertion")
        # Signed on its own, then put back where it was: exclusive canonicalisation
        # makes the signature independent of the enclosing Response.
        signed = OneLogin_Saml2_Utils.add_sign(
            etree.tostring(assertion),
            self.keys.key_file.read_text(),
            self.keys.cert_file.read_text(),
            sign_algorithm=RSA_SHA256,
            digest_algorithm=SHA256,
        )
        root.replace(assertion, etree.fromstring(signed))
