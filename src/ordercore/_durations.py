"""Durations as a person reads them: ``3 days`` and ``3 天``, never ``3 days, 0:00:00``."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import Final

from ordercore._lang import is_zh

__all__ = ["UNITS", "duration_text"]

UNITS: Final = MappingProxyType(
    {
        "day": ("{n} day", "{n} 天"),
        "days": ("{n} days", "{n} 天"),
        "hour": ("{n} hour", "{n} 小时"),
        "hours": ("{n} hours", "{n} 小时"),
        "minute": ("{n} minute", "{n} 分钟"),
        "minutes": ("{n} minutes", "{n} 分钟"),
        "second": ("{n} second", "{n} 秒"),
        "seconds": ("{n} seconds", "{n} 秒"),
        "negative": ("minus {span}", "负 {span}"),
    }
)
"""The unit templates, English and Chinese: ``name -> (en, zh)``."""

_STEPS: Final = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))


def duration_text(span: timedelta, lang: str = "en") -> str:
    """A duration in days, hours, minutes and seconds, leaving out the zero parts.

    Microseconds are dropped (a review window is not that fine).

    Args:
        span: The duration.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        ValueError: If the language is neither English nor Chinese.

    Examples:
        >>> duration_text(timedelta(days=3)), duration_text(timedelta(days=3), "zh")
        ('3 days', '3 天')
        >>> duration_text(timedelta(hours=36, minutes=1), "zh")
        '1 天 12 小时 1 分钟'
        >>> duration_text(timedelta(hours=1)), duration_text(timedelta(0))
        ('1 hour', '0 seconds')
    """
    index = 1 if is_zh(lang) else 0
    seconds = int(abs(span).total_seconds())
    parts: list[str] = []
    for unit, size in _STEPS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(UNITS[unit if count == 1 else unit + "s"][index].format(n=count))
    shown = " ".join(parts) or UNITS["seconds"][index].format(n=0)
    return UNITS["negative"][index].format(span=shown) if span < timedelta(0) and parts else shown
