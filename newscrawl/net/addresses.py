"""Which addresses a crawl may connect to: the private-address policy and its decisions.

A URL is refused when its scheme is not http(s) or when its host is, or resolves to, an address
that is not globally routable (private, loopback, link-local such as 169.254.169.254, shared,
unique-local IPv6, multicast, unspecified, reserved), in any spelling (``2130706433``,
``0x7f.1``, ``0177.0.0.1``, ``[::ffff:10.0.0.1]``). Hosts of the crawl's start URLs and crawls
with ``NEWSCRAWL_ALLOW_PRIVATE`` are exempt.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolve a host name to its addresses (as text); raise OSError when it cannot be resolved.
Resolver = Callable[[str], list[str]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def parse_ip(host: str) -> IPAddress | None:
    """The IP address a URL host denotes, in any legacy IPv4 spelling, or None for a name."""
    host = host.strip().strip("[]").lower()
    if not host:
        return None
    host = host.split("%", 1)[0]  # IPv6 zone index
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            # inet_aton accepts what browsers and libc accept: 2130706433, 0x7f.1, 0177.0.0.1.
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, NAT64, 6to4, compatible), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip))
    return None


def is_public(ip: IPAddress) -> bool:
    """True for a globally routable unicast address, False for anything a crawl must not reach."""
    inner = embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_unspecified


def system_resolver(host: str) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def host_key(host: str | None) -> str:
    """A host as compared by the policy: lower case, no brackets, no trailing dot."""
    return (host or "").strip().strip("[]").rstrip(".").lower()


@dataclass
class Verdict:
    """Why a URL is refused: a short ``reason`` (a counter name) and a sentence for the log."""

    reason: str
    message: str


@dataclass
class AddressPolicy:
    """Decides whether a URL may be fetched; see the module docstring."""

    allow_private: bool = False
    allowed_hosts: set[str] = field(default_factory=set)
    resolver: Resolver = system_resolver

    def allow_hosts_of(self, urls: Iterable[str]) -> None:
        """Exempt the hosts of these URLs (the crawl's start URLs)."""
        for url in urls:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if host:
                self.allowed_hosts.add(host_key(host))

    def check_scheme(self, url: str) -> Verdict | None:
        """Refuse URLs that are not http(s): file://, ftp://, data:, gopher://..."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            return Verdict(
                "blocked_scheme", f"blocked scheme: {scheme or 'none'}:// URLs are never fetched"
            )
        return None

    def needs_resolution(self, url: str) -> str | None:
        """The host name to resolve before deciding, or None when no lookup is needed."""
        host = host_key(urlsplit(url).hostname)
        if self.allow_private or not host or host in self.allowed_hosts:
            return None
        return None if parse_ip(host) is not None else host

    def check_addresses(self, host: str, addresses: Iterable[str]) -> Verdict | None:
        """Refuse when any address of `host` is not public (a name that resolves privately)."""
        for text in addresses:
            ip = parse_ip(text)
            if ip is None or not is_public(ip):
                return Verdict(
                    "private_address",
                    f"blocked private address: {host} resolves to {text}",
                )
        return None

    def check(self, url: str, addresses: Iterable[str] | None = None) -> Verdict | None:
        """Decide for `url`; `addresses` are its host's resolved addresses when it is a name."""
        verdict = self.check_scheme(url)
        if verdict is not None:
            return verdict
        try:
            host = host_key(urlsplit(url).hostname)
        except ValueError:
            return Verdict("blocked_scheme", "blocked URL: it cannot be parsed")
        if self.allow_private or host in self.allowed_hosts:
            return None
        ip = parse_ip(host)
        if ip is not None:
            if not is_public(ip):
                return Verdict("private_address", f"blocked private address: {host} ({ip})")
            return None
        if addresses is None:
            try:
                addresses = self.resolver(host)
            except OSError:
                return None  # unresolvable: the download fails with its own DNS error
        return self.check_addresses(host, addresses)

    def decide(self, url: str) -> Verdict | None:
        """Decide for `url`, resolving its host with the policy's resolver (blocking)."""
        return self.check(url)


#: The policy of this crawl process, shared by the guard middleware and the DNS resolver.
CURRENT = AddressPolicy()
