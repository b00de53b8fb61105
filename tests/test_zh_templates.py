"""Every message template and label a person reads exists in English and Chinese.

Walks the catalogues of labels, review messages, durations, risk explanations and the KPI
views. Each entry must have both texts with the same placeholders (a field ``x_zh`` in
Chinese stands for ``x`` in English), the Chinese text must be Chinese (no English words
left, beyond the abbreviations a Chinese reader uses), and neither may carry raw Python text.

The lifecycle guards' refusals are no catalogue: each is written where its guard refuses,
from the order's facts, so they are checked by making every guard refuse
(`tests/lifecycle/test_refusals_zh.py`, with the same checks from `_zh_support`).
"""

from __future__ import annotations

from string import Formatter
from typing import TYPE_CHECKING, Any

import pytest

from _zh_support import ABBREVIATIONS, CJK, ENGLISH_WORD, RAW_PYTHON
from ordercore._durations import UNITS
from ordercore.kpi import _texts as kpi_texts
from ordercore.labels import LABELS
from ordercore.risk import _texts as risk_texts
from ordercore.validation import CODES

if TYPE_CHECKING:
    from collections.abc import Mapping

CATALOGUES: dict[str, Mapping[Any, tuple[str, str]]] = {
    "labels": LABELS,
    "review": {code: (spec.en, spec.zh) for code, spec in CODES.items()},
    "durations": UNITS,
    "risk explanation": risk_texts.EXPLAIN,
    "risk roles": risk_texts.ROLES,
    "kpi columns": kpi_texts.COLUMNS,
    "kpi table": kpi_texts.TABLE,
    "kpi chart": kpi_texts.CHART,
    "kpi alerts": kpi_texts.ALERTS,
    "kpi references": kpi_texts.REFERENCES,
}
ENTRIES = [
    pytest.param(en, zh, id=f"{name}:{key}")
    for name, catalogue in CATALOGUES.items()
    for key, (en, zh) in catalogue.items()
]
CHINESE = [pytest.param(entry.values[1], id=entry.id) for entry in ENTRIES]
ENGLISH = [pytest.param(entry.values[0], id=entry.id) for entry in ENTRIES]


def _fields(template: str) -> set[str]:
    names = {field for _, field, _, _ in Formatter().parse(template) if field is not None}
    return {name.removesuffix("_zh") for name in names}


def _prose(template: str) -> str:
    """The template without its placeholders."""
    return "".join(literal for literal, _, _, _ in Formatter().parse(template))


def test_the_walk_covers_every_catalogue() -> None:
    assert all(CATALOGUES.values())
    assert len(ENTRIES) > 400


@pytest.mark.parametrize(("en", "zh"), ENTRIES)
def test_both_languages_are_given(en: str, zh: str) -> None:
    assert en.strip()
    assert zh.strip()


@pytest.mark.parametrize(("en", "zh"), ENTRIES)
def test_both_languages_name_the_same_placeholders(en: str, zh: str) -> None:
    assert _fields(en) == _fields(zh)


@pytest.mark.parametrize(("en", "zh"), ENTRIES)
def test_the_chinese_text_is_chinese(en: str, zh: str) -> None:
    prose = _prose(zh)
    neutral = prose == _prose(en) and not ENGLISH_WORD.search(prose)
    assert neutral or CJK.search(prose), f"untranslated: {zh!r}"


@pytest.mark.parametrize("zh", CHINESE)
def test_the_chinese_text_has_no_english_words(zh: str) -> None:
    words = set(ENGLISH_WORD.findall(_prose(zh))) - ABBREVIATIONS
    assert not words, f"English left in {zh!r}"


@pytest.mark.parametrize("en", ENGLISH)
def test_the_english_text_has_no_chinese(en: str) -> None:
    assert not CJK.search(_prose(en))


@pytest.mark.parametrize(("en", "zh"), ENTRIES)
def test_neither_text_carries_raw_python(en: str, zh: str) -> None:
    assert not RAW_PYTHON.search(_prose(en))
    assert not RAW_PYTHON.search(_prose(zh))


def test_the_check_for_raw_python_finds_a_timedelta_and_a_none_in_a_sentence() -> None:
    assert RAW_PYTHON.search("检查窗口 3 days, 0:00:00")
    assert RAW_PYTHON.search("客户 None 已被冻结")
    assert not RAW_PYTHON.search("None")


def test_the_check_for_english_words_finds_one() -> None:
    assert ENGLISH_WORD.findall(_prose("监督：heightened，{roles}")) == ["heightened"]


def test_the_check_for_placeholders_tells_x_zh_from_a_missing_one() -> None:
    assert _fields("{what_zh}要求交期 {observed}") == _fields("{what} requested for {observed}")
    assert _fields("检查窗口 {expected}") != _fields("window {window}")
