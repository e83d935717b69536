"""Which address is the client's: the peer, or what trusted proxies forwarded."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from openrd.core.client_ip import client_ip, parse_networks, resolve

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8:ffff::1"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # No trusted proxy in front: the header is ignored, whatever it says.
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # Behind a trusted proxy: the right-most untrusted hop is the client.
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        ("2001:db8:ffff::1", "2001:DB8::7", "2001:db8::7"),
        # A forged left part does not help the client hide.
        ("10.0.0.2", "127.0.0.1, 203.0.113.9", "203.0.113.9"),
        # Garbage: stop at the last hop a trusted proxy vouched for.
        ("10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1:443", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        # Only proxies: the left-most of them is as close as we get.
        ("10.0.0.2", "10.0.0.9", "10.0.0.9"),
        # IPv4 through a dual-stack socket is that IPv4 address.
        ("::ffff:203.0.113.5", "", "203.0.113.5"),
        ("", "198.51.100.1", None),
        ("garbage", "", None),
    ],
)
def test_resolve(remote, forwarded, expected):
    assert resolve(remote, forwarded, PROXIES) == expected


def test_client_ip_reads_the_setting(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.OPENRD_TRUSTED_PROXIES = []
    assert client_ip(request) == "10.1.2.3"
    settings.OPENRD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "198.51.100.1"
    assert client_ip(None) is None


def test_a_bad_proxy_entry_is_a_named_configuration_error():
    with pytest.raises(ImproperlyConfigured, match=r"'10\.0\.0\.300'"):
        parse_networks(["10.0.0.0/8", " 10.0.0.300 "])


def test_the_audit_log_and_the_login_throttle_use_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.OPENRD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert get_client_ip_address(request) == client_ip(request) == "192.0.2.44"
