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

Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) are honoured
(`policy_mounts`). The proxy is trusted like a URL the user wrote. A request sent through
it is checked before sending, by resolving its host here: an untrusted host that resolves
only to internal addresses, or does not resolve here at all, is refused. The proxy
connects by itself, so that check cannot pin the address it will use: a proxied request
is as safe as the proxy's own view of DNS (the one gap a direct connection does not have).
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


    def check_target(self, host: str, port: int) -> None:
        """For a request sent through a proxy (which connects for us): raise `BlockedAddress`
        when `host`:`port` is not trusted and resolves here to internal addresses only, or
        does not resolve here at all (then it cannot be checked)."""
        try:
            self.connect_address(host, port)
        except httpcore.ConnectError as exc:
            raise BlockedAddress(
                f"refused: {exc}; a link or redirect from fetched content is sent to the proxy only once its"
                " name resolves here to a public address (allow_private_addresses = true or --allow-private-addresses"
                " sends it unchecked)"
            ) from None


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
    through `policy`: the direct one; `policy_mounts` gives those for proxies."""
    transport = httpx.HTTPTransport(**kwargs)
    # httpx does not expose httpcore's network_backend; the pool reads this attribute
    # for every new connection (httpcore 1.0). tests/tasks/test_netpolicy.py fails if it stops working.
    transport._pool._network_backend = PolicyBackend(policy)
    return transport


class ProxiedTransport(httpx.BaseTransport):
    """Sends requests through the proxy at `proxy_url`, each one (first request and every
    redirect hop) checked by `policy.check_target` first. The proxy itself is trusted like
    a URL the user wrote: the user configured it."""

    def __init__(self, policy: NetPolicy, proxy_url: str, **kwargs) -> None:
        self.policy = policy
        self.proxy_url = proxy_url
        try:
            self.inner: httpx.BaseTransport | None = httpx.HTTPTransport(proxy=proxy_url, **kwargs)
            self.unusable = None
        except (ImportError, ValueError) as exc:  # e.g. socks5:// without the socksio package
            self.inner, self.unusable = None, f"{type(exc).__name__}: {exc}"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.inner is None:
            raise httpx.UnsupportedProtocol(f"the proxy {self.proxy_url} cannot be used: {self.unusable}", request=request)
        self.policy.check_target(request.url.host, request.url.port or DEFAULT_PORTS.get(request.url.scheme, 80))
        return self.inner.handle_request(request)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()


def policy_mounts(policy: NetPolicy, **kwargs) -> dict[str, httpx.BaseTransport]:
    """httpx mounts honouring the proxy environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
    NO_PROXY, read as httpx reads them) under `policy`: a proxied request's target host is
    checked by name resolution before it is sent (`ProxiedTransport`); a host NO_PROXY
    names is connected to directly, checked at connect time as without a proxy.

    The check of a proxied request cannot pin the address the proxy will connect to: a
    name that resolves to a public address here and an internal one at the proxy (DNS
    rebinding, split-horizon DNS) gets through. Without a proxy there is no such gap."""
    from httpx._utils import get_environment_proxies  # what httpx's own trust_env reads

    return {
        pattern: policy_transport(policy, **kwargs) if proxy_url is None else ProxiedTransport(policy, proxy_url, **kwargs)
        for pattern, proxy_url in get_environment_proxies().items()
    }
