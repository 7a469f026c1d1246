"""Naming why a request failed, in a few stable words used as counter names and log reasons."""

from __future__ import annotations

from typing import Any

from scrapy import exceptions as scrapy_errors
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

try:  # Scrapy's own timeout/size errors
    from scrapy.core.downloader.handlers.http11 import TunnelError
except ImportError:  # pragma: no cover
    TunnelError = OSError  # type: ignore[misc, assignment]


def failure_reason(failure: Any) -> str:
    """A short reason for a Twisted failure: ``http_404``, ``dns``, ``timeout``, ``robots``..."""
    exc = failure.value
    # Scrapy >= 2.14 wraps Twisted's ResponseFailed (TLS handshake errors among them).
    if type(exc).__name__ == "DownloadFailedError" and isinstance(exc.__cause__, ResponseFailed):
        exc = exc.__cause__
    # newscrawl's own refusals (guard, robots.txt 5xx, Retry-After back-off) name their reason.
    reason = getattr(exc, "reason", None)
    if isinstance(exc, IgnoreRequest) and isinstance(reason, str) and reason:
        return reason
    if isinstance(exc, IgnoreRequest) and "max redirections" in str(exc).lower():
        return "too_many_redirects"
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots" in text:
            return "robots"
        if "maxsize" in text or "too large" in text or "cancelled" in text:
            return "too_large"
        return "ignored"
    # Scrapy >= 2.14 wraps Twisted's errors in its own download exceptions.
    for name, reason in (
        ("DownloadConnectionRefusedError", "connection_refused"),
        ("CannotResolveHostError", "dns"),
        ("DownloadTimeoutError", "timeout"),
        ("DownloadCancelledError", "too_large"),
        ("ResponseDataLossError", "data_loss"),
        ("UnsupportedURLSchemeError", "unsupported_scheme"),
    ):
        cls = getattr(scrapy_errors, name, None)
        if cls is not None and isinstance(exc, cls):
            return reason
    if isinstance(exc, net_error.DNSLookupError):
        return "dns"
    if isinstance(exc, (net_error.TimeoutError, net_error.TCPTimedOutError)):
        return "timeout"
    if isinstance(exc, net_error.ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, (net_error.ConnectionLost, net_error.ConnectionDone)):
        return "connection_lost"
    if isinstance(exc, ResponseNeverReceived):
        inner = " ".join(str(r.value) for r in getattr(exc, "reasons", []))
        return "tls" if "ssl" in inner.lower() or "certificate" in inner.lower() else "no_response"
    if isinstance(exc, ResponseFailed):
        return "response_failed"
    if isinstance(exc, TunnelError):
        return "proxy"
    name = type(exc).__name__.lower()
    if "ssl" in name or "tls" in name or "certificate" in name:
        return "tls"
    if "timeout" in name:
        return "timeout"
    return name or "error"
