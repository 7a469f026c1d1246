"""The demo site's data and its truth for tests (no sockets needed)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newscrawl.demo import DemoSite, Traps, seed_article
from newscrawl.demo.data import looks_like_heading, slugify, to_utc_z

BASES = {
    "harbor": "http://127.0.0.1:8101",
    "valley": "http://127.0.0.1:8102",
    "lac": "http://127.0.0.1:8103",
    "nord": "http://127.0.0.1:8104",
}

SAMPLE_SEED = """A Ferry Strike Ends After Nine Days
Ferry crews in the fictional port returned to work on Friday after nine days on strike.
What the deal includes
The agreement raises wages by six percent over two years and adds a crew member on night runs.
Union leaders said members approved the deal by a wide margin at a meeting on Thursday evening.
"""


def _seed_files() -> list[Path]:
    """Seed texts shared with the project (first line title, rest body), wherever they are."""
    for folder in (
        Path("/work/shared/seed"),
        Path(__file__).resolve().parents[3] / "shared" / "seed",
    ):
        if folder.is_dir():
            files = sorted(folder.glob("*.txt"))
            if files:
                return files
    return []


@pytest.fixture()
def bound() -> DemoSite:
    site = DemoSite.load()
    site.bind(BASES)
    return site


def test_publishers_and_article_counts(bound: DemoSite) -> None:
    assert list(bound.publishers) == ["harbor", "valley", "lac", "nord"]
    expected = bound.expected_articles()
    assert len(expected) == 30
    assert {a["language"] for a in expected} == {"en", "fr", "de", "ja"}
    assert {a["style"] for a in expected} == {"jsonld", "opengraph", "microdata", "plain"}
    assert len({a["url"] for a in expected}) == len(expected)


def test_articles_are_realistic(bound: DemoSite) -> None:
    arts = bound.articles()
    assert any(len(a.authors) == 2 for a in arts)
    assert any(not a.authors for a in arts)
    assert sum(1 for a in arts if a.modified) >= 4
    offsets = {a.published_dt.utcoffset() for a in arts}
    assert len(offsets) >= 4
    for art in arts:
        assert art.title and art.description and art.section and art.tags
        assert len(art.paragraphs) >= 3, art.slug
        assert art.headings, art.slug
        if art.language != "ja":
            assert 120 <= art.word_count() <= 350, (art.slug, art.word_count())


def test_expected_article_fields(bound: DemoSite) -> None:
    for exp in bound.expected_articles():
        assert exp["url"].startswith(BASES[exp["publisher_key"]] + "/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", exp["published"])
        raw = datetime.fromisoformat(exp["published_raw"])
        assert raw.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") == exp["published"]
        assert exp["modified"] is None or exp["modified"] > exp["published"]
        assert isinstance(exp["text"], list) and all(isinstance(p, str) for p in exp["text"])
        assert exp["publisher"] == bound.publishers[exp["publisher_key"]].name
        assert not exp["extra"]


def test_truth_lists(bound: DemoSite) -> None:
    assert bound.start_urls() == [b + "/" for b in BASES.values()]
    assert bound.feed_urls() == [BASES["harbor"] + "/feed.xml", BASES["valley"] + "/atom.xml"]
    assert len(bound.sitemap_urls()) == 3
    assert bound.forbidden_paths() == ["/private/"]
    assert bound.forbidden_urls() and all("/private/" in u for u in bound.forbidden_urls())
    article_urls = {a["url"] for a in bound.expected_articles()}
    non_articles = bound.non_article_urls()
    assert len(non_articles) > 40
    assert not article_urls & set(non_articles)
    assert len(bound.amp_urls()) == 3
    assert len(bound.redirects()) == 1
    ((copy, original),) = bound.syndicated_copies().items()
    assert copy.startswith(BASES["valley"]) and original in article_urls


def test_unbound_site_refuses_to_render() -> None:
    site = DemoSite.load()
    with pytest.raises(RuntimeError):
        site.render("harbor", "/")
    with pytest.raises(RuntimeError):
        site.expected_articles()


def test_traps_off(bound: DemoSite) -> None:
    plain = DemoSite.load(traps=Traps.none())
    plain.bind(BASES)
    assert plain.amp_urls() == {} and plain.redirects() == {} and plain.syndicated_copies() == {}
    assert plain.forbidden_urls() == []
    assert {a["encoding"] for a in plain.expected_articles()} == {"utf-8"}
    home = plain.render("harbor", "/").body.decode("utf-8")
    assert "utm_" not in home and "/amp/" not in home and "/private/" not in home
    assert "#comments" not in home
    assert plain.render("harbor", "/amp" + plain.article_path(plain.articles()[0])).status == 404


def test_extra_article_from_dict(bound: DemoSite) -> None:
    site = DemoSite.load(
        [
            {
                "title": "Extra: Lighthouse Keeper Retires",
                "text": SAMPLE_SEED.split("\n", 1)[1],
                "publisher": "nord",
                "authors": ["Erika Muster"],
                "published": "2025-09-04T09:30:00+02:00",
            }
        ]
    )
    site.bind(BASES)
    extra = [a for a in site.expected_articles() if a["extra"]]
    assert len(extra) == 1
    exp = extra[0]
    assert exp["publisher_key"] == "nord" and exp["language"] == "de"
    assert exp["published"] == "2025-09-04T07:30:00Z"
    assert exp["headings"] == ["What the deal includes"]
    assert len(exp["text"]) == 3
    path = exp["url"].removeprefix(BASES["nord"])
    page = site.render("nord", path)
    assert page.status == 200
    assert b"Extra: Lighthouse Keeper Retires" in page.body
    home = site.render("nord", "/").body.decode("utf-8")
    assert path in home  # newest article, so on the first home page


@pytest.mark.parametrize("publisher", ["harbor", "valley", "lac"])
def test_seed_articles_from_shared_folder(publisher: str, tmp_path: Path) -> None:
    files = _seed_files()
    if not files:
        files = [tmp_path / "sample.txt"]
        files[0].write_text(SAMPLE_SEED, encoding="utf-8")
    extras = [seed_article(f, publisher=publisher) for f in files]
    site = DemoSite.load(extras)
    site.bind(BASES)
    found = [a for a in site.expected_articles() if a["extra"]]
    assert len(found) == len(files)
    for exp, path in zip(found, files, strict=True):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert exp["title"] == lines[0].strip()
        body_lines = [" ".join(ln.split()) for ln in lines[1:]]
        assert exp["text"] + exp["headings"]
        assert set(exp["text"]) | set(exp["headings"]) == set(body_lines)
        resource = site.render(publisher, exp["url"].removeprefix(BASES[publisher]))
        assert resource.status == 200
        enc = exp["encoding"]
        for paragraph in exp["text"]:
            assert paragraph.encode(enc, errors="xmlcharrefreplace") in resource.body


def test_helpers() -> None:
    assert slugify("Élodie Favre") == "elodie-favre"
    assert slugify("Farm & Ranch") == "farm-ranch"
    assert slugify("三浜市").startswith("x")
    assert to_utc_z("2025-09-01T18:45:00-07:00") == "2025-09-02T01:45:00Z"
    assert looks_like_heading("Preparing for a Major Diplomatic Appearance")
    assert not looks_like_heading("Kim departed Pyongyang on Monday evening.")
