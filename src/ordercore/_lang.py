"""Choosing between the English and the Chinese text of a catalogue entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

_ZH = ("zh", "zh-CN", "zh_CN", "zh-Hans")


def is_zh(lang: str) -> bool:
    """Whether `lang` asks for Chinese; ``"en"`` asks for English.

    Raises:
        ValueError: For any other language.

    Examples:
        >>> is_zh("zh-CN"), is_zh("en")
        (True, False)
    """
    if lang in _ZH:
        return True
    if lang == "en":
        return False
    raise ValueError(f"unsupported language {lang!r}; use 'en' or 'zh'")


def text(catalogue: Mapping[str, tuple[str, str]], key: str, lang: str, /, **fields: object) -> str:
    """The entry `key` of an ``{key: (English, Chinese)}`` catalogue, formatted with `fields`.

    Examples:
        >>> text({"late": ("{n} late", "{n} 单延迟")}, "late", "zh", n=3)
        '3 单延迟'
    """
    return catalogue[key][1 if is_zh(lang) else 0].format(**fields)
