"""Which network addresses fetching may reach: user-written URLs anywhere, fetched links only the public internet.

A URL the user wrote (command line, sources file) is trusted wherever it points: an
intranet feed is a legitimate source. A URL that comes from fetched content (a feed
entry's link, a redirect) is not: it may not reach loopback, private, link-local,
multicast or otherwise reserved addresses, or a feed could make the pipeline read an
admin page or a cloud metadata endpoint and store it as an article (SSRF). Fetched URLs
on the same host and port as a URL the user configured stay allowed (an intranet feed
linking to its own pages).

The check runs at connect time on the address actually connected to, for every
connection, so every redirect hop is checked and a name that resolves to a public
address when looked up and a private one later (DNS rebinding) cannot slip through: we
resolve once, check, and connect to that very address. `allow_private` widens it
deliberately (sources file `allow_private_addresses = true`, or
`newsetl run --allow-private-addresses`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

DEFAULT_PORTS = {"http": 80, "https": 443}


class BlockedAddress(Exception):
    """A connection refused by the network policy; the message is the quarantine error."""


def host_port(url: str) -> tuple[str, int] | None:
    """Return (lower-case host, port with the scheme's default) of an http(s) URL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number
        return None
    return parts.hostname.lower(), port


def address_kind(ip: str) -> str | None:
    """Return why an address is internal ("loopback", "private", "link-local", "multicast",
    "reserved", "unspecified"), or None for a public address."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:  # shared address space (100.64/10) and other non-routable ranges
        return "private"
    return None


@dataclass(frozen=True)
class NetPolicy:
    """Hosts and ports the user configured (reachable whatever their address), and whether
    fetched URLs may reach internal addresses too."""

    trusted: frozenset[tuple[str, int]] = frozenset()
    allow_private: bool = False

    @classmethod
    def for_urls(cls, urls: Iterable[str], allow_private: bool = False) -> "NetPolicy":
        """The policy trusting the hosts and ports of `urls` (the URLs the user wrote)."""
        return cls(frozenset(hp for url in urls if (hp := host_port(url))), allow_private)

    def connect_address(self, host: str, port: int) -> str:
        """Return the address to connect to for `host`:`port`; raise `BlockedAddress` when
        the only addresses it resolves to are internal and it is not trusted."""
        if self.allow_private or (host.lower(), port) in self.trusted:
            return host
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        refused = None
        for *_, sockaddr in infos:
            ip = str(sockaddr[0])
            kind = address_kind(ip)
            if kind is None:
                return ip
            refused = refused or (ip, kind)
        ip, kind = refused
        raise BlockedAddress(
            f"refused: {host}:{port} is a {kind} address ({ip}); a link or redirect from fetched content may not"
            " reach internal addresses (allow_private_addresses = true in the sources file or"
            " --allow-private-addresses allows it)"
        )


class PolicyBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only where `policy` allows (see the module doc)."""

    def __init__(self, policy: NetPolicy) -> None:
        self.policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        # TLS still verifies the certificate for `host`: httpcore passes the origin's
        # name as server_hostname, whatever address the socket was opened to.
        address = self.policy.connect_address(host, port)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def policy_transport(policy: NetPolicy, **kwargs) -> httpx.HTTPTransport:
    """An httpx transport whose every connection (first request and each redirect hop) goes
    through `policy`. Environment proxies are not used with it: the policy checks the
    address it connects to, and a proxy would hide the real one."""
    transport = httpx.HTTPTransport(**kwargs)
    # httpx does not expose httpcore's network_backend; the pool reads this attribute
    # for every new connection (httpcore 1.0). tests/tasks/test_netpolicy.py fails if it stops working.
    transport._pool._network_backend = PolicyBackend(policy)
    return transport
