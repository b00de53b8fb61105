"""The docs site: built from any directory, complete offline, searchable in Chinese and by identifier.

The site is built once per session, from a scratch working directory, exactly as `make docs`
builds it (``--strict``). The browser checks run Debian's Chromium against the site served on
127.0.0.1 with every other host unresolvable; they skip only where no Chromium is installed,
and under CI (``CI`` set, as `.ci/run` runs) a missing Chromium is a failure instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from _browser_support import Browser, SiteServer, attributes, find_chromium, walk

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "docs_hooks" / "offline.py"
MERMAID_VERSION = re.search(r'MERMAID_VERSION: Final = "([^"]+)"', HOOK.read_text()).group(1)  # type: ignore[union-attr]
TAG = re.compile(r"<[^>]+>")
LOCAL = ("data:", "blob:", "about:")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(  # noqa: S603 - the project's own docs build
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(target),
        ],
        cwd=elsewhere,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return target


@pytest.fixture(scope="session")
def search_index(site: Path) -> dict[str, Any]:
    index: dict[str, Any] = json.loads((site / "search" / "search_index.json").read_text())
    return index


def _page(location: str) -> str:
    return location.split("#", 1)[0]


def _pages_with_text(index: dict[str, Any], text: str) -> set[str]:
    return {
        _page(doc["location"])
        for doc in index["docs"]
        if text in TAG.sub("", doc["title"] + doc["text"]).replace("\u200b", "")
    }


def _pages_with_term(index: dict[str, Any], term: str) -> set[str]:
    # As the theme's search worker tokenises: markup skipped, split by the separator, lower case.
    separator = re.compile(index["config"]["separator"])
    found: defaultdict[str, set[str]] = defaultdict(set)
    for doc in index["docs"]:
        for text in (doc["title"], doc["text"]):
            found[_page(doc["location"])] |= {
                t.lower() for t in separator.split(TAG.sub(" ", text)) if t
            }
    return {page for page, terms in found.items() if term in terms}


# --- the build --------------------------------------------------------------------------


def test_the_site_builds_from_another_working_directory_with_the_changelog(site: Path) -> None:
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog


def test_the_lifecycle_page_loads_the_pinned_mermaid_from_the_site(site: Path) -> None:
    asset = f"assets/javascripts/mermaid-{MERMAID_VERSION}.min.js"
    page = (site / "lifecycle" / "index.html").read_text(encoding="utf-8")
    assert f'src="../{asset}"' in page
    assert (
        (site / asset)
        .read_bytes()
        .rstrip()
        .endswith(
            b'globalThis["mermaid"] = globalThis.__esbuild_esm_mermaid_nm["mermaid"].default;'
        )
    )


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    # Links to other sites are fine; scripts, styles, fonts, images and preconnects are not.
    loads = re.compile(
        r"<(?:script|img|iframe|source)[^>]*\ssrc=\"(?:https?:)?//"
        r"|<link[^>]*\srel=\"(?:stylesheet|preconnect|preload|dns-prefetch|icon|modulepreload)\"[^>]*\shref=\"(?:https?:)?//"
        r"|url\((?:[\"']?)(?:https?:)?//"
    )
    offending = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.suffix in {".html", ".css"} and loads.search(path.read_text(encoding="utf-8"))
    ]
    assert not offending


# --- the search index -------------------------------------------------------------------


@pytest.mark.parametrize("term", ["信用额度", "订单审核", "交货期"])
def test_a_chinese_term_is_a_search_term_on_every_page_where_it_occurs(
    search_index: dict[str, Any], term: str
) -> None:
    pages = _pages_with_text(search_index, term)
    assert pages
    assert _pages_with_term(search_index, term) == pages


def test_an_identifier_with_underscores_is_one_search_term(search_index: dict[str, Any]) -> None:
    pages = _pages_with_text(search_index, "otif_rate")
    assert pages
    assert _pages_with_term(search_index, "otif_rate") == pages


def test_a_dotted_name_is_found_by_its_parts(search_index: dict[str, Any]) -> None:
    assert _pages_with_term(search_index, "monthly_report")


# --- in a browser, offline --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for the docs checks; .ci/run installs it when missing")
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    with Browser(executable) as opened:
        yield opened


@pytest.fixture(scope="session")
def served(site: Path) -> Iterator[str]:
    with SiteServer(site) as server:
        yield server.url


def _rendered_diagrams(browser: Browser) -> list[bool]:
    # The theme draws each diagram into a closed shadow root, which only the protocol sees.
    return [
        any(inner.get("nodeName", "").lower() == "svg" for inner in walk(node))
        for node in walk(browser.document())
        if node.get("nodeName") == "DIV" and "mermaid" in attributes(node).get("class", "").split()
    ]


def test_the_lifecycle_diagram_renders_as_svg_offline(browser: Browser, served: str) -> None:
    browser.open(f"{served}lifecycle/")
    drawn = browser.wait_for(
        lambda: (found := _rendered_diagrams(browser)) and all(found) and found,
        what="the lifecycle diagram as SVG",
    )
    assert drawn
    assert browser.evaluate("typeof mermaid.render") == "function"


def test_the_lifecycle_page_requests_nothing_from_another_host(
    browser: Browser, served: str
) -> None:
    browser.events.clear()
    browser.open(f"{served}lifecycle/")
    browser.wait_for(lambda: all(_rendered_diagrams(browser) or [False]), what="the diagram")
    requested = browser.requested()
    assert any(url.endswith(f"mermaid-{MERMAID_VERSION}.min.js") for url in requested)
    assert [url for url in requested if not url.startswith((served, *LOCAL))] == []


def _search(browser: Browser, served: str, query: str) -> set[str]:
    browser.open(f"{served}?q={quote(query)}")
    hrefs = browser.wait_for(
        lambda: browser.evaluate(
            "[...document.querySelectorAll('.md-search-result__item > a')]"
            ".map(a => a.getAttribute('href'))"
        ),
        what=f"search results for {query}",
    )
    return {_page(href.removeprefix(served)) for href in hrefs}


@pytest.mark.parametrize("query", ["信用额度", "otif_rate"])
def test_the_sites_search_finds_every_page_with_the_query(
    browser: Browser, served: str, search_index: dict[str, Any], query: str
) -> None:
    assert _search(browser, served, query) == _pages_with_text(search_index, query)
