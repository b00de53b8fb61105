"""Checks that a Chinese text is Chinese: shared by the template walk and the refusal tests."""

from __future__ import annotations

import re

# Abbreviations written in Latin letters in Chinese business text too.
ABBREVIATIONS = {"EDI", "API", "OTIF", "CSAT", "SKU", "RMA", "UTC", "KPI"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# Python's own spellings: None or a bool inside a sentence (the label "None" is a word), a
# timedelta's str, reprs of decimals and dates.
RAW_PYTHON = re.compile(
    r".\b(None|True|False)\b|\b(None|True|False)\b.|timedelta|datetime\.|Decimal\(|\d days?, \d+:\d\d"
)
# What a refusal names as the API spells it: ids and codes (with a digit, an underscore, a
# hyphen, a colon or a dot: SO-1, case_id, user:li.wei), field paths (lines[2].line_id), class names (IssueRefund), currency
# codes (CNY) and anything quoted ('DN-9').
IDENTIFIER = re.compile(
    r"'[^']*'"
    r"|[A-Za-z_]\w*\[\d+\][\w.\[\]]*"
    r"|[A-Za-z0-9]*(?:[0-9_:.\-][A-Za-z0-9]*)*[0-9_:.\-][A-Za-z0-9_:.\-]*"
    r"|[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+"
    r"|\b[A-Z]{3}\b"
)
# The facts a refusal gives: anything with a digit (ids, quantities, amounts, dates) and
# currency codes.
FACT = re.compile(r"[\w'.:+\-]*\d[\w'.:+\-]*|\b[A-Z]{3}\b")


def english_words(zh: str) -> set[str]:
    """The English words a Chinese text still has, beyond identifiers and abbreviations."""
    return set(ENGLISH_WORD.findall(IDENTIFIER.sub(" ", zh))) - ABBREVIATIONS


def facts(text: str) -> set[str]:
    """The ids, numbers, amounts and dates of a text (trailing dots and colons dropped)."""
    return {found.rstrip(".:") for found in FACT.findall(text)}
