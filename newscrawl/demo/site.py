"""The demo news site: renders every page, feed and sitemap of every publisher on the fly.

`DemoSite` knows nothing about sockets: `render(publisher, path)` returns a `Resource` (status,
content type, encoded body, last modification). `newscrawl.demo.server` serves it over HTTP, one
origin (port) per publisher; the site must be `bind`-ed to those base URLs before rendering,
because every link, canonical URL, feed and sitemap holds absolute URLs.

The site also answers what a correct crawl should find (`expected_articles()` and friends), so the
end-to-end tests can compare an archive with the truth. Each dict of `expected_articles()` holds:

- ``url`` canonical URL; ``title``; ``authors`` (list, may be empty); ``published`` and
  ``modified`` in UTC with ``Z`` (``modified`` is None when never updated), ``published_raw`` as
  written on the page (with offset); ``language``; ``section``; ``tags``; ``description``;
  ``image`` (absolute URL);
- ``publisher`` / ``site_name`` (display name) and ``publisher_key`` (``harbor``, ``valley``,
  ``lac``, ``nord``); ``style`` (``jsonld``, ``opengraph``, ``microdata``, ``plain``);
  ``encoding`` the page is served in;
- ``text``: the body paragraphs in order (subheadings excluded), ``headings``: the subheadings;
- ``amp_url`` and ``old_url`` (the 301-redirecting former URL) or None; ``extra``: True for
  articles given to `DemoSite.load`.

Only original, public articles are expected: not the syndicated copy (see `syndicated_copies()`),
not the private draft under the robots-disallowed ``/private/`` folder.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import partial
from html import escape
from typing import Any
from urllib.parse import urlsplit

from newscrawl.demo.data import (
    DemoArticle,
    Publisher,
    Video,
    extra_article,
    load_publishers,
    slugify,
    to_utc_z,
)

#: Last modification of pages that do not depend on articles (robots.txt, about pages, CSS).
SITE_EPOCH = datetime(2025, 8, 1, tzinfo=timezone.utc)

#: Path prefixes that robots.txt disallows on every publisher.
FORBIDDEN_PATHS = ("/private/",)


@dataclass(frozen=True)
class Traps:
    """Switches for the crawl traps; all on by default, turn one off to isolate a behaviour."""

    #: AMP copies of some articles under ``/amp/...``, linked from home pages.
    amp: bool = True
    #: ``utm_*`` / ``fbclid`` parameters on links in home pages and feeds.
    tracking_params: bool = True
    #: Old article URLs answering 301 to the new URL, linked from pages.
    redirects: bool = True
    #: A linked article under the robots-disallowed ``/private/`` folder.
    private: bool = True
    #: A story republished by another publisher with ``rel=canonical`` to the original.
    syndication: bool = True
    #: Links to an article with a ``#comments`` fragment.
    fragments: bool = True
    #: windows-1252 and Shift_JIS pages (off: every page is UTF-8, declared in header and meta).
    charsets: bool = True

    @classmethod
    def none(cls) -> Traps:
        """Every trap off: a well-behaved site."""
        return cls(**{f.name: False for f in dataclasses.fields(cls)})


@dataclass
class Resource:
    """One rendered HTTP resource: status, full Content-Type value, encoded body, extra headers."""

    status: int
    content_type: str
    body: bytes
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)


# --- Localised chrome ------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home",
        "about": "About us",
        "skip": "Skip to content",
        "related": "Related stories",
        "newsletter": "Get the morning briefing",
        "newsletter_text": "The day's top stories in your inbox at 6 a.m. Free, every weekday.",
        "signup": "Sign up",
        "share": "Share this story",
        "comments": "comments",
        "comments_title": "Comments",
        "comments_closed": "Comments are closed for this story.",
        "older": "Older stories",
        "newer": "Newer stories",
        "by": "By",
        "and": "and",
        "updated": "Updated",
        "tags": "Topics",
        "most_read": "Most read",
        "watch": "Watch",
        "archive": "From the archive",
        "coming": "Coming up",
        "section": "Section",
        "tag": "Topic",
        "author": "Stories by",
        "page": "Page",
        "cookies": "We use cookies to measure readership. Read our policy on the About page.",
        "accept": "Accept",
        "rights": "All rights reserved.",
        "photo": "Photo",
        "staff": "Staff photographer",
        "video": "Video",
        "republished": (
            "This story originally appeared in {name} and is republished with permission."
        ),
    },
    "fr": {
        "home": "Accueil",
        "about": "Qui sommes-nous",
        "skip": "Aller au contenu",
        "related": "À lire aussi",
        "newsletter": "Recevez la lettre du matin",
        "newsletter_text": "L'essentiel de l'actualité du lac chaque matin à 6 h. Gratuit.",
        "signup": "S'inscrire",
        "share": "Partager cet article",
        "comments": "commentaires",
        "comments_title": "Commentaires",
        "comments_closed": "Les commentaires sont fermés pour cet article.",
        "older": "Articles plus anciens",
        "newer": "Articles plus récents",
        "by": "Par",
        "and": "et",
        "updated": "Mis à jour le",
        "tags": "Mots-clés",
        "most_read": "Les plus lus",
        "watch": "Vidéos",
        "archive": "Archives",
        "coming": "À venir",
        "section": "Rubrique",
        "tag": "Mot-clé",
        "author": "Articles de",
        "page": "Page",
        "cookies": "Nous utilisons des cookies pour mesurer l'audience.",
        "accept": "Accepter",
        "rights": "Tous droits réservés.",
        "photo": "Photo",
        "staff": "Service photo",
        "video": "Vidéo",
        "republished": "Cet article a d'abord paru dans {name}.",
    },
    "de": {
        "home": "Startseite",
        "about": "Über uns",
        "skip": "Zum Inhalt springen",
        "related": "Mehr zum Thema",
        "newsletter": "Der Morgen-Newsletter",
        "newsletter_text": "Die wichtigsten Nachrichten aus Fördestedt, jeden Morgen um 6 Uhr.",
        "signup": "Anmelden",
        "share": "Artikel teilen",
        "comments": "Kommentare",
        "comments_title": "Kommentare",
        "comments_closed": "Die Kommentarfunktion ist für diesen Artikel geschlossen.",
        "older": "Ältere Artikel",
        "newer": "Neuere Artikel",
        "by": "Von",
        "and": "und",
        "updated": "Aktualisiert am",
        "tags": "Themen",
        "most_read": "Meistgelesen",
        "watch": "Video",
        "archive": "Aus dem Archiv",
        "coming": "Demnächst",
        "section": "Ressort",
        "tag": "Thema",
        "author": "Artikel von",
        "page": "Seite",
        "cookies": "Wir verwenden Cookies, um die Reichweite zu messen.",
        "accept": "Akzeptieren",
        "rights": "Alle Rechte vorbehalten.",
        "photo": "Foto",
        "staff": "Redaktion",
        "video": "Video",
        "republished": "Dieser Artikel erschien zuerst in {name}.",
    },
}

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}

_CSS = """body{font-family:Georgia,serif;margin:0 auto;max-width:60rem;padding:0 1rem;color:#222}
.topbar,.cookie-banner{font:0.8rem sans-serif;color:#555}.masthead .logo{font-size:2.4rem;
text-decoration:none;color:#111}nav.sections ul{list-style:none;display:flex;gap:1rem;padding:0}
.teaser{border-bottom:1px solid #ddd;padding:.5rem 0}.newsletter{background:#f4f1ea;padding:1rem}
figure img{max-width:100%}.share a{margin-right:.5rem}footer{font:0.8rem sans-serif;margin:2rem 0}
"""


def _labels(language: str) -> dict[str, str]:
    return _LABELS.get(language, _LABELS["en"])


def _display_date(dt: datetime, language: str) -> str:
    """Format a datetime the way a reader of that language sees it on the page."""
    if language == "ja":
        return f"{dt.year}年{dt.month}月{dt.day}日 {dt:%H:%M}"
    if language == "fr":
        return f"{dt.day} {_MONTHS['fr'][dt.month - 1]} {dt.year} à {dt.hour} h {dt:%M}"
    if language == "de":
        return f"{dt.day}. {_MONTHS['de'][dt.month - 1]} {dt.year}, {dt:%H:%M} Uhr"
    hour = dt.hour % 12 or 12
    ampm = "a.m." if dt.hour < 12 else "p.m."
    return f"{_MONTHS['en'][dt.month - 1]} {dt.day}, {dt.year}, {hour}:{dt:%M} {ampm}"


def _join_names(names: list[str], language: str) -> str:
    and_ = _labels(language)["and"]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {and_} " + names[-1]


def _jsonld(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _encodable(art: DemoArticle, encoding: str) -> bool:
    """Whether an article's title and body fit in a charset."""
    try:
        for text in [art.title, *art.paragraphs, *art.headings]:
            text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _text(text: str) -> str:
    """Escape text content (``&``, ``<``, ``>``; quotes stay as they are)."""
    return escape(text, quote=False)


def _xml(text: str) -> str:
    return escape(text, quote=True)


class DemoSite:
    """The bundled demo news site: publishers, their articles and every page rendered from them."""

    def __init__(self, publishers: Iterable[Publisher], traps: Traps | None = None) -> None:
        """Build a site from loaded publishers (use `DemoSite.load` for the bundled data)."""
        self.traps = traps or Traps()
        self.publishers: dict[str, Publisher] = {p.key: p for p in publishers}
        self._base_urls: dict[str, str] = {}
        self._routes: dict[str, dict[str, Callable[[], Resource]]] = {}
        #: Syndicated copies: (copy as served by the other publisher, original).
        self.syndicated: list[tuple[DemoArticle, DemoArticle]] = []
        if self.traps.syndication:
            for pub in self.publishers.values():
                for art in pub.articles:
                    if art.syndicate_to and art.syndicate_to in self.publishers:
                        target = self.publishers[art.syndicate_to]
                        copy = dataclasses.replace(
                            art,
                            publisher=target.key,
                            published=(art.published_dt + timedelta(hours=3)).isoformat(),
                            amp=False,
                            old_path=None,
                            syndicate_to=None,
                            language=art.language or pub.language,
                        )
                        self.syndicated.append((copy, art))
        self._check()

    @classmethod
    def load(
        cls, extra_articles: list[dict[str, Any]] | None = None, *, traps: Traps | None = None
    ) -> DemoSite:
        """Load the bundled publishers, adding extra articles (dicts: title, text, publisher...)."""
        publishers = load_publishers()
        by_key = {p.key: p for p in publishers}
        for raw in extra_articles or []:
            art = extra_article(raw)
            if art.publisher not in by_key:
                raise ValueError(f"unknown publisher {art.publisher!r} for extra article")
            encoding = by_key[art.publisher].encoding
            if encoding and art.encoding is None and not _encodable(art, encoding):
                art.encoding = "utf-8"  # the text does not fit the publisher's legacy charset
            by_key[art.publisher].articles.append(art)
        return cls(publishers, traps=traps)

    def _check(self) -> None:
        for pub in self.publishers.values():
            seen: set[str] = set()
            for art in pub.articles + pub.private:
                if art.slug in seen:
                    raise ValueError(f"duplicate slug {art.slug!r} in {pub.key}")
                seen.add(art.slug)
                encoding = self.encoding_of(art)
                if not _encodable(art, encoding):
                    raise ValueError(f"{pub.key}/{art.slug} does not fit in {encoding}")

    # --- Binding and URLs --------------------------------------------------------------------

    def bind(self, base_urls: Mapping[str, str]) -> None:
        """Set each publisher's base URL (``http://127.0.0.1:PORT``); needed before rendering."""
        missing = set(self.publishers) - set(base_urls)
        if missing:
            raise ValueError(f"no base URL for publishers: {sorted(missing)}")
        self._base_urls = {k: v.rstrip("/") for k, v in base_urls.items()}
        self._routes = {}

    @property
    def bound(self) -> bool:
        """Whether `bind` has been called."""
        return bool(self._base_urls)

    def base_url(self, publisher: str) -> str:
        """The base URL of a publisher (no trailing slash)."""
        if not self._base_urls:
            raise RuntimeError("DemoSite is not bound to base URLs: call bind() or serve it first")
        return self._base_urls[publisher]

    def url(self, publisher: str, path: str) -> str:
        """The absolute URL of a path on a publisher's origin."""
        return self.base_url(publisher) + path

    def publisher_for_url(self, url: str) -> str | None:
        """The key of the publisher whose origin serves this URL, if any."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        for key, base in self._base_urls.items():
            if base == origin:
                return key
        return None

    def encoding_of(self, art: DemoArticle) -> str:
        """The charset an article page is served in."""
        if not self.traps.charsets:
            return "utf-8"
        return art.encoding or self.publishers[art.publisher].encoding or "utf-8"

    def article_path(self, art: DemoArticle) -> str:
        """The path of an article on its own publisher's origin."""
        if art.private:
            return f"/private/{art.slug}"
        pub = self.publishers[art.publisher]
        dt = art.published_dt
        return pub.article_path.format(
            section=slugify(art.section),
            yyyy=f"{dt.year:04d}",
            mm=f"{dt.month:02d}",
            dd=f"{dt.day:02d}",
            slug=art.slug,
            id=art.id,
        )

    def article_url(self, art: DemoArticle) -> str:
        """The absolute (canonical) URL of an article on its publisher's origin."""
        return self.url(art.publisher, self.article_path(art))

    def amp_path(self, art: DemoArticle) -> str | None:
        """The path of the AMP copy of an article, if it has one (and AMP is on)."""
        if not (self.traps.amp and art.amp) or art.private:
            return None
        return "/amp" + self.article_path(art)

    def _route_url(self, pub: Publisher, route: str, value: str) -> str:
        return self.url(pub.key, f"/{pub.route(route)}/{slugify(value)}")

    def _home_page_path(self, pub: Publisher, page: int) -> str:
        return "/" if page == 1 else f"/{pub.route('page')}/{page}"

    # --- What a publisher shows ----------------------------------------------------------------

    def listed_articles(self, publisher: str) -> list[DemoArticle]:
        """Articles a publisher lists (its own plus syndicated copies), newest first."""
        pub = self.publishers[publisher]
        arts = list(pub.articles) + [c for c, _ in self.syndicated if c.publisher == publisher]
        return sorted(arts, key=lambda a: a.published_dt, reverse=True)

    def _canonical_url(self, art: DemoArticle) -> str:
        for copy, original in self.syndicated:
            if copy is art:
                return self.article_url(original)
        return self.article_url(art)

    def _original_of(self, art: DemoArticle) -> DemoArticle | None:
        for copy, original in self.syndicated:
            if copy is art:
                return original
        return None

    def _page_count(self, pub: Publisher) -> int:
        n = len(self.listed_articles(pub.key))
        return max(1, -(-n // pub.page_size))

    def _sections(self, pub: Publisher) -> list[str]:
        seen: dict[str, None] = {}
        for art in reversed(self.listed_articles(pub.key)):
            seen.setdefault(art.section, None)
        return list(seen)

    def _tags(self, pub: Publisher) -> list[str]:
        seen: dict[str, None] = {}
        for art in self.listed_articles(pub.key):
            for tag in art.tags:
                seen.setdefault(tag, None)
        return list(seen)

    def _authors(self, pub: Publisher) -> list[str]:
        seen: dict[str, None] = {}
        for art in self.listed_articles(pub.key):
            for author in art.authors:
                seen.setdefault(author, None)
        return list(seen)

    def _tracking(self, query: str) -> str:
        return query if self.traps.tracking_params else ""

    # --- Routing -------------------------------------------------------------------------------

    def paths(self, publisher: str) -> list[str]:
        """Every path a publisher answers (200 or redirect)."""
        return list(self._route_table(publisher))

    def render(self, publisher: str, path: str) -> Resource:
        """Render the resource at `path` (query and fragment ignored) on a publisher's origin."""
        table = self._route_table(publisher)
        clean = urlsplit(path).path or "/"
        handler = table.get(clean)
        if handler is not None:
            return handler()
        if clean.endswith("/") and clean.rstrip("/") in table:
            return self._redirect(publisher, clean.rstrip("/"))
        return self._not_found(publisher)

    def _route_table(self, publisher: str) -> dict[str, Callable[[], Resource]]:
        if publisher not in self._routes:
            self.base_url(publisher)  # raises when unbound
            self._routes[publisher] = self._build_routes(self.publishers[publisher])
        return self._routes[publisher]

    def _build_routes(self, pub: Publisher) -> dict[str, Callable[[], Resource]]:
        r: dict[str, Callable[[], Resource]] = {}
        r["/"] = partial(self._home, pub, 1)
        r[f"/{pub.route('page')}/1"] = partial(self._redirect, pub.key, "/")
        for n in range(2, self._page_count(pub) + 1):
            r[self._home_page_path(pub, n)] = partial(self._home, pub, n)
        r["/robots.txt"] = partial(self._robots, pub)
        r["/static/site.css"] = lambda: Resource(
            200, "text/css; charset=utf-8", _CSS.encode(), SITE_EPOCH
        )
        r["/img/logo.svg"] = partial(self._svg, pub.name)
        r[f"/{pub.route('about')}"] = partial(self._about, pub)
        for section in self._sections(pub):
            r[f"/{pub.route('section')}/{slugify(section)}"] = partial(
                self._listing, pub, "section", section
            )
        for tag in self._tags(pub):
            r[f"/{pub.route('tag')}/{slugify(tag)}"] = partial(self._listing, pub, "tag", tag)
        for author in self._authors(pub):
            r[f"/{pub.route('author')}/{slugify(author)}"] = partial(
                self._listing, pub, "author", author
            )
        for video in pub.videos:
            r[f"/{pub.route('video')}/{video.slug}"] = partial(self._video, pub, video)
        for art in self.listed_articles(pub.key):
            r[self.article_path(art)] = partial(self._article, art)
            r[f"/img/{art.slug}.svg"] = partial(self._svg, art.caption or art.title)
            amp = self.amp_path(art)
            if amp:
                r[amp] = partial(self._amp, art)
            if art.old_path and self.traps.redirects:
                r[art.old_path] = partial(self._redirect, pub.key, self.article_path(art))
        if self.traps.private:
            for art in pub.private:
                r[self.article_path(art)] = partial(self._article, art)
        if pub.feed == "rss":
            r["/feed.xml"] = partial(self._rss, pub)
        elif pub.feed == "atom":
            r["/atom.xml"] = partial(self._atom, pub)
        if pub.sitemap:
            r["/sitemap.xml"] = partial(self._sitemap_index, pub)
            r["/sitemap-articles.xml"] = partial(self._sitemap_articles, pub)
            r["/sitemap-pages.xml"] = partial(self._sitemap_pages, pub)
            r["/sitemap-news.xml"] = partial(self._sitemap_news, pub)
        return r

    # --- Generic responses ---------------------------------------------------------------------

    def _redirect(self, publisher: str, path: str) -> Resource:
        location = self.url(publisher, path)
        body = f'<!DOCTYPE html><title>Moved</title><a href="{escape(location)}">Moved</a>'
        return Resource(
            301, "text/html; charset=utf-8", body.encode(), None, {"Location": location}
        )

    def _not_found(self, publisher: str) -> Resource:
        pub = self.publishers[publisher]
        html = self._layout(
            pub,
            title="404 Not Found",
            main="<h1>404</h1><p>Page not found.</p>",
            encoding="utf-8",
        )
        return Resource(404, "text/html; charset=utf-8", html.encode("utf-8"))

    def _svg(self, label: str) -> Resource:
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360">'
            f'<rect width="640" height="360" fill="#9ab"/><text x="20" y="40">{_xml(label)}</text>'
            "</svg>"
        )
        return Resource(200, "image/svg+xml", svg.encode("utf-8"), SITE_EPOCH)

    def _html(
        self,
        pub: Publisher,
        html: str,
        encoding: str,
        last_modified: datetime | None,
        *,
        header_charset: bool = True,
    ) -> Resource:
        content_type = f"text/html; charset={encoding}" if header_charset else "text/html"
        body = html.encode(encoding, errors="xmlcharrefreplace")
        return Resource(200, content_type, body, last_modified)

    def _listing_charset(self, pub: Publisher) -> tuple[str, bool, bool]:
        """(encoding, in <meta>, in header) for listing pages: windows-1252 in the header only."""
        if self.traps.charsets and pub.encoding:
            return pub.encoding, False, True
        return "utf-8", True, True

    def _article_charset(self, art: DemoArticle) -> tuple[str, bool, bool]:
        """(encoding, in <meta>, in header) for an article: windows-1252 in <meta> only."""
        encoding = self.encoding_of(art)
        pub = self.publishers[art.publisher]
        if self.traps.charsets and pub.encoding and encoding == pub.encoding:
            return encoding, True, False
        return encoding, True, True

    # --- Page chrome -----------------------------------------------------------------------------

    def _layout(
        self,
        pub: Publisher,
        *,
        title: str,
        main: str,
        encoding: str,
        head: str = "",
        lang: str | None = None,
        meta_charset: bool = True,
        body_class: str = "",
    ) -> str:
        labels = _labels(pub.language)
        home = self.url(pub.key, "/")
        sections = "".join(
            f'<li><a href="{escape(self._route_url(pub, "section", s))}">{_text(s)}</a></li>'
            for s in self._sections(pub)
        )
        about = self.url(pub.key, f"/{pub.route('about')}")
        feed = ""
        if pub.feed == "rss":
            feed = f'<a href="{escape(self.url(pub.key, "/feed.xml"))}">RSS</a>'
        elif pub.feed == "atom":
            feed = f'<a href="{escape(self.url(pub.key, "/atom.xml"))}">Atom</a>'
        charset = f'<meta charset="{encoding}">\n' if meta_charset else ""
        share_base = "https://social.invalid"
        return f"""<!DOCTYPE html>
<html lang="{lang or pub.language}">
<head>
{charset}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_text(title)}</title>
<link rel="stylesheet" href="/static/site.css">
{head}
</head>
<body class="{body_class}">
<a class="skip-link" href="#main">{labels["skip"]}</a>
<div class="topbar"><a href="{escape(about)}">{labels["about"]}</a> {feed}</div>
<header class="masthead">
<a class="logo" href="{escape(home)}"><img src="/img/logo.svg" alt="" width="40" height="40">
{_text(pub.name)}</a>
<p class="tagline">{_text(pub.tagline)}</p>
</header>
<nav class="sections" aria-label="{labels["section"]}"><ul>
<li><a href="{escape(home)}">{labels["home"]}</a></li>{sections}
</ul></nav>
<main id="main">
{main}
</main>
<footer class="site-footer">
<p><a href="{escape(about)}">{labels["about"]}</a> · {feed}
· <a href="{share_base}/{slugify(pub.name)}">Social</a></p>
<p>&copy; 2025 {_text(pub.name)}. {labels["rights"]}</p>
</footer>
<div class="cookie-banner" role="dialog">{labels["cookies"]}
<button type="button">{labels["accept"]}</button></div>
</body>
</html>
"""

    def _byline_html(self, art: DemoArticle, language: str, *, microdata: bool = False) -> str:
        pub = self.publishers[art.publisher]
        if not art.authors:
            return ""
        links = []
        for name in art.authors:
            href = escape(self._route_url(pub, "author", name))
            if microdata:
                links.append(
                    '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
                    f'<a itemprop="url" rel="author" href="{href}">'
                    f'<span itemprop="name">{_text(name)}</span></a></span>'
                )
            else:
                links.append(f'<a rel="author" href="{href}">{_text(name)}</a>')
        if language == "ja":
            return f'<p class="byline">文：{"、".join(links)}</p>'
        return f'<p class="byline">{_labels(language)["by"]} {_join_names(links, language)}</p>'

    def _teaser(self, art: DemoArticle, index: int, *, tracking: bool) -> str:
        lang = art.language or self.publishers[art.publisher].language
        url = self.article_url(art)
        href = url
        if tracking and index % 2 == 1:
            href += self._tracking("?utm_source=homepage&utm_medium=teaser&utm_campaign=front")
        meta = [f'<time datetime="{art.published}">{_display_date(art.published_dt, lang)}</time>']
        if art.authors:
            meta.insert(0, _text(_join_names(art.authors, lang)))
        labels = _labels(self.publishers[art.publisher].language)
        if self.traps.fragments:
            comments = (3 * len(art.slug)) % 40 + 2
            meta.append(f'<a href="{escape(url)}#comments">{comments} {labels["comments"]}</a>')
        amp = self.amp_path(art)
        if amp:
            meta.append(f'<a href="{escape(self.url(art.publisher, amp))}">AMP</a>')
        return f"""<article class="teaser">
<h2><a href="{escape(href)}">{_text(art.title)}</a></h2>
<p class="summary">{_text(art.description)}</p>
<p class="meta">{" · ".join(meta)}</p>
</article>"""

    # --- Non-article pages -----------------------------------------------------------------------

    def _home(self, pub: Publisher, page: int) -> Resource:
        labels = _labels(pub.language)
        listed = self.listed_articles(pub.key)
        chunk = listed[(page - 1) * pub.page_size : page * pub.page_size]
        teasers = "\n".join(self._teaser(a, i, tracking=True) for i, a in enumerate(chunk))
        boxes = []
        if page == 1:
            most_read = "".join(
                f'<li><a href="{escape(self.article_url(a))}'
                f"{escape(self._tracking(f'?utm_source=mostread&utm_medium=web&fbclid=IwAR0demo{a.id}'))}"
                f'">{_text(a.title)}</a></li>'
                for a in listed[1:4]
            )
            boxes.append(
                f'<aside class="most-read"><h2>{labels["most_read"]}</h2>'
                f"<ol>{most_read}</ol></aside>"
            )
            if pub.videos:
                video_root = f"/{pub.route('video')}/"
                vids = "".join(
                    f'<li><a href="{escape(self.url(pub.key, video_root + v.slug))}">'
                    f"{_text(v.title)}</a></li>"
                    for v in pub.videos
                )
                boxes.append(
                    f'<aside class="watch"><h2>{labels["watch"]}</h2><ul>{vids}</ul></aside>'
                )
            if self.traps.redirects:
                old = [a for a in pub.articles if a.old_path]
                if old:
                    links = "".join(
                        f'<li><a href="{escape(self.url(pub.key, a.old_path or ""))}">'
                        f"{_text(a.title)}</a></li>"
                        for a in old
                    )
                    boxes.append(
                        f'<aside class="archive"><h2>{labels["archive"]}</h2>'
                        f"<ul>{links}</ul></aside>"
                    )
            if self.traps.private and pub.private:
                links = "".join(
                    f'<li><a href="{escape(self.article_url(a))}">{_text(a.title)}</a></li>'
                    for a in pub.private
                )
                boxes.append(
                    f'<aside class="coming-up"><h2>{labels["coming"]}</h2><ul>{links}</ul></aside>'
                )
        pager = []
        pages = self._page_count(pub)
        if page > 1:
            prev = escape(self.url(pub.key, self._home_page_path(pub, page - 1)))
            pager.append(f'<a rel="prev" href="{prev}">{labels["newer"]}</a>')
        if page < pages:
            nxt = escape(self.url(pub.key, self._home_page_path(pub, page + 1)))
            pager.append(f'<a rel="next" href="{nxt}">{labels["older"]}</a>')
        main = f"""<h1 class="visually-hidden">{_text(pub.name)}</h1>
<section class="front">
{teasers}
</section>
{"".join(boxes)}
<nav class="pagination">{" ".join(pager)}</nav>"""
        url = self.url(pub.key, self._home_page_path(pub, page))
        head = [f'<link rel="canonical" href="{escape(url)}">']
        head += self._listing_head(pub, pub.name, url, "WebSite" if page == 1 else "CollectionPage")
        if pub.feed == "rss":
            head.append(
                '<link rel="alternate" type="application/rss+xml" '
                f'title="{escape(pub.name)}" href="{escape(self.url(pub.key, "/feed.xml"))}">'
            )
        elif pub.feed == "atom":
            head.append(
                '<link rel="alternate" type="application/atom+xml" '
                f'title="{escape(pub.name)}" href="{escape(self.url(pub.key, "/atom.xml"))}">'
            )
        title = pub.name if page == 1 else f"{pub.name} – {labels['page']} {page}"
        return self._listing_page(pub, title, main, head, chunk)

    def _listing_head(self, pub: Publisher, title: str, url: str, kind: str) -> list[str]:
        """Metadata of a non-article page, in the publisher's style."""
        if pub.style == "jsonld":
            return [
                _jsonld(
                    {
                        "@context": "https://schema.org",
                        "@graph": [
                            {
                                "@type": "Organization",
                                "@id": self.url(pub.key, "/#org"),
                                "name": pub.name,
                                "url": self.url(pub.key, "/"),
                            },
                            {
                                "@type": kind,
                                "@id": url + "#page",
                                "url": url,
                                "name": title,
                                "inLanguage": pub.language,
                                "publisher": {"@id": self.url(pub.key, "/#org")},
                            },
                        ],
                    }
                )
            ]
        if pub.style == "opengraph":
            return [
                '<meta property="og:type" content="website">',
                f'<meta property="og:title" content="{escape(title)}">',
                f'<meta property="og:url" content="{escape(url)}">',
                f'<meta property="og:site_name" content="{escape(pub.name)}">',
                f'<meta property="og:locale" content="{pub.locale}">',
            ]
        return []

    def _listing_page(
        self, pub: Publisher, title: str, main: str, head: list[str], arts: list[DemoArticle]
    ) -> Resource:
        encoding, meta, header = self._listing_charset(pub)
        html = self._layout(
            pub,
            title=title,
            main=main,
            head="\n".join(head),
            encoding=encoding,
            meta_charset=meta,
            body_class="listing",
        )
        last = max((a.last_changed for a in arts), default=SITE_EPOCH)
        return self._html(pub, html, encoding, last, header_charset=header)

    def _listing(self, pub: Publisher, kind: str, value: str) -> Resource:
        labels = _labels(pub.language)
        listed = self.listed_articles(pub.key)
        if kind == "section":
            arts = [a for a in listed if a.section == value]
        elif kind == "tag":
            arts = [a for a in listed if value in a.tags]
        else:
            arts = [a for a in listed if value in a.authors]
        teasers = "\n".join(self._teaser(a, i, tracking=False) for i, a in enumerate(arts))
        extra = ""
        if kind == "section" and self.traps.redirects:
            old = [a for a in arts if a.old_path]
            extra = "".join(
                f'<p class="archive-link"><a href="{escape(self.url(pub.key, a.old_path or ""))}">'
                f"{_text(a.title)}</a></p>"
                for a in old
            )
        heading = f"{labels[kind]}: {value}"
        main = f'<h1>{_text(heading)}</h1>\n<section class="stream">\n{teasers}\n</section>{extra}'
        url = self._route_url(pub, kind, value)
        head = [f'<link rel="canonical" href="{escape(url)}">']
        head += self._listing_head(
            pub, heading, url, "ProfilePage" if kind == "author" else "CollectionPage"
        )
        return self._listing_page(pub, f"{heading} – {pub.name}", main, head, arts)

    def _about(self, pub: Publisher) -> Resource:
        labels = _labels(pub.language)
        url = self.url(pub.key, f"/{pub.route('about')}")
        authors = "".join(
            f'<li><a href="{escape(self._route_url(pub, "author", a))}">{_text(a)}</a></li>'
            for a in self._authors(pub)
        )
        main = (
            f"<h1>{labels['about']}</h1>\n<p>{_text(pub.about)}</p>\n"
            f'<h2>{labels["author"]}</h2><ul class="staff">{authors}</ul>'
        )
        head = [f'<link rel="canonical" href="{escape(url)}">']
        head += self._listing_head(pub, labels["about"], url, "AboutPage")
        resource = self._listing_page(pub, f"{labels['about']} – {pub.name}", main, head, [])
        resource.last_modified = SITE_EPOCH
        return resource

    def _video(self, pub: Publisher, video: Video) -> Resource:
        labels = _labels(pub.language)
        url = self.url(pub.key, f"/{pub.route('video')}/{video.slug}")
        head = [f'<link rel="canonical" href="{escape(url)}">']
        if pub.style == "jsonld":
            head.append(
                _jsonld(
                    {
                        "@context": "https://schema.org",
                        "@type": "VideoObject",
                        "name": video.title,
                        "description": video.description,
                        "uploadDate": video.published,
                        "duration": video.duration,
                        "thumbnailUrl": self.url(pub.key, "/img/logo.svg"),
                        "contentUrl": self.url(pub.key, f"/media/{video.slug}.mp4"),
                    }
                )
            )
        head += [
            '<meta property="og:type" content="video.other">',
            f'<meta property="og:title" content="{escape(video.title)}">',
            f'<meta property="og:url" content="{escape(url)}">',
        ]
        main = f"""<div class="video-page" itemscope itemtype="https://schema.org/VideoObject">
<p class="kicker">{labels["video"]}</p>
<h1 itemprop="name">{_text(video.title)}</h1>
<video controls width="640" poster="/img/logo.svg">
<source src="/media/{video.slug}.mp4" type="video/mp4"></video>
<p itemprop="description">{_text(video.description)}</p>
<meta itemprop="duration" content="{video.duration}">
<meta itemprop="uploadDate" content="{video.published}">
<div class="share">{self._share(url, video.title)}</div>
</div>"""
        resource = self._listing_page(pub, f"{video.title} – {pub.name}", main, head, [])
        resource.last_modified = datetime.fromisoformat(video.published)
        return resource

    def _robots(self, pub: Publisher) -> Resource:
        lines = ["# robots.txt for " + pub.name, "User-agent: *"]
        lines += [f"Disallow: {p}" for p in FORBIDDEN_PATHS]
        lines += ["Disallow: /search", "", "User-agent: GreedyBot", "Disallow: /", ""]
        if pub.sitemap:
            lines.append(f"Sitemap: {self.url(pub.key, '/sitemap.xml')}")
        return Resource(
            200, "text/plain; charset=utf-8", ("\n".join(lines) + "\n").encode(), SITE_EPOCH
        )

    # --- Articles ------------------------------------------------------------------------------

    def _share(self, url: str, title: str) -> str:
        from urllib.parse import quote

        u, t = quote(url, safe=""), quote(title, safe="")
        return (
            f'<a class="share-facebook" href="https://social.invalid/share?u={u}">Facebook</a>'
            f'<a class="share-x" href="https://social.invalid/intent?url={u}&amp;text={t}">X</a>'
            f'<a class="share-mail" href="mailto:?subject={t}&amp;body={u}">E-mail</a>'
        )

    def _related(self, art: DemoArticle) -> list[DemoArticle]:
        others = [a for a in self.listed_articles(art.publisher) if a.slug != art.slug]
        others.sort(key=lambda a: (a.section != art.section, -len(set(a.tags) & set(art.tags))))
        return others[:3]

    def _article_blocks(self, art: DemoArticle, pub: Publisher, note: str | None) -> str:
        labels = _labels(pub.language)
        out = []
        paragraphs = 0
        for block in art.blocks:
            if block.kind == "h2":
                out.append(f"<h2>{_text(block.text)}</h2>")
                continue
            out.append(f"<p>{_text(block.text)}</p>")
            paragraphs += 1
            if paragraphs == 2:
                out.append(
                    f'<aside class="newsletter"><h3>{labels["newsletter"]}</h3>'
                    f'<p>{labels["newsletter_text"]}</p><form action="/newsletter" method="post">'
                    '<input type="email" name="email" placeholder="you@example.org">'
                    f'<button type="submit">{labels["signup"]}</button></form></aside>'
                )
        if note:
            out.append(f'<p class="syndication-note"><em>{_text(note)}</em></p>')
        return "\n".join(out)

    def _article(self, art: DemoArticle) -> Resource:
        pub = self.publishers[art.publisher]
        lang = art.language or pub.language
        labels = _labels(pub.language)
        url = self.article_url(art)
        canonical = self._canonical_url(art)
        original = self._original_of(art)
        note = None
        if original is not None:
            note = labels["republished"].format(name=self.publishers[original.publisher].name)
        section_url = self._route_url(pub, "section", art.section)
        image = self.url(pub.key, f"/img/{art.slug}.svg")
        published_text = _display_date(art.published_dt, lang)
        modified = art.modified_dt
        encoding, meta_charset, header_charset = self._article_charset(art)
        head: list[str] = []
        article_attrs = ""
        body_attrs = ""
        h1_attrs = ""
        byline = self._byline_html(art, lang, microdata=pub.style == "microdata")
        time_attrs = ""
        extra_meta = ""
        if pub.style != "plain":
            head.append(f'<link rel="canonical" href="{escape(canonical)}">')
            head.append(f'<meta name="description" content="{escape(art.description)}">')
        amp = self.amp_path(art)
        if amp:
            head.append(f'<link rel="amphtml" href="{escape(self.url(pub.key, amp))}">')
        if pub.style == "jsonld":
            head.append(_jsonld(self._article_jsonld(art, canonical, image)))
        elif pub.style == "opengraph":
            head += [
                '<meta property="og:type" content="article">',
                f'<meta property="og:title" content="{escape(art.title)}">',
                f'<meta property="og:description" content="{escape(art.description)}">',
                f'<meta property="og:url" content="{escape(url)}">',
                f'<meta property="og:image" content="{escape(image)}">',
                f'<meta property="og:site_name" content="{escape(pub.name)}">',
                f'<meta property="og:locale" content="{pub.locale}">',
                f'<meta property="article:published_time" content="{art.published}">',
            ]
            if art.modified:
                head.append(f'<meta property="article:modified_time" content="{art.modified}">')
            head.append(f'<meta property="article:section" content="{escape(art.section)}">')
            head += [f'<meta property="article:tag" content="{escape(t)}">' for t in art.tags]
            if art.authors:
                head.append(f'<meta name="author" content="{escape(", ".join(art.authors))}">')
            head += [
                f'<meta name="keywords" content="{escape(", ".join(art.tags))}">',
                '<meta name="twitter:card" content="summary_large_image">',
                f'<meta name="twitter:title" content="{escape(art.title)}">',
            ]
        elif pub.style == "microdata":
            article_attrs = ' itemscope itemtype="https://schema.org/NewsArticle"'
            h1_attrs = ' itemprop="headline"'
            body_attrs = ' itemprop="articleBody"'
            time_attrs = ' itemprop="datePublished"'
            extra_meta = "\n".join(
                [
                    f'<meta itemprop="inLanguage" content="{lang}">',
                    f'<meta itemprop="articleSection" content="{escape(art.section)}">',
                    f'<meta itemprop="keywords" content="{escape(", ".join(art.tags))}">',
                    f'<meta itemprop="description" content="{escape(art.description)}">',
                    f'<link itemprop="mainEntityOfPage" href="{escape(canonical)}">',
                    f'<link itemprop="image" href="{escape(image)}">',
                    '<span itemprop="publisher" itemscope itemtype="https://schema.org/Organization">'
                    f'<meta itemprop="name" content="{escape(pub.name)}"></span>',
                ]
                + (
                    [f'<meta itemprop="dateModified" content="{art.modified}">']
                    if art.modified
                    else []
                )
            )
        if pub.style == "opengraph":
            dateline = f'<p class="dateline"><span class="date">{published_text}</span>'
        else:
            dateline = (
                f'<p class="dateline"><time{time_attrs} datetime="{art.published}">'
                f"{published_text}</time>"
            )
        if modified is not None:
            mod_text = _display_date(modified, lang)
            if pub.style == "opengraph":
                dateline += f' · {labels["updated"]} <span class="date">{mod_text}</span>'
            else:
                dateline += (
                    f' · {labels["updated"]} <time class="updated" datetime="{art.modified}">'
                    f"{mod_text}</time>"
                )
        dateline += "</p>"
        tags = "".join(
            f'<li><a rel="tag" href="{escape(self._route_url(pub, "tag", t))}">{_text(t)}</a></li>'
            for t in art.tags
        )
        related_items = []
        for rel in self._related(art):
            href = self.article_url(rel)
            if rel.old_path and self.traps.redirects:
                href = self.url(pub.key, rel.old_path)
            related_items.append(f'<li><a href="{escape(href)}">{_text(rel.title)}</a></li>')
        comments = ""
        if self.traps.fragments:
            comments = (
                f'<section id="comments"><h2>{labels["comments_title"]}</h2>'
                f"<p>{labels['comments_closed']}</p></section>"
            )
        home = escape(self.url(pub.key, "/"))
        main = f"""<nav class="breadcrumb"><a href="{home}">{labels["home"]}</a> ›
<a href="{escape(section_url)}">{_text(art.section)}</a></nav>
<article class="story"{article_attrs}>
{extra_meta}
<header class="story-header">
<p class="kicker"><a href="{escape(section_url)}">{_text(art.section)}</a></p>
<h1{h1_attrs}>{_text(art.title)}</h1>
<p class="standfirst">{_text(art.description)}</p>
{byline}
{dateline}
<div class="share" aria-label="{labels["share"]}">{self._share(canonical, art.title)}</div>
</header>
<figure class="lead-image">
<img src="/img/{art.slug}.svg" alt="{escape(art.caption)}" width="640" height="360">
<figcaption>{_text(art.caption)}
<span class="credit">{labels["photo"]}: {labels["staff"]}</span></figcaption>
</figure>
<div class="story-body"{body_attrs}>
{self._article_blocks(art, pub, note)}
</div>
<footer class="story-footer"><h2>{labels["tags"]}</h2><ul class="tags">{tags}</ul></footer>
</article>
<aside class="related"><h2>{labels["related"]}</h2><ul>{"".join(related_items)}</ul></aside>
{comments}"""
        html = self._layout(
            pub,
            title=f"{art.title} – {pub.name}" if pub.style != "plain" else art.title,
            main=main,
            head="\n".join(head),
            encoding=encoding,
            lang=lang,
            meta_charset=meta_charset,
            body_class="article",
        )
        return self._html(pub, html, encoding, art.last_changed, header_charset=header_charset)

    def _article_jsonld(self, art: DemoArticle, canonical: str, image: str) -> dict[str, Any]:
        pub = self.publishers[art.publisher]
        org = self.url(pub.key, "/#org")
        website = self.url(pub.key, "/#website")
        news: dict[str, Any] = {
            "@type": "NewsArticle",
            "@id": canonical + "#article",
            "headline": art.title,
            "description": art.description,
            "datePublished": art.published,
            "dateModified": art.modified or art.published,
            "articleSection": art.section,
            "keywords": art.tags,
            "inLanguage": art.language or pub.language,
            "image": {"@type": "ImageObject", "url": image, "caption": art.caption},
            "publisher": {"@id": org},
            "mainEntityOfPage": {"@id": canonical + "#webpage"},
            "isAccessibleForFree": True,
        }
        if art.authors:
            news["author"] = [
                {"@type": "Person", "name": a, "url": self._route_url(pub, "author", a)}
                for a in art.authors
            ]
        return {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Organization",
                    "@id": org,
                    "name": pub.name,
                    "url": self.url(pub.key, "/"),
                    "logo": {"@type": "ImageObject", "url": self.url(pub.key, "/img/logo.svg")},
                },
                {
                    "@type": "WebSite",
                    "@id": website,
                    "url": self.url(pub.key, "/"),
                    "name": pub.name,
                },
                {
                    "@type": "WebPage",
                    "@id": canonical + "#webpage",
                    "url": canonical,
                    "name": art.title,
                    "isPartOf": {"@id": website},
                },
                {
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {
                            "@type": "ListItem",
                            "position": 1,
                            "name": "Home",
                            "item": self.url(pub.key, "/"),
                        },
                        {
                            "@type": "ListItem",
                            "position": 2,
                            "name": art.section,
                            "item": self._route_url(pub, "section", art.section),
                        },
                    ],
                },
                news,
            ],
        }

    def _amp(self, art: DemoArticle) -> Resource:
        pub = self.publishers[art.publisher]
        lang = art.language or pub.language
        canonical = self.article_url(art)
        body = "\n".join(
            f"<h2>{_text(b.text)}</h2>" if b.kind == "h2" else f"<p>{_text(b.text)}</p>"
            for b in art.blocks
        )
        ld: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": art.title,
            "datePublished": art.published,
            "dateModified": art.modified or art.published,
            "author": [{"@type": "Person", "name": a} for a in art.authors],
            "publisher": {"@type": "Organization", "name": pub.name},
        }
        byline = _text(_join_names(art.authors, lang))
        html = f"""<!doctype html>
<html ⚡ lang="{lang}">
<head>
<meta charset="utf-8">
<title>{_text(art.title)}</title>
<link rel="canonical" href="{escape(canonical)}">
<meta name="viewport" content="width=device-width">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{visibility:hidden}}</style>
{_jsonld(ld)}
</head>
<body>
<header><a href="{escape(self.url(pub.key, "/"))}">{_text(pub.name)}</a></header>
<article>
<h1>{_text(art.title)}</h1>
<p class="byline">{byline}</p>
<time datetime="{art.published}">{_display_date(art.published_dt, lang)}</time>
<amp-img src="/img/{art.slug}.svg" width="640" height="360" layout="responsive"></amp-img>
{body}
</article>
</body>
</html>
"""
        return Resource(200, "text/html; charset=utf-8", html.encode("utf-8"), art.last_changed)

    # --- Feeds and sitemaps --------------------------------------------------------------------

    def _last_change(self, pub: Publisher) -> datetime:
        return max((a.last_changed for a in self.listed_articles(pub.key)), default=SITE_EPOCH)

    def _rss(self, pub: Publisher) -> Resource:
        items = []
        for art in self.listed_articles(pub.key):
            url = self.article_url(art)
            link = url + self._tracking("?utm_source=rss&utm_medium=feed")
            creators = "".join(f"<dc:creator>{_xml(a)}</dc:creator>" for a in art.authors)
            cats = "".join(f"<category>{_xml(t)}</category>" for t in art.tags)
            items.append(
                f"""<item>
<title>{_xml(art.title)}</title>
<link>{_xml(link)}</link>
<guid isPermaLink="false">{_xml(url)}</guid>
<pubDate>{format_datetime(art.published_dt)}</pubDate>
{creators}{cats}
<description>{_xml(art.description)}</description>
</item>"""
            )
        feed_url = self.url(pub.key, "/feed.xml")
        xml = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{_xml(pub.name)}</title>
<link>{_xml(self.url(pub.key, "/"))}</link>
<description>{_xml(pub.tagline)}</description>
<language>{pub.language}</language>
<lastBuildDate>{format_datetime(self._last_change(pub))}</lastBuildDate>
<atom:link href="{_xml(feed_url)}" rel="self" type="application/rss+xml"/>
{chr(10).join(items)}
</channel>
</rss>
"""
        return Resource(
            200, "application/rss+xml; charset=utf-8", xml.encode("utf-8"), self._last_change(pub)
        )

    def _atom(self, pub: Publisher) -> Resource:
        entries = []
        host = slugify(pub.name) + ".example"
        for art in self.listed_articles(pub.key):
            url = self.article_url(art)
            link = url + self._tracking("?utm_source=atom&utm_medium=feed")
            authors = "".join(f"<author><name>{_xml(a)}</name></author>" for a in art.authors)
            cats = "".join(f'<category term="{_xml(t)}"/>' for t in art.tags)
            entries.append(
                f"""<entry>
<title>{_xml(art.title)}</title>
<link rel="alternate" type="text/html" href="{_xml(link)}"/>
<id>tag:{host},2025:{art.slug}</id>
<published>{art.published}</published>
<updated>{art.modified or art.published}</updated>
{authors}{cats}
<summary>{_xml(art.description)}</summary>
</entry>"""
            )
        updated = self._last_change(pub).isoformat()
        xml = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{pub.language}">
<title>{_xml(pub.name)}</title>
<subtitle>{_xml(pub.tagline)}</subtitle>
<link rel="self" type="application/atom+xml" href="{_xml(self.url(pub.key, "/atom.xml"))}"/>
<link rel="alternate" type="text/html" href="{_xml(self.url(pub.key, "/"))}"/>
<id>tag:{host},2025:feed</id>
<updated>{updated}</updated>
{chr(10).join(entries)}
</feed>
"""
        return Resource(
            200, "application/atom+xml; charset=utf-8", xml.encode("utf-8"), self._last_change(pub)
        )

    def _xml_resource(self, xml: str, last_modified: datetime) -> Resource:
        return Resource(200, "application/xml; charset=utf-8", xml.encode("utf-8"), last_modified)

    def _sitemap_index(self, pub: Publisher) -> Resource:
        last = self._last_change(pub).isoformat()
        children = "".join(
            f"<sitemap><loc>{_xml(self.url(pub.key, p))}</loc><lastmod>{last}</lastmod></sitemap>\n"
            for p in ("/sitemap-articles.xml", "/sitemap-news.xml", "/sitemap-pages.xml")
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{children}</sitemapindex>\n"
        )
        return self._xml_resource(xml, self._last_change(pub))

    def _urlset(self, entries: list[str], news: bool = False) -> str:
        ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>\n'
            + "".join(entries)
            + "</urlset>\n"
        )

    def _sitemap_articles(self, pub: Publisher) -> Resource:
        entries = [
            f"<url><loc>{_xml(self.article_url(a))}</loc>"
            f"<lastmod>{a.modified or a.published}</lastmod></url>\n"
            for a in self.listed_articles(pub.key)
        ]
        return self._xml_resource(self._urlset(entries), self._last_change(pub))

    def _sitemap_pages(self, pub: Publisher) -> Resource:
        entries = [
            f"<url><loc>{_xml(u)}</loc><changefreq>hourly</changefreq></url>\n"
            for u in [self.url(pub.key, "/"), *self._section_urls(pub)]
        ]
        entries.append(
            f"<url><loc>{_xml(self.url(pub.key, '/' + pub.route('about')))}</loc>"
            "<changefreq>yearly</changefreq></url>\n"
        )
        return self._xml_resource(self._urlset(entries), self._last_change(pub))

    def _sitemap_news(self, pub: Publisher) -> Resource:
        entries = []
        for art in self.listed_articles(pub.key):
            lang = art.language or pub.language
            entries.append(
                f"""<url><loc>{_xml(self.article_url(art))}</loc>
<news:news>
<news:publication><news:name>{_xml(pub.name)}</news:name><news:language>{lang}</news:language></news:publication>
<news:publication_date>{art.published}</news:publication_date>
<news:title>{_xml(art.title)}</news:title>
<news:keywords>{_xml(", ".join(art.tags))}</news:keywords>
</news:news>
</url>
"""
            )
        return self._xml_resource(self._urlset(entries, news=True), self._last_change(pub))

    def _section_urls(self, pub: Publisher) -> list[str]:
        return [self._route_url(pub, "section", s) for s in self._sections(pub)]

    # --- The truth for tests ----------------------------------------------------------------------

    def articles(self) -> list[DemoArticle]:
        """Every public, original article of every publisher (no private draft, no copy)."""
        return [a for p in self.publishers.values() for a in p.articles]

    def expected_articles(self) -> list[dict[str, Any]]:
        """What a correct crawl archives: one dict per original article (fields in module docs)."""
        out = []
        for art in self.articles():
            pub = self.publishers[art.publisher]
            amp = self.amp_path(art)
            out.append(
                {
                    "url": self.article_url(art),
                    "title": art.title,
                    "authors": list(art.authors),
                    "published": to_utc_z(art.published),
                    "published_raw": art.published,
                    "modified": to_utc_z(art.modified) if art.modified else None,
                    "language": art.language or pub.language,
                    "section": art.section,
                    "tags": list(art.tags),
                    "description": art.description,
                    "image": self.url(pub.key, f"/img/{art.slug}.svg"),
                    "publisher": pub.name,
                    "publisher_key": pub.key,
                    "site_name": pub.name,
                    "style": pub.style,
                    "encoding": self.encoding_of(art),
                    "text": art.paragraphs,
                    "headings": art.headings,
                    "amp_url": self.url(pub.key, amp) if amp else None,
                    "old_url": self.url(pub.key, art.old_path)
                    if art.old_path and self.traps.redirects
                    else None,
                    "extra": art.extra,
                }
            )
        return out

    def start_urls(self) -> list[str]:
        """The home page of every publisher."""
        return [self.url(k, "/") for k in self.publishers]

    def home_urls(self, publisher: str | None = None) -> list[str]:
        """Home pages with their pagination (``/page/2``...), of one or every publisher."""
        keys = [publisher] if publisher else list(self.publishers)
        return [
            self.url(k, self._home_page_path(self.publishers[k], n))
            for k in keys
            for n in range(1, self._page_count(self.publishers[k]) + 1)
        ]

    def feed_urls(self) -> list[str]:
        """The RSS and Atom feeds."""
        out = []
        for pub in self.publishers.values():
            if pub.feed == "rss":
                out.append(self.url(pub.key, "/feed.xml"))
            elif pub.feed == "atom":
                out.append(self.url(pub.key, "/atom.xml"))
        return out

    def sitemap_urls(self) -> list[str]:
        """The sitemap index of each publisher that has sitemaps (as listed in robots.txt)."""
        return [self.url(p.key, "/sitemap.xml") for p in self.publishers.values() if p.sitemap]

    def robots_urls(self) -> list[str]:
        """The robots.txt of every publisher."""
        return [self.url(k, "/robots.txt") for k in self.publishers]

    def non_article_urls(self) -> list[str]:
        """Pages that answer 200 with HTML but are not articles (home, listings, about, video)."""
        out = []
        for pub in self.publishers.values():
            out += self.home_urls(pub.key)
            out += self._section_urls(pub)
            out += [self._route_url(pub, "tag", t) for t in self._tags(pub)]
            out += [self._route_url(pub, "author", a) for a in self._authors(pub)]
            out.append(self.url(pub.key, f"/{pub.route('about')}"))
            out += [self.url(pub.key, f"/{pub.route('video')}/{v.slug}") for v in pub.videos]
        return out

    def forbidden_paths(self) -> list[str]:
        """Path prefixes that robots.txt disallows on every publisher (never to be fetched)."""
        return list(FORBIDDEN_PATHS)

    def forbidden_urls(self) -> list[str]:
        """The linked pages under the disallowed folders (empty when the trap is off)."""
        if not self.traps.private:
            return []
        return [self.article_url(a) for p in self.publishers.values() for a in p.private]

    def is_forbidden(self, path: str) -> bool:
        """Whether a request path (query allowed) falls under a robots-disallowed prefix."""
        clean = urlsplit(path).path
        return any(clean.startswith(p) for p in FORBIDDEN_PATHS)

    def amp_urls(self) -> dict[str, str]:
        """AMP URL -> canonical article URL."""
        out = {}
        for art in self.articles():
            amp = self.amp_path(art)
            if amp:
                out[self.url(art.publisher, amp)] = self.article_url(art)
        return out

    def redirects(self) -> dict[str, str]:
        """Old URL -> new URL of the permanent (301) redirects."""
        if not self.traps.redirects:
            return {}
        return {
            self.url(a.publisher, a.old_path): self.article_url(a)
            for a in self.articles()
            if a.old_path
        }

    def syndicated_copies(self) -> dict[str, str]:
        """URL of a republished copy -> canonical URL of the original article."""
        return {self.article_url(c): self.article_url(o) for c, o in self.syndicated}
