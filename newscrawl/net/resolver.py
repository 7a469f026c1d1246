"""A DNS resolver that drops private addresses at connect time (no DNS-rebinding window).

The guard middleware decides before a request is sent; this resolver (``TWISTED_DNS_RESOLVER``)
applies the same policy to the addresses the connection is actually made to, so a name that
resolved publicly for the guard and privately a moment later still cannot reach a private
address. A name left with no address fails like an unresolvable one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from zope.interface import provider

from newscrawl.net import addresses

logger = logging.getLogger(__name__)


@provider(IResolutionReceiver)
class _FilteringReceiver:
    """Pass on only the addresses the crawl's policy allows for `host`."""

    def __init__(self, receiver: Any, host: str, policy: addresses.AddressPolicy) -> None:
        self.receiver = receiver
        self.host = host
        self.policy = policy

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 - Twisted API
        """Forward the start of the resolution."""
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802 - Twisted API
        """Forward `address` unless the policy refuses it."""
        host = getattr(address, "host", None)
        if host is not None and self.policy.check_addresses(self.host, [host]) is not None:
            logger.warning("Dropped private address %s of %s", host, self.host)
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:  # noqa: N802 - Twisted API
        """Forward the end of the resolution."""
        self.receiver.resolutionComplete()


class GuardedResolver(CachingHostnameResolver):
    """Scrapy's caching IPv4/IPv6 resolver, filtered by `newscrawl.net.addresses.CURRENT`."""

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        addresses.CURRENT.allow_private = settings.getbool("NEWSCRAWL_ALLOW_PRIVATE", False)
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, size)

    def resolveHostName(  # noqa: N802 - Twisted API
        self,
        resolutionReceiver: IResolutionReceiver,  # noqa: N803 - Twisted API
        hostName: str,  # noqa: N803 - Twisted API
        portNumber: int = 0,  # noqa: N803 - Twisted API
        addressTypes: Sequence[type[IAddress]] | None = None,  # noqa: N803 - Twisted API
        transportSemantics: str = "TCP",  # noqa: N803 - Twisted API
    ) -> IHostResolution:
        """Resolve `hostName`, dropping addresses the crawl may not connect to."""
        policy = addresses.CURRENT
        host = addresses.host_key(hostName)
        receiver: Any = resolutionReceiver
        if not policy.allow_private and host not in policy.allowed_hosts:
            receiver = _FilteringReceiver(resolutionReceiver, host, policy)
        return super().resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )
