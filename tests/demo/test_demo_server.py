"""The demo site over HTTP: content types, robots, sitemaps, feeds, charsets, caching, traps."""

from __future__ import annotations

import gzip
import json
import re
import socket
import threading
import urllib.robotparser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from newscrawl.demo import DemoServer, DemoSite, serve_demo_site
from newscrawl.demo.client import Fetched, fetch

FetchFn = Callable[..., Fetched]

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _article(site: DemoSite, key: str, **match: object) -> dict:
    for exp in site.expected_articles():
        if exp["publisher_key"] == key and all(exp[k] == v for k, v in match.items()):
            return exp
    raise LookupError((key, match))


def _charset_of(fetched_content_type: str) -> str | None:
    m = re.search(r"charset=([\w-]+)", fetched_content_type)
    return m.group(1).lower() if m else None


def _meta_charset(body: bytes) -> str | None:
    m = re.search(rb'<meta charset="([\w-]+)">', body[:400])
    return m.group(1).decode().lower() if m else None


def test_each_publisher_is_its_own_origin(demo: DemoServer, site: DemoSite) -> None:
    ports = demo.ports()
    assert len(set(ports.values())) == 4
    for key, base in demo.base_urls.items():
        assert base == f"http://127.0.0.1:{ports[key]}"
        assert site.base_url(key) == base


@pytest.mark.parametrize(
    ("key", "path", "content_type"),
    [
        ("harbor", "/", "text/html; charset=utf-8"),
        ("harbor", "/robots.txt", "text/plain; charset=utf-8"),
        ("harbor", "/feed.xml", "application/rss+xml; charset=utf-8"),
        ("valley", "/atom.xml", "application/atom+xml; charset=utf-8"),
        ("lac", "/sitemap.xml", "application/xml; charset=utf-8"),
        ("lac", "/sitemap-news.xml", "application/xml; charset=utf-8"),
        ("nord", "/ueber-uns", "text/html; charset=utf-8"),
        ("lac", "/a-propos", "text/html; charset=utf-8"),
        ("harbor", "/section/local", "text/html; charset=utf-8"),
        ("harbor", "/page/2", "text/html; charset=utf-8"),
        ("harbor", "/video/breakwater-from-above", "text/html; charset=utf-8"),
        ("harbor", "/static/site.css", "text/css; charset=utf-8"),
        ("harbor", "/img/logo.svg", "image/svg+xml"),
        ("valley", "/", "text/html; charset=windows-1252"),
    ],
)
def test_content_types(
    demo: DemoServer, get: FetchFn, key: str, path: str, content_type: str
) -> None:
    answer = get(demo.url(key, path))
    assert answer.status == 200
    assert answer.content_type == content_type
    assert answer.body


def test_unknown_paths_are_404(demo: DemoServer, get: FetchFn) -> None:
    for key in demo.base_urls:
        answer = get(demo.url(key, "/no/such/page"))
        assert answer.status == 404
        assert answer.content_type.startswith("text/html")
    assert get(demo.url("nord", "/feed.xml")).status == 404
    assert get(demo.url("nord", "/sitemap.xml")).status == 404


def test_head_has_headers_and_no_body(demo: DemoServer, get: FetchFn) -> None:
    full = get(demo.url("harbor", "/"))
    head = get(demo.url("harbor", "/"), method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["Content-Length"] == str(len(full.body))
    assert head.headers["ETag"] == full.headers["ETag"]
    assert head.content_type == full.content_type


def test_robots_txt(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    for key in demo.base_urls:
        text = get(demo.url(key, "/robots.txt")).body.decode()
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        for forbidden in site.forbidden_paths():
            assert not parser.can_fetch("newscrawl", demo.url(key, forbidden + "x"))
        assert parser.can_fetch("newscrawl", demo.url(key, "/"))
        sitemaps = parser.site_maps() or []
        assert sitemaps == [u for u in site.sitemap_urls() if u.startswith(demo.base_urls[key])]


def test_sitemaps(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    expected = site.expected_articles()
    for index_url in site.sitemap_urls():
        key = site.publisher_for_url(index_url)
        assert key is not None
        index = lxml.etree.fromstring(get(index_url).body)
        assert index.tag == SM + "sitemapindex"
        children = [loc.text for loc in index.iter(SM + "loc")]
        assert len(children) == 3
        article_locs: set[str] = set()
        for child in children:
            urlset = lxml.etree.fromstring(get(child).body)
            assert urlset.tag == SM + "urlset"
            news = urlset.findall(f"{SM}url/{NEWS}news")
            if child.endswith("-news.xml"):
                assert news
                for entry in news:
                    assert entry.findtext(f"{NEWS}publication/{NEWS}name") == (
                        site.publishers[key].name
                    )
                    assert entry.findtext(f"{NEWS}publication/{NEWS}language")
                    assert re.match(r"\d{4}-\d\d-\d\dT", entry.findtext(f"{NEWS}publication_date"))
                    assert entry.findtext(f"{NEWS}title")
                    assert entry.findtext(f"{NEWS}keywords")
            if child.endswith("-articles.xml"):
                article_locs = {loc.text for loc in urlset.iter(SM + "loc")}
        own = {a["url"] for a in expected if a["publisher_key"] == key}
        assert own <= article_locs
        assert not any("/private/" in u for u in article_locs)


def test_feeds(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    versions = {}
    expected = {a["url"]: a for a in site.expected_articles()}
    for feed_url in site.feed_urls():
        answer = get(feed_url)
        parsed = feedparser.parse(answer.body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        versions[feed_url.rsplit("/", 1)[1]] = parsed.version
        assert parsed.entries
        for entry in parsed.entries:
            assert "utm_source=" in entry.link  # tracking trap
            clean = entry.link.split("?", 1)[0]
            assert clean in expected or clean in site.syndicated_copies()
            if clean in expected:
                assert entry.title == expected[clean]["title"]
                assert entry.published_parsed is not None
    assert versions == {"feed.xml": "rss20", "atom.xml": "atom10"}


def test_home_pages_advertise_feeds(demo: DemoServer, get: FetchFn) -> None:
    doc = lxml.html.fromstring(get(demo.url("harbor", "/")).body)
    links = doc.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
    assert links == [demo.url("harbor", "/feed.xml")]
    doc = lxml.html.fromstring(get(demo.url("valley", "/")).body)
    links = doc.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert links == [demo.url("valley", "/atom.xml")]


def test_every_expected_article_answers_with_its_title(demo: DemoServer, site: DemoSite) -> None:
    expected = site.expected_articles()

    def check(exp: dict) -> None:
        answer = fetch(exp["url"])
        assert answer.status == 200, exp["url"]
        encoding = exp["encoding"]
        assert exp["title"].encode(encoding) in answer.body, exp["url"]
        html = answer.body.decode(encoding)
        for paragraph in exp["text"]:
            assert paragraph in html, (exp["url"], paragraph[:40])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(check, expected))


def test_non_article_pages_answer_html(demo: DemoServer, site: DemoSite) -> None:
    def check(url: str) -> None:
        answer = fetch(url)
        assert answer.status == 200, url
        assert answer.content_type.startswith("text/html")
        assert b"NewsArticle" not in answer.body, url
        assert b'og:type" content="article"' not in answer.body

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(check, site.non_article_urls()))


def test_template_styles(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    harbor = _article(site, "harbor", title="Mariners edge Coastal Rovers in late drama")
    doc = lxml.html.fromstring(get(harbor["url"]).body)
    graph = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])["@graph"]
    (news,) = [n for n in graph if n["@type"] == "NewsArticle"]
    assert news["headline"] == harbor["title"]
    assert [a["name"] for a in news["author"]] == harbor["authors"]
    assert news["datePublished"] == harbor["published_raw"]

    valley = _article(site, "valley", title="School board backs later start times at Valley High")
    body = get(valley["url"]).body
    assert b"application/ld+json" not in body and b"itemscope" not in body
    doc = lxml.html.fromstring(body.decode("cp1252"))
    assert doc.xpath('//meta[@property="og:type"]/@content') == ["article"]
    assert doc.xpath('//meta[@property="article:published_time"]/@content') == [
        valley["published_raw"]
    ]
    assert doc.xpath('//meta[@name="author"]/@content') == ["Emily Dawson, Marcus Bell"]

    lac = _article(site, "lac", title="Le festival de jazz du Lac affiche complet")
    doc = lxml.html.fromstring(get(lac["url"]).body)
    (art,) = doc.xpath('//*[@itemtype="https://schema.org/NewsArticle"]')
    assert art.xpath('.//*[@itemprop="headline"]/text()') == [lac["title"]]
    assert art.xpath('.//*[@itemprop="datePublished"]/@datetime') == [lac["published_raw"]]

    nord = _article(site, "nord", title="Werft meldet volle Auftragsbücher bis 2027")
    body = get(nord["url"]).body
    for marker in (b"ld+json", b"itemscope", b"og:", b'rel="canonical"', b'name="description"'):
        assert marker not in body
    doc = lxml.html.fromstring(body)
    assert (
        doc.xpath('//p[@class="byline"]')[0].text_content() == "Von Jonas Krüger und Lena Hoffmann"
    )
    assert doc.xpath("//article//time/@datetime")[0] == nord["published_raw"]


def test_article_without_authors_has_no_byline(site: DemoSite, get: FetchFn) -> None:
    exp = _article(site, "harbor", authors=[])
    body = get(exp["url"]).body
    assert b'class="byline"' not in body and b'"author"' not in body


def test_charsets_are_really_encoded(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    # Valley article: windows-1252, declared only in <meta charset>.
    exp = _article(site, "valley", title="Main Street café reopens after flood repairs")
    answer = get(exp["url"])
    assert _charset_of(answer.content_type) is None
    assert _meta_charset(answer.body) == "windows-1252"
    assert "café".encode("cp1252") in answer.body and "café".encode() not in answer.body
    assert b"\x92" in answer.body  # a right single quote, as windows-1252 writes it
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    assert exp["title"] in answer.body.decode("cp1252")
    # Valley home page: windows-1252, declared only in the HTTP header.
    home = get(demo.url("valley", "/"))
    assert _charset_of(home.content_type) == "windows-1252"
    assert _meta_charset(home.body) is None
    assert "café".encode("cp1252") in home.body
    # Japanese story in Shift_JIS, declared in both places.
    ja = _article(site, "harbor", language="ja")
    answer = get(ja["url"])
    assert _charset_of(answer.content_type) == "shift_jis"
    assert _meta_charset(answer.body) == "shift_jis"
    assert ja["title"].encode("shift_jis") in answer.body
    assert ja["title"].encode("utf-8") not in answer.body
    assert ja["text"][0] in answer.body.decode("shift_jis")


def test_gzip(demo: DemoServer, get: FetchFn) -> None:
    plain = get(demo.url("lac", "/"))
    zipped = get(demo.url("lac", "/"), headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == plain.body
    refused = get(demo.url("lac", "/"), headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_conditional_get(demo: DemoServer, site: DemoSite, get: FetchFn) -> None:
    url = site.expected_articles()[0]["url"]
    first = get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified.endswith("GMT")
    again = get(url, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert get(url, headers={"If-Modified-Since": last_modified}).status == 304
    assert get(url, headers={"If-None-Match": '"other"'}).status == 200
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert get(url, headers={"If-Modified-Since": old}).status == 200
    zipped = get(url, headers={"Accept-Encoding": "gzip"})
    revalidated = get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status == 304


def test_amp_variants(site: DemoSite, get: FetchFn) -> None:
    home_urls = site.home_urls("harbor")
    assert len(home_urls) >= 3  # pagination
    homes = " ".join(get(u).body.decode() for u in home_urls)
    for amp_url, canonical in site.amp_urls().items():
        assert amp_url in homes
        body = get(amp_url).body
        assert "<html ⚡".encode() in body
        doc = lxml.html.fromstring(body)
        assert doc.xpath('//link[@rel="canonical"]/@href') == [canonical]
        page = lxml.html.fromstring(get(canonical).body)
        assert page.xpath('//link[@rel="amphtml"]/@href') == [amp_url]


def test_redirect_trap(site: DemoSite, get: FetchFn) -> None:
    ((old, new),) = site.redirects().items()
    answer = get(old)
    assert answer.status == 301 and answer.headers["Location"] == new
    key = site.publisher_for_url(old)
    assert key is not None
    assert old in get(site.url(key, "/")).body.decode()
    assert get(new).status == 200


def test_tracking_and_fragment_links_on_home_page(site: DemoSite, get: FetchFn) -> None:
    doc = lxml.html.fromstring(get(site.start_urls()[0]).body)
    hrefs = doc.xpath("//a/@href")
    assert any("utm_source=" in h and "fbclid=" in h for h in hrefs)
    assert any(h.endswith("#comments") for h in hrefs)
    tracked = next(h for h in hrefs if "utm_source=" in h)
    assert get(tracked).status == 200


def test_syndicated_copy_points_to_original(site: DemoSite, get: FetchFn) -> None:
    ((copy, original),) = site.syndicated_copies().items()
    answer = get(copy)
    assert answer.status == 200
    doc = lxml.html.fromstring(answer.body.decode("cp1252"))
    assert doc.xpath('//link[@rel="canonical"]/@href') == [original]
    exp = next(a for a in site.expected_articles() if a["url"] == original)
    text = doc.text_content()
    assert all(p in text for p in exp["text"])


def test_private_article_is_linked_and_disallowed(site: DemoSite, get: FetchFn) -> None:
    (private,) = site.forbidden_urls()
    key = site.publisher_for_url(private)
    assert key is not None
    assert private in get(site.url(key, "/")).body.decode()
    assert site.is_forbidden(urlsplit(private).path)
    assert private not in {a["url"] for a in site.expected_articles()}


def test_request_log(demo: DemoServer, get: FetchFn) -> None:
    demo.log.clear()
    get(demo.url("nord", "/?x=1"), headers={"User-Agent": "newscrawl-test"})
    get(demo.url("nord", "/robots.txt"), method="HEAD")
    get(demo.url("nord", "/missing"))
    entries = demo.log.entries("nord")
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/?x=1", 200),
        ("HEAD", "/robots.txt", 200),
        ("GET", "/missing", 404),
    ]
    assert entries[0].headers["User-Agent"] == "newscrawl-test"
    assert entries[0].url == demo.url("nord", "/?x=1")
    assert entries[0].time <= entries[1].time <= entries[2].time
    assert demo.log.entries("harbor") == []
    assert len(demo.log) == 3
    demo.log.clear()
    assert demo.log.paths() == []


def test_concurrent_requests_are_all_logged(demo: DemoServer, site: DemoSite) -> None:
    demo.log.clear()
    urls = site.non_article_urls()[:40]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda u: fetch(u).status, urls))
    assert statuses == [200] * len(urls)
    assert sorted(demo.log.urls()) == sorted(urls)


def test_shuts_down_cleanly() -> None:
    before = {t.ident for t in threading.enumerate()}
    site = DemoSite.load()
    with serve_demo_site(site) as server:
        ports = list(server.ports().values())
        assert fetch(server.url("harbor", "/")).status == 200
        assert len(threading.enumerate()) > len(before)
    assert {t.ident for t in threading.enumerate() if t.is_alive()} <= before
    for port in ports:
        with socket.socket() as sock, pytest.raises(OSError):
            sock.settimeout(1)
            sock.connect(("127.0.0.1", port))


def test_link_crawl_reaches_every_article_and_no_link_is_broken(
    demo: DemoServer, site: DemoSite
) -> None:
    """A naive same-origin crawler that honours /private/ finds every article and no 404."""
    demo.log.clear()
    origins = set(demo.base_urls.values())
    queue = list(site.start_urls())
    seen: set[str] = set(queue)
    reached: set[str] = set()
    broken = []
    while queue and len(seen) < 600:
        url = queue.pop()
        answer = fetch(url)
        if answer.status == 301:
            target = answer.headers["Location"]
            if target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if answer.status != 200:
            broken.append((url, answer.status))
            continue
        reached.add(url.split("?", 1)[0])
        if not answer.content_type.startswith("text/html"):
            continue
        doc = lxml.html.fromstring(answer.body)
        for href in doc.xpath("//a/@href"):
            link = lxml.html.urljoin(url, href).split("#", 1)[0]
            parts = urlsplit(link)
            if f"{parts.scheme}://{parts.netloc}" not in origins or site.is_forbidden(parts.path):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert broken == []
    assert {a["url"] for a in site.expected_articles()} <= reached
    assert set(site.non_article_urls()) <= reached
    assert not any(site.is_forbidden(p) for p in demo.log.paths())
