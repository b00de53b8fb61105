"""Timing helpers shared by the benchmarks: medians of repeats and ratio lines."""

from __future__ import annotations

import gc
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


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


@contextmanager
def collector_off() -> Iterator[None]:
    """Time with the cyclic garbage collector off (timeit's convention), restored afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
