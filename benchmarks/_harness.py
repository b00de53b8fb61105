"""Timing helpers shared by the benchmarks: medians of repeats and ratio lines."""

from __future__ import annotations

import gc
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence


@dataclass
class Report:
    """Collects figures and prints them, then the ratios against the baseline."""

    name: str
    figures: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, value: float, unit: str = "s") -> None:
        """Record and print one figure."""
        self.figures[label] = value
        self.units[label] = unit
        print(f"{self.name}: {label}: {_fmt(value, unit)}")

    def ratio(
        self, label: str, numerator: str, denominator: str, bar: float | None = None
    ) -> float:
        """Print numerator/denominator, and whether it meets the bar (lower is better)."""
        value = self.figures[numerator] / self.figures[denominator]
        verdict = (
            ""
            if bar is None
            else (f"  [meets bar <= {bar:g}]" if value <= bar else f"  [MISSES bar <= {bar:g}]")
        )
        print(f"{self.name}: ratio {label}: {value:.4g}x{verdict}")
        return value

    def round_ratio(
        self,
        label: str,
        numerator: Sequence[float],
        denominator: Sequence[float],
        bar: float | None = None,
    ) -> float:
        """Print the median of the per-round ratios of two `interleaved` timings."""
        value = statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))
        verdict = (
            ""
            if bar is None
            else (f"  [meets bar <= {bar:g}]" if value <= bar else f"  [MISSES bar <= {bar:g}]")
        )
        spread = sorted(n / d for n, d in zip(numerator, denominator, strict=True))
        print(
            f"{self.name}: ratio {label}: {value:.4g}x (median of {len(spread)} rounds, "
            f"{spread[0]:.3g}-{spread[-1]:.3g}){verdict}"
        )
        return value


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.3f} us"
        if value < 1:
            return f"{value * 1e3:.3f} ms"
        return f"{value:.3f} s"
    return f"{value:.4g} {unit}"


def median_time(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls of `fn`, with the garbage collector settled."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(fns: Mapping[str, Callable[[], object]], rounds: int = 5) -> dict[str, list[float]]:
    """Wall times of each function over `rounds` rounds; a round runs every function once.

    A slow spell of a shared machine then falls on all of them alike: the ratio of two
    functions' times in one round holds better than a ratio of medians taken one function
    after the other.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


@contextmanager
def collector_off() -> Iterator[None]:
    """Time with the cyclic garbage collector off (timeit's convention), restored afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
