"""Every install line the README and the docs show names the real distribution and real extras."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The pages, and the library's own messages and docstrings (an ImportError's install hint).
PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / "src").rglob("*.py")),
]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DISTRIBUTION = PROJECT["name"]
EXTRAS = frozenset(PROJECT["optional-dependencies"])

# `pip install` and what follows on the line, up to the end of a code span or a comment.
INSTALL = re.compile(r"pip install((?:\s+[^\s`#]+)+)")
# A requirement: a name or a local path, then optional [extras] (quotes stripped first).
REQUIREMENT = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*|\.)(?:\[(?P<extras>[^\]]*)\])?")
# `ordercore[...]` or `ordercore-anything[...]` in prose: an extra of the distribution.
EXTRA_MENTION = re.compile(r"\b(?P<name>ordercore[A-Za-z0-9._-]*)\[(?P<extras>[^\]]*)\]")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _known_names() -> frozenset[str]:
    # Third-party packages a page may tell readers to install: those the project depends on.
    specs = [
        *PROJECT["dependencies"],
        *(s for g in PROJECT["optional-dependencies"].values() for s in g),
    ]
    names = (re.match(r"[A-Za-z0-9._-]+", spec) for spec in specs)
    return frozenset(_normalised(m.group(0)) for m in names if m)


def _install_lines() -> list[tuple[str, str]]:
    return [
        (f"{page.relative_to(ROOT)}:{number}", match.group(1))
        for page in PAGES
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        for match in INSTALL.finditer(line)
    ]


LINES = _install_lines()


def test_the_distribution_is_not_the_unrelated_ordercore_on_the_index() -> None:
    assert _normalised(DISTRIBUTION) == "ordercore-domain"


def test_the_readme_and_the_getting_started_page_show_an_install_line() -> None:
    where = {place.split(":")[0] for place, _ in LINES}
    assert {"README.md", "docs/getting-started.md"} <= where


@pytest.mark.parametrize(("place", "arguments"), LINES, ids=[place for place, _ in LINES])
def test_an_install_line_names_the_distribution_and_existing_extras(
    place: str, arguments: str
) -> None:
    requirements = []
    for argument in arguments.split():
        # In the library's own strings the line ends with the string: its quote, a bracket.
        closed = argument.rstrip("\"'),")
        if not argument.startswith("-"):
            requirements.append(closed.strip("\"'"))
        if argument.endswith((")", ",")):  # the string and the call it is in are over
            break
    assert requirements, f"{place}: nothing installed"
    for requirement in requirements:
        match = REQUIREMENT.fullmatch(requirement)
        assert match, f"{place}: {requirement!r} is not a requirement this test understands"
        name = match["name"]
        if name == "." or _normalised(name).startswith("ordercore"):
            assert name == "." or _normalised(name) == _normalised(DISTRIBUTION), (
                f"{place}: {name!r} is not this project's distribution {DISTRIBUTION!r}"
            )
        else:
            assert _normalised(name) in _known_names(), (
                f"{place}: {name!r} is neither {DISTRIBUTION!r} nor one of its dependencies"
            )
        extras = {e.strip() for e in (match["extras"] or "").split(",") if e.strip()}
        assert extras <= EXTRAS, f"{place}: unknown extras {sorted(extras - EXTRAS)}"


def test_every_extra_mentioned_in_prose_belongs_to_the_distribution_and_exists() -> None:
    problems = []
    for page in PAGES:
        for match in EXTRA_MENTION.finditer(page.read_text(encoding="utf-8")):
            extras = {e.strip() for e in match["extras"].split(",")}
            if _normalised(match["name"]) != _normalised(DISTRIBUTION) or not extras <= EXTRAS:
                problems.append(f"{page.relative_to(ROOT)}: {match.group(0)}")
    assert not problems
