"""pandas frames with Arrow-backed or nullable columns give the figures of NumPy-backed ones.

`DataFrame.convert_dtypes(dtype_backend="pyarrow")` (or reading a Parquet file with
``dtype_backend="pyarrow"``) gives Arrow-backed timestamp columns, which have no NumPy
integer view: every KPI raised an untyped ``AttributeError`` on them before.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from ordercore.kpi import (
    backorder_rate,
    cycle_time,
    fill_rate,
    generate,
    line_report,
    monthly_report,
    order_accuracy,
    otif,
    perfect_order,
    return_rate,
    survey_score,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_DATA = generate(300, seed=2)
_AS_OF = _DATA.as_of
Frames = tuple[Any, Any, Any, Any]

_KPIS: dict[str, Callable[[Frames], Any]] = {
    "otif": lambda f: otif(f[0], as_of=_AS_OF),
    "cycle_time": lambda f: cycle_time(f[0], as_of=_AS_OF),
    "fill_rate": lambda f: fill_rate(f[1], as_of=_AS_OF),
    "order_accuracy": lambda f: order_accuracy(f[0], f[2], as_of=_AS_OF),
    "perfect_order": lambda f: perfect_order(f[0], f[2], as_of=_AS_OF),
    "return_rate": lambda f: return_rate(f[1], as_of=_AS_OF),
    "backorder_rate": lambda f: backorder_rate(f[1], as_of=_AS_OF),
    "survey_score": lambda f: survey_score(f[3], "csat", as_of=_AS_OF),
    "monthly_report": lambda f: monthly_report(
        f[0], surveys=f[3], errors=f[2], as_of=_AS_OF, by=["channel"]
    ),
    "line_report": lambda f: line_report(f[1], as_of=_AS_OF),
}


def _figure(result: Any) -> Any:
    frame = getattr(result, "frame", None)
    if frame is None:
        return (result.value, result.numerator, result.denominator, dict(result.exclusions))
    rows = frame.astype(object).to_dict("records")
    return [
        {
            k: None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
            for k, v in r.items()
        }
        for r in rows
    ]


@pytest.mark.parametrize("backend", ["pyarrow", "numpy_nullable"])
@pytest.mark.parametrize("kpi", sorted(_KPIS))
def test_the_pandas_dtype_backend_does_not_change_a_figure(kpi: str, backend: str) -> None:
    plain: Frames = (_DATA.orders, _DATA.lines, _DATA.errors, _DATA.surveys)
    converted = tuple(f.convert_dtypes(dtype_backend=backend) for f in plain)
    if backend == "pyarrow":
        assert isinstance(converted[0]["received_at"].dtype, pd.ArrowDtype)
    assert _figure(_KPIS[kpi](converted)) == _figure(_KPIS[kpi](plain))
