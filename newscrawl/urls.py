"""URL handling: canonical URLs, AMP mapping, variant keys and registered domains.

Everything here is a pure function of its arguments (no network, no Scrapy engine).

- `canonicalize` gives the URL stored as ``Article.url``: w3lib's canonical form (sorted query,
  normalised percent-encoding, no fragment) minus tracking parameters, lowercase scheme and host,
  no default port. ``http`` and ``https`` stay distinct.
- `variant_key` is much more aggressive and is *not* a URL: it is equal for the scheme, ``www.``,
  mobile, AMP and print variants of one story, and is meant for deduplication only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only track where a click came from; removed by `canonicalize`.
#: Compared case-insensitively. ``s``/``share``/``ref`` are deliberately absent: ``?s=`` is the
#: WordPress search query and the others select content on some sites.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "yclid",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "ocid",
        "__twitter_impression",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
        "s_cid",
        "soc_src",
        "soc_trk",
        "smid",
    }
)
#: Query parameter prefixes that mark tracking parameters (``utm_source``, ``utm_medium``, ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

#: Ports that are the default for a scheme and therefore dropped.
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

#: Host prefixes that `variant_key` removes (``www.example.com`` == ``m.example.com``).
VARIANT_HOST_PREFIXES: tuple[str, ...] = ("www.", "m.", "amp.", "mobile.")
#: Query parameters (lowercase) that select a print view, with the values that do
#: (``None``: any value).
PRINT_PARAMS: dict[str, frozenset[str] | None] = {
    "print": None,
    "printable": None,
    "view": frozenset({"print", "printable"}),
    "output": frozenset({"print"}),
    "outputtype": frozenset({"print"}),
}
#: Last path segments that are a print view of the parent page.
PRINT_SEGMENTS: frozenset[str] = frozenset({"print", "print.html", "printable"})
#: Default documents removed from the end of a path by `variant_key`.
INDEX_DOCUMENTS: frozenset[str] = frozenset(
    {"index.html", "index.htm", "index.shtml", "index.php", "default.aspx"}
)

#: Query parameters (lowercase) that ask for the AMP version, with the values that do
#: (``None``: any value).
AMP_PARAMS: dict[str, frozenset[str] | None] = {
    "amp": None,
    "_amp": None,
    "outputtype": frozenset({"amp"}),
    "output": frozenset({"amp"}),
    "format": frozenset({"amp"}),
}

_ASCII_HOST = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
_BAD_HOST_CHARS = re.compile(r"[\s<>\"'{}|\\^`%/?#@]")
_COMMON_SECOND_LEVELS = frozenset(
    {"co", "com", "net", "org", "gov", "edu", "ac", "ltd", "plc", "nic", "or", "ne", "go", "gob"}
)


def _split_http(url: str) -> SplitResult:
    """Split an http(s) URL, raising ValueError with a clear message if it is not one."""
    if not isinstance(url, str):
        raise ValueError(f"URL must be a str, not {type(url).__name__}")
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        raise ValueError(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = scheme or "none"
        raise ValueError(f"not an http(s) URL (scheme {shown!r}): {url!r}")
    host = parts.hostname or ""
    if not host.strip("."):
        raise ValueError(f"malformed URL {url!r}: no host")
    if _BAD_HOST_CHARS.search(host) or any(ord(ch) < 32 for ch in host):
        raise ValueError(f"malformed URL {url!r}: bad host {host!r}")
    if port == 0:
        raise ValueError(f"malformed URL {url!r}: port 0")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValueError(f"malformed URL {url!r}: control character")
    return parts


def is_http_url(url: str) -> bool:
    """Tell whether `url` is a well-formed absolute http(s) URL, i.e. `canonicalize` accepts it."""
    try:
        canonicalize(url)
    except ValueError:
        return False
    return True


def _is_tracking(name: str, extra: frozenset[str] = frozenset()) -> bool:
    """Tell whether a (still percent-encoded) query parameter name is a tracking parameter."""
    key = unquote(name.replace("+", " ")).strip().lower()
    return key in TRACKING_PARAMS or key in extra or key.startswith(TRACKING_PREFIXES)


def _filter_query(query: str, drop: Callable[[str, str], bool]) -> str:
    """Return `query` without the ``name=value`` pairs for which ``drop(name, value)`` is true."""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if not drop(name, value):
            kept.append(pair)
    return "&".join(kept)


def canonicalize(url: str, *, extra_tracking_params: Iterable[str] = ()) -> str:
    """Return the canonical form of an http(s) URL (the archive's ``Article.url``).

    w3lib's ``canonicalize_url`` (no fragment) plus: tracking parameters removed (`TRACKING_PARAMS`,
    `TRACKING_PREFIXES` and `extra_tracking_params`), lowercase scheme and host, default port
    dropped, empty query dropped, and no ``user:password@`` (credentials are never part of a
    story's identity, nor stored, logged or sent). Raises ValueError for anything but an http(s)
    URL.
    """
    extra = frozenset(p.lower() for p in extra_tracking_params)
    if not extra and type(url) is str:
        # A crawl canonicalizes the same navigation links on every page: remember recent ones.
        return _canonicalize_cached(url)
    return _canonicalize(url, extra)


def _canonicalize(url: str, extra: frozenset[str]) -> str:
    _split_http(url)
    try:
        canon = canonicalize_url(url.strip(), keep_fragments=False)
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"malformed URL {url!r}: {exc}") from None
    parts = _split_http(canon)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    elif not _ASCII_HOST.match(host):  # e.g. a Unicode host IDNA could not encode
        raise ValueError(f"malformed URL {url!r}: bad host {host!r}")
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    query = _filter_query(parts.query, lambda name, _value: _is_tracking(name, extra))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


#: `canonicalize` results kept (URLs in and out, a few hundred bytes each: bounded memory).
CANONICALIZE_CACHE_SIZE = 8192


@lru_cache(maxsize=CANONICALIZE_CACHE_SIZE)
def _canonicalize_cached(url: str) -> str:
    return _canonicalize(url, frozenset())


def _param_matches(params: dict[str, frozenset[str] | None], name: str, value: str) -> bool:
    """Tell whether ``name=value`` matches a parameter table like `AMP_PARAMS`."""
    key = unquote(name).strip().lower()
    if key not in params:
        return False
    allowed = params[key]
    if allowed is None:
        return True
    return unquote(value).strip().lower() in allowed


_AMP_CACHE_HOST = re.compile(r"(^|\.)cdn\.ampproject\.org$")
_GOOGLE_HOST = re.compile(r"^(www\.)?google\.[a-z.]+$")


def _amp_cache_target(parts: SplitResult) -> str | None:
    """Map a Google AMP viewer / AMP cache URL to the publisher URL it wraps."""
    host = (parts.hostname or "").lower()
    path = parts.path
    if _GOOGLE_HOST.match(host) and path.startswith("/amp/"):
        rest = path[len("/amp/") :]
    elif _AMP_CACHE_HOST.search(host) and re.match(r"^/[a-z]/", path):
        rest = path[3:]  # /c/..., /v/..., /i/...
    else:
        return None
    scheme = "http"
    if rest.startswith("s/"):
        scheme, rest = "https", rest[2:]
    if not rest or "." not in rest.split("/", 1)[0]:
        return None
    target = f"{scheme}://{rest}"
    if parts.query:
        target += "?" + parts.query
    return target if is_http_url(target) else None


def _strip_amp(parts: SplitResult) -> str | None:
    """Return the URL without its AMP markers, or None if it has none."""
    host = (parts.hostname or "").lower()
    netloc = parts.netloc
    changed = False
    if host.startswith("amp.") and host.count(".") >= 2:
        netloc = netloc[len("amp.") :] if netloc.lower().startswith("amp.") else netloc
        changed = True

    path = parts.path
    segments = path.split("/")
    # /amp/ or /amp as the last segment (trailing slash or not)
    if len(segments) >= 2 and segments[-1].lower() == "amp":
        path = "/".join(segments[:-1]) or "/"
        changed = True
    elif len(segments) >= 3 and segments[-1] == "" and segments[-2].lower() == "amp":
        path = "/".join(segments[:-2]) + "/"
        changed = True
    # /amp/ as the leading segment
    elif len(segments) >= 3 and segments[1].lower() == "amp":
        path = "/" + "/".join(segments[2:])
        changed = True
    else:
        low = path.lower()
        if low.endswith(".amp.html") or low.endswith(".amp.htm"):
            cut = low.rfind(".amp.")
            path = path[:cut] + path[cut + len(".amp") :]
            changed = True
        elif low.endswith(".amp") and len(low) > len("/.amp"):
            path = path[: -len(".amp")]
            changed = True

    query = _filter_query(parts.query, lambda n, v: _param_matches(AMP_PARAMS, n, v))
    if query != parts.query:
        changed = True
    if not changed:
        return None
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def amp_to_canonical(url: str) -> str | None:
    """Map an AMP URL to the (canonicalized) URL of the regular page; None if not AMP-shaped.

    Handles ``amp.`` hosts, a leading or trailing ``/amp`` segment, ``.amp``/``.amp.html``
    suffixes, ``?amp``/``?amp=1``/``outputType=amp`` and Google AMP viewer/cache URLs.
    """
    try:
        parts = _split_http(url)
    except ValueError:
        return None
    wrapped = _amp_cache_target(parts)
    if wrapped is not None:
        inner = amp_to_canonical(wrapped)
        return inner if inner is not None else canonicalize(wrapped)
    stripped = _strip_amp(parts)
    if stripped is None:
        return None
    try:
        return canonicalize(stripped)
    except ValueError:
        return None


def is_amp(url: str) -> bool:
    """Tell whether `url` looks like an AMP page (see `amp_to_canonical`)."""
    return amp_to_canonical(url) is not None


def _strip_host_prefixes(host: str) -> str:
    """Remove ``www.``/``m.``/``amp.``/``mobile.`` prefixes, keeping at least two labels."""
    changed = True
    while changed:
        changed = False
        for prefix in VARIANT_HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, changed = rest, True
    return host


def variant_key(url: str) -> str:
    """Return a key (not a URL) equal for the scheme/www/mobile/AMP/print variants of one page.

    Use it to deduplicate URL variants; store `canonicalize` results, not keys. Raises ValueError
    for anything but an http(s) URL.
    """
    canon = amp_to_canonical(url) or canonicalize(url)
    parts = urlsplit(canon)
    host = _strip_host_prefixes(parts.netloc)
    segments = parts.path.split("/")
    while segments and segments[-1] == "":
        segments.pop()
    while segments and segments[-1].lower() in PRINT_SEGMENTS | INDEX_DOCUMENTS:
        segments.pop()
        while segments and segments[-1] == "":
            segments.pop()
    path = "/".join(segments)
    query = _filter_query(parts.query, lambda n, v: _param_matches(PRINT_PARAMS, n, v))
    return f"{host}{path}" + (f"?{query}" if query else "")


@lru_cache(maxsize=1)
def _tld_extractor() -> Callable[[str], object] | None:
    """Build an offline tldextract extractor from its bundled suffix list, or None if absent."""
    try:
        import tldextract
    except ImportError:  # pragma: no cover - tldextract comes with Scrapy
        return None
    # suffix_list_urls=() and cache_dir=None: use the snapshot shipped with the package; never
    # download anything or write a cache.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _heuristic_registered_domain(host: str) -> str:
    """Guess the registered domain of `host`: last two labels, three for ``co.uk``-style hosts."""
    labels = [label for label in host.split(".") if label]
    if len(labels) <= 2:
        return ".".join(labels)
    if len(labels[-1]) == 2 and labels[-2] in _COMMON_SECOND_LEVELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def registered_domain(url: str) -> str:
    """Return the registrable domain of a URL or bare host (``news.bbc.co.uk`` -> ``bbc.co.uk``).

    Uses tldextract's bundled public-suffix snapshot offline when available, otherwise a
    heuristic. IP addresses and single-label hosts are returned as they are.
    """
    text = url.strip()
    host = (urlsplit(text if "//" in text else "//" + text).hostname or "").rstrip(".").lower()
    return _registered_domain_of_host(host)


def _registered_domain_of_host(host: str) -> str:
    if not host or _IPV4.match(host) or ":" in host or "." not in host:
        return host
    return _registered_domain_with(host, _tld_extractor())


@lru_cache(maxsize=4096)
def _registered_domain_with(host: str, extractor: Callable[[str], object] | None) -> str:
    """The registered domain of `host` by `extractor` (remembered: a crawl asks for the same
    few hosts for every link it finds)."""
    if extractor is not None:
        result = extractor(host)
        domain = getattr(result, "top_domain_under_public_suffix", None)
        if domain is None:
            domain = getattr(result, "registered_domain", None)
        if domain:
            return str(domain)
    return _heuristic_registered_domain(host)


def site_key(url: str) -> str:
    """The site a URL belongs to: its registered domain, plus its port when not the default."""
    try:
        parts = urlsplit(url)
        port = parts.port
        domain = registered_domain(url)
    except ValueError:
        return ""
    return f"{domain}:{port}" if port else domain
