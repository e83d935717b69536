"""The client's address, as far as it can be trusted.

``REMOTE_ADDR`` is the peer that opened the connection. Behind a reverse proxy
that is the proxy, and the client is named in ``X-Forwarded-For`` — a header
anyone can send. Only the part of that header appended by proxies we trust is
believed: walking it from the right, the first address that is not one of
``OPENRD_TRUSTED_PROXIES`` is the client. The audit log and the login
throttle both ask this one function, so they always agree on who the client is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network
type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks; a bad entry is a configuration error, named."""
    networks = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"OPENRD_TRUSTED_PROXIES: {value!r} is not an IP address or network"
            ) from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_proxies() -> tuple[Network, ...]:
    return _trusted(tuple(getattr(settings, "OPENRD_TRUSTED_PROXIES", ())))


def parse_address(value: str | None) -> Address | None:
    """One address, or None when it is not one (ports and brackets are not accepted)."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket is still that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def resolve(
    remote_addr: str | None, forwarded_for: str, proxies: tuple[Network, ...]
) -> str | None:
    """The client address from the peer address and the X-Forwarded-For header."""
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not _is_trusted(peer, proxies):
        return str(peer)
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = parse_address(hop)
        if address is None:
            # Garbage in the chain: stop at the last address a trusted proxy vouched for.
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address of ``request`` (also ``AXES_CLIENT_IP_CALLABLE``)."""
    if request is None:
        return None
    meta = request.META
    return resolve(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxies())
