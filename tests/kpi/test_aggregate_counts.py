"""`_backend.aggregate` with `Count`: pandas counts per group number, the others by expression.

On pandas with keys, flags are counted as the bits of one byte per row, eight at a time; the
figures must be what summing each flag per group gives, for any number of flags, null keys,
empty frames and groups without a single true flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from ordercore.kpi import _backend


def _frame(rows: int, flags: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    month = rng.choice([202601, 202602, 202603], size=rows).astype("float64")
    month[rng.random(rows) < 0.1] = np.nan  # null keys form a group of their own
    data: dict[str, object] = {"month": pd.array(month, dtype="Int64")}
    for i in range(flags):
        data[f"f{i}"] = rng.random(rows) < (i + 1) / (flags + 2)
    data["h"] = rng.random(rows) * 100
    return pd.DataFrame(data)


def _expected(frame: pd.DataFrame, flags: int) -> dict[object, dict[str, int]]:
    out: dict[object, dict[str, int]] = {}
    keys = frame["month"].astype("object").where(frame["month"].notna(), None)
    for key, group in frame.groupby(keys, dropna=False):
        out[None if pd.isna(key) else int(key)] = {
            "rows": len(group),
            **{f"n{i}": int(group[f"f{i}"].sum()) for i in range(flags)},
        }
    return out


def _measures(flags: int) -> dict[str, _backend.Measure]:
    return {
        "rows": _backend.Count(),
        **{f"n{i}": _backend.Count(f"f{i}") for i in range(flags)},
        "p50": _backend.Quantile("h", 0.5),
    }


def _got(native: object, flags: int) -> dict[object, dict[str, int]]:
    out = _backend.aggregate(_backend.lazy(native), ["month"], _measures(flags)).collect()
    found: dict[object, dict[str, int]] = {}
    for row in out.rows(named=True):
        key = None if pd.isna(row["month"]) else int(row["month"])
        found[key] = {
            "rows": int(row["rows"]),
            **{f"n{i}": int(row[f"n{i}"]) for i in range(flags)},
        }
    return found


@pytest.mark.parametrize("flags", [1, 8, 9, 17])
@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_counts_per_group_are_the_sums_of_each_flag(backend: str, flags: int) -> None:
    frame = _frame(3_000, flags, seed=flags)
    native = frame if backend == "pandas" else pl.from_pandas(frame)
    assert _got(native, flags) == _expected(frame, flags)


def test_a_flag_never_true_counts_zero_in_every_group() -> None:
    frame = _frame(500, 3, seed=1).assign(f1=False)
    assert {k: v["n1"] for k, v in _got(frame, 3).items()} == dict.fromkeys(_expected(frame, 3), 0)


def test_an_empty_frame_has_no_groups() -> None:
    assert _got(_frame(0, 9, seed=2), 9) == {}
