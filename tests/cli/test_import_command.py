"""`newscrawl import`: an export read back into an archive, by upsert or by the bulk path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscrawl.archive import Archive
from newscrawl.archive.fts import check
from newscrawl.cli.main import cli

COMPARED = ("url", "title", "authors", "published", "language", "source", "tags", "text")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _export(archive_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "news.jsonl"
    code, output = run(
        "export", "--format", "jsonl", "--output", str(out), "--db", str(archive_path)
    )
    assert code == 0, output
    return out


def _articles(path: Path) -> list[dict[str, object]]:
    with Archive.open(path, create=False) as archive:
        rows = archive.conn.execute("SELECT * FROM articles ORDER BY url").fetchall()
        assert check(archive.conn).ok
    return [{k: row[k] for k in COMPARED} for row in rows]


@pytest.mark.parametrize("bulk", [False, True])
def test_export_then_import_round_trips(archive_path: Path, tmp_path: Path, bulk: bool) -> None:
    exported = _export(archive_path, tmp_path)
    target = tmp_path / "copy.db"
    code, out = run("import", str(exported), "--db", str(target), *(["--bulk"] if bulk else []))
    assert code == 0, out
    if bulk:
        assert out == f"Imported 3 articles into {target} (0 skipped: URL already archived).\n"
    else:
        assert out == f"Imported 3 articles into {target}: 3 new, 0 updated, 0 unchanged.\n"
    assert _articles(target) == _articles(archive_path)
    with Archive.open(target, create=False) as archive:
        first_seen = {r[0] for r in archive.conn.execute("SELECT first_seen FROM articles")}
        versions = archive.conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    assert first_seen == {"2025-09-04T00:00:00Z"}
    assert versions == 3
    # A second import changes nothing.
    code, out = run("import", str(exported), "--db", str(target), *(["--bulk"] if bulk else []))
    assert code == 0, out
    assert ("3 skipped" if bulk else "0 new, 0 updated, 3 unchanged") in out
    assert len(_articles(target)) == 3


def test_import_upserts_changed_articles_as_new_versions(
    archive_path: Path, tmp_path: Path
) -> None:
    exported = _export(archive_path, tmp_path)
    lines = exported.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["title"] = "A corrected headline"
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps(first) + "\n\n" + lines[1] + "\n", encoding="utf-8")
    code, out = run("import", str(changed), "--db", str(archive_path))
    assert code == 0, out
    assert out.endswith("0 new, 1 updated, 1 unchanged.\n")
    with Archive.open(archive_path, create=False) as archive:
        assert archive.get_article(first["url"])["title"] == "A corrected headline"
        reasons = [
            r[0]
            for r in archive.conn.execute(
                "SELECT reason FROM article_versions WHERE url = ? ORDER BY version",
                (first["url"],),
            )
        ]
    assert reasons == ["crawl", "import"]


def test_import_reports_a_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://a.example/1", "title": "One"}\n{not json\n', encoding="utf-8")
    code, out = run("import", str(bad), "--db", str(tmp_path / "x.db"))
    assert code == 1
    assert f"Error: {bad} line 2: not valid JSON" in out


def test_import_help_has_an_example() -> None:
    code, out = run("import", "--help")
    assert code == 0
    assert "Example:" in out
