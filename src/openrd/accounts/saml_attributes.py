"""What a GakuNin or institutional IdP asserts about a person, read into plain values.

Pure (no Django import; settings read it): attribute dictionaries in (as
python3-saml returns them: name → list of values), a :class:`SAMLPerson` out.
IdPs send attributes under their OID names (``urn:oid:…``, the SAML 2.0 "uri"
name format GakuNin requires) and some under
friendly names; both are accepted, the OID first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# eduPerson (REFEDS) and inetOrgPerson attributes.
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
GIVEN_NAME = "urn:oid:2.5.4.42"
SURNAME = "urn:oid:2.5.4.4"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"
SCOPED_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"
# GakuNin's Japanese-name attributes (NII's arc 1.3.6.1.4.1.32264).
JA_SURNAME = "urn:oid:1.3.6.1.4.1.32264.1.1.1"
JA_GIVEN_NAME = "urn:oid:1.3.6.1.4.1.32264.1.1.2"
JA_DISPLAY_NAME = "urn:oid:1.3.6.1.4.1.32264.1.1.3"

# Each field: the OID, then the friendly names IdPs are seen to use.
NAMES: dict[str, tuple[str, ...]] = {
    "eppn": (EPPN, "eduPersonPrincipalName", "eppn"),
    "email": (MAIL, "mail", "email"),
    "given_name": (GIVEN_NAME, "givenName"),
    "surname": (SURNAME, "sn", "surname"),
    "display_name": (DISPLAY_NAME, "displayName"),
    "ja_given_name": (JA_GIVEN_NAME, "jaGivenName"),
    "ja_surname": (JA_SURNAME, "jasn", "jaSn"),
    "ja_display_name": (JA_DISPLAY_NAME, "jaDisplayName"),
    "affiliation": (AFFILIATION, "eduPersonAffiliation"),
    "scoped_affiliation": (SCOPED_AFFILIATION, "eduPersonScopedAffiliation"),
}

# allauth's own mapping (SocialApp.settings["attribute_mapping"]): it takes the
# first value of the first name found. The uid is the ePPN: stable, scoped to
# the institution (user@univ.ac.jp) and, unlike a transient NameID, the same at
# every sign-in.
ALLAUTH_ATTRIBUTE_MAPPING: dict[str, list[str]] = {
    "uid": list(NAMES["eppn"]),
    "email": list(NAMES["email"]),
    "first_name": list(NAMES["given_name"]),
    "last_name": list(NAMES["surname"]),
}

# The strongest tie wins when an IdP sends several eduPersonAffiliation values
# (what each means for a position: openrd.accounts.saml_accounts).
_PRECEDENCE = ("faculty", "staff", "employee", "member", "student", "affiliate")

_LONGEST = 200


@dataclass(frozen=True)
class SAMLPerson:
    eppn: str = ""
    email: str = ""
    given_name: str = ""
    surname: str = ""
    display_name: str = ""
    ja_given_name: str = ""
    ja_surname: str = ""
    ja_display_name: str = ""
    affiliations: frozenset[str] = field(default_factory=frozenset)

    @property
    def name_en(self) -> str:
        return self.display_name or " ".join(p for p in (self.given_name, self.surname) if p)

    @property
    def name_ja(self) -> str:
        # Japanese order: family name first, no space (山田太郎).
        return self.ja_display_name or "".join(
            p for p in (self.ja_surname, self.ja_given_name) if p
        )

    @property
    def strongest_affiliation(self) -> str:
        """faculty before staff before … before affiliate; "" for none of them."""
        return next((v for v in _PRECEDENCE if v in self.affiliations), "")


def _values(attributes: Mapping[str, Sequence[str]], key: str) -> list[str]:
    for name in NAMES[key]:
        values = attributes.get(name)
        if values:
            return [str(v).strip() for v in values if str(v).strip()]
    return []


def _first(attributes: Mapping[str, Sequence[str]], key: str) -> str:
    values = _values(attributes, key)
    return values[0][:_LONGEST] if values else ""


def person_from_attributes(
    attributes: Mapping[str, Sequence[str]], *, scopes: Sequence[str] = ()
) -> SAMLPerson:
    """The person the assertion describes.

    ``scopes`` are the security domains the IdP speaks for (``univ.ac.jp``). A
    scoped affiliation (``faculty@univ.ac.jp``) counts only inside them, so an
    IdP cannot place people at another institution; unscoped
    eduPersonAffiliation values always count (they say nothing about where).
    """
    affiliations = {v.lower() for v in _values(attributes, "affiliation")}
    for value in _values(attributes, "scoped_affiliation"):
        kind, _, scope = value.lower().partition("@")
        if scope and scope in {s.lower() for s in scopes}:
            affiliations.add(kind)
    return SAMLPerson(
        eppn=_first(attributes, "eppn"),
        email=_first(attributes, "email").lower(),
        given_name=_first(attributes, "given_name"),
        surname=_first(attributes, "surname"),
        display_name=_first(attributes, "display_name"),
        ja_given_name=_first(attributes, "ja_given_name"),
        ja_surname=_first(attributes, "ja_surname"),
        ja_display_name=_first(attributes, "ja_display_name"),
        affiliations=frozenset(affiliations),
    )
