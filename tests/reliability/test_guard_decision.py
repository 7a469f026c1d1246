"""The private-address guard's decision, through a resolver stub: nothing here connects."""

from __future__ import annotations

from typing import Any

import pytest
from stub_resolver import resolve

from newscrawl.net.addresses import AddressPolicy, is_public, parse_ip


def policy(**kwargs: Any) -> AddressPolicy:
    made = AddressPolicy(resolver=resolve, **kwargs)
    made.allow_hosts_of(["http://127.0.0.1:8080/", "http://intranet-start.test/"])
    return made


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2852039166", "169.254.169.254"),
        ("167772161", "10.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:10.0.0.1", "::ffff:a00:1"),
        ("example.com", None),
        ("1.2.3.4.nip.io", None),
        ("deadbeef", None),
    ],
)
def test_every_ip_spelling_is_recognised(host: str, address: str | None) -> None:
    parsed = parse_ip(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://127.0.0.2:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "http://0xa9fea9fe/",
        "http://[::1]/",
        "http://[fe80::1%25eth0]/",
        "http://[fd00::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a00:1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://metadata.test/",
        "http://intranet.test/",
        "http://v6.test/",
        "http://mapped.test/",
        "http://mixed.test/",
        "http://shared.test/",
        "http://ula.test/",
        "http://zero.test/",
    ],
)
def test_private_link_local_loopback_and_ipv6_are_refused(url: str) -> None:
    verdict = policy().decide(url)
    assert verdict is not None and verdict.reason == "private_address", url


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "data:text/html,hi", "gopher://x/"]
)
def test_other_schemes_are_refused(url: str) -> None:
    verdict = policy().decide(url)
    assert verdict is not None and verdict.reason == "blocked_scheme"


@pytest.mark.parametrize(
    "url",
    [
        "http://public.test/news",
        "http://93.184.216.34/",
        "http://127.0.0.1:9999/",  # the host of a start URL, any port
        "http://intranet-start.test/x",  # a start host is trusted whatever it resolves to
        "http://nonexistent.invalid/",  # unresolvable: left to fail as a DNS error
    ],
)
def test_public_start_hosts_and_unresolvable_names_pass(url: str) -> None:
    assert policy().decide(url) is None


def test_allow_private_lets_everything_http_through() -> None:
    allowing = policy(allow_private=True)
    assert allowing.decide("http://10.1.2.3/") is None
    assert allowing.decide("http://metadata.test/") is None
    assert allowing.decide("file:///etc/passwd") is not None


def test_public_addresses_are_public() -> None:
    assert is_public(parse_ip("93.184.216.34"))  # type: ignore[arg-type]
    assert is_public(parse_ip("2606:2800:220:1::1"))  # type: ignore[arg-type]


class _Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802
        pass

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.complete = True


def test_connect_time_resolver_drops_private_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: what the connection gets is filtered too, not only what the guard saw."""
    from twisted.internet.address import IPv4Address, IPv6Address

    from newscrawl.net import addresses, resolver

    answers = {
        "rebind.test": ["93.184.216.34", "10.0.0.9", "169.254.169.254"],
        "127.0.0.1": ["127.0.0.1"],
    }

    class Fake:
        def resolveHostName(self, receiver: Any, name: str, *args: Any) -> Any:  # noqa: N802
            receiver.resolutionBegan(None)
            for host in answers[name]:
                cls = IPv6Address if ":" in host else IPv4Address
                receiver.addressResolved(cls("TCP", host, 80))
            receiver.resolutionComplete()
            return None

    class Reactor:
        nameResolver = Fake()

    monkeypatch.setattr(addresses, "CURRENT", AddressPolicy(allowed_hosts={"127.0.0.1"}))
    monkeypatch.setattr(resolver, "dnscache", {}, raising=False)
    guarded = resolver.GuardedResolver(Reactor(), 0)  # type: ignore[arg-type]
    got = _Receiver()
    guarded.resolveHostName(got, "rebind.test", 80)  # type: ignore[arg-type]
    assert got.addresses == ["93.184.216.34"] and got.complete
    start = _Receiver()
    guarded.resolveHostName(start, "127.0.0.1", 80)  # type: ignore[arg-type]
    assert start.addresses == ["127.0.0.1"]
