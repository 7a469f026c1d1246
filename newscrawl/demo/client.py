"""A tiny HTTP client for poking at the demo site (tests, humans): no redirects followed."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message


@dataclass
class Fetched:
    """An HTTP answer: status, headers and the raw (undecoded, still gzipped) body."""

    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        """The Content-Type header ('' when absent)."""
        return str(self.headers.get("Content-Type", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 5
) -> Fetched:
    """Request a URL without following redirects; 3xx/4xx/5xx answers are returned, not raised."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as err:
        return Fetched(err.code, err.headers, err.read())
