"""`newscrawl extract`: extract one page (a saved file or a URL) and print its article fields."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from newscrawl.extract import extract_article
from newscrawl.settings import USER_AGENT

#: A page larger than this is refused rather than read into memory.
MAX_BYTES = 16 * 1024 * 1024
TIMEOUT = 30.0
#: Fields shown in the table, in order (the text last, shortened).
TABLE_FIELDS = (
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "site_name",
    "section",
    "tags",
    "description",
    "image",
    "canonical_url",
    "page_type",
    "access",
    "word_count",
    "text",
)
TEXT_PREVIEW = 600


class FetchError(Exception):
    """A page could not be read or fetched; the message is one line for the user."""


def _is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


def read_file(path: Path) -> bytes:
    """Read a saved page, gunzipping `.gz` files (or any gzip content)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FetchError(f"cannot read {path}: not valid gzip ({exc})") from exc
    if len(data) > MAX_BYTES:
        raise FetchError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return data


def fetch(url: str, timeout: float = TIMEOUT) -> tuple[bytes, dict[str, str], str]:
    """Fetch one URL with a single GET; return (body, headers, final URL after redirects)."""
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise FetchError(f"{url}: page larger than {MAX_BYTES // (1024 * 1024)} MiB")
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(f"{url}: page larger than {MAX_BYTES // (1024 * 1024)} MiB")
            headers = {k: v for k, v in response.headers.items()}
            final_url = response.geturl() or url
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from exc
    except OSError as exc:
        raise FetchError(f"{url}: {exc}") from exc
    if headers.get("Content-Encoding", "").lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise FetchError(f"{url}: bad gzip body ({exc})") from exc
    return body, headers, final_url


def _table(fields: dict[str, Any]) -> str:
    """Render the fields as a two-column field/value table."""
    rows: list[tuple[str, str]] = []
    for name in TABLE_FIELDS:
        value = fields.get(name)
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif value is None:
            text = ""
        else:
            text = str(value)
        if name == "text":
            text = " ".join(text.split())
            if len(text) > TEXT_PREVIEW:
                text = text[: TEXT_PREVIEW - 1] + "…"
        else:
            text = " ".join(text.split())
        rows.append((name, text))
    width = max(len(name) for name, _ in rows)
    lines = [f"{'field'.ljust(width)}  value", f"{'-' * width}  {'-' * 5}"]
    lines += [f"{name.ljust(width)}  {text}".rstrip() for name, text in rows]
    return "\n".join(lines)


@click.command(name="extract")
@click.argument("target", metavar="FILE_OR_URL")
@click.option(
    "--url",
    "page_url",
    help="The page's URL, for a saved FILE (resolves relative links, dates in the URL).",
)
@click.option("--json", "as_json", is_flag=True, help="Output all fields as one JSON object.")
def extract_command(target: str, page_url: str | None, as_json: bool) -> None:
    """Extract the article of one page and print its fields.

    FILE_OR_URL is a saved page (.html, or gzip-compressed .gz) or an http(s) URL, fetched
    with a single GET naming newscrawl in its User-Agent. The extraction is the one the
    crawler uses and needs no network of its own.

    \b
    Example:
        newscrawl extract https://www.example-news.com/2025/09/03/bridge-reopens
        newscrawl extract saved/page.html.gz --url https://gazette.example/news/1 --json
    """
    headers: dict[str, str] = {}
    try:
        if _is_url(target):
            body, headers, final_url = fetch(target)
            url = page_url or final_url
        else:
            body = read_file(Path(target))
            url = page_url or ""
    except FetchError as exc:
        raise click.ClickException(str(exc)) from exc
    fields = extract_article(body, url, headers=headers)
    if as_json:
        click.echo(json.dumps({"url": url or None, **fields}, ensure_ascii=False))
    else:
        click.echo(_table(fields))
