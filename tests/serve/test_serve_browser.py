"""`newscrawl serve` in a real headless Chromium: search, highlighted snippet, article, chart.

Needs Debian's ``chromium`` and ``chromium-driver``; without them this test fails (CI installs
them). Screenshots are saved under pytest's tmp dir and their paths printed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_data import COUNCIL_URL, GAZETTE_TITLE

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)
INSTALL = "apt-get install -y chromium chromium-driver"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_argv(db: Path, port: int) -> list[str]:
    """`newscrawl serve` through the main command when it is registered there."""
    from newscrawl.cli.main import cli

    args = ["--db", str(db), "--host", "127.0.0.1", "--port", str(port), "--no-open"]
    if "serve" in getattr(cli, "commands", {}):
        return [sys.executable, "-m", "newscrawl.cli.main", "serve", *args]
    return [sys.executable, "-m", "newscrawl.cli.serve", *args]


@pytest.fixture
def server(web_archive_path: Path, tmp_path: Path) -> Iterator[str]:
    """A `newscrawl serve` subprocess on a free 127.0.0.1 port; yields its base URL."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        serve_argv(web_archive_path, port), stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"newscrawl serve exited early:\n{(tmp_path / 'serve.log').read_text()}"
                )
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("newscrawl serve did not answer within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium through chromedriver (selenium), with a fresh profile."""
    chromium = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail(f"headless browser test needs Chromium and chromedriver: {INSTALL}")
    try:
        from selenium import webdriver
    except ImportError:
        pytest.fail("headless browser test needs selenium: pip install -e '.[dev]'")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    service = webdriver.ChromeService(executable_path=driver_path)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, path: Path) -> None:
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    print(f"screenshot: {path}")
    extra = os.environ.get("NEWSCRAWL_ARTIFACTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


@pytest.mark.e2e
def test_search_in_a_real_browser(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 15)
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "Search articles").click()
    words = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, 'input[name="words"]')))
    sort = browser.find_element(By.CSS_SELECTOR, 'select[name="sort"]')
    assert [o.text for o in sort.find_elements(By.TAG_NAME, "option")][0] == "relevance"
    words.send_keys("parade")
    browser.find_element(By.CSS_SELECTOR, 'form.sql input[type="submit"]').click()
    wait.until(ec.url_contains("words=parade"))
    rows = wait.until(
        ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.rows-and-columns tbody tr"))
    )
    assert len(rows) == 3
    first = rows[0]
    assert first.find_element(By.CSS_SELECTOR, "td.col-title").text == GAZETTE_TITLE
    marks = first.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")
    assert marks and all(m.text.lower() == "parade" for m in marks)
    assert first.find_element(By.CSS_SELECTOR, "td.col-authors").text == "Jane Doe, Min-jun Park"
    screenshot(browser, tmp_path / "search.png")

    # Newest first puts the body-only match on top.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.CSS_SELECTOR, 'select[name="sort"]')).select_by_value("newest")
    browser.find_element(By.CSS_SELECTOR, 'form.sql input[type="submit"]').click()
    wait.until(ec.url_contains("sort=newest"))
    link = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr td.col-url a")
    assert link.get_attribute("href") == COUNCIL_URL

    # Hostile text: results page, no error.
    words = browser.find_element(By.CSS_SELECTOR, 'input[name="words"]')
    words.clear()
    words.send_keys('"unbalanced NEAR( col:x *')
    browser.find_element(By.CSS_SELECTOR, 'form.sql input[type="submit"]').click()
    wait.until(ec.url_contains("unbalanced"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".message-error")
    assert "Search articles" in browser.title or browser.find_element(By.TAG_NAME, "h1")

    # The article view: full text and the original URL.
    browser.get(server + "/news/search?words=parade")
    browser.find_element(By.LINK_TEXT, GAZETTE_TITLE).click()
    article = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article")))
    assert "armoured train to Beijing" in article.text
    assert (
        article.find_element(By.CSS_SELECTOR, "a.original-url")
        .get_attribute("href")
        .startswith("https://gazette.example/")
    )
    screenshot(browser, tmp_path / "article.png")

    # The chart.
    browser.get(server + "/-/newscrawl/stats")
    bars = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "svg rect.bar")))
    assert len(bars) == 5
    screenshot(browser, tmp_path / "stats.png")
