# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The monthly assessment in a notebook
#
# A walk through ordercore's KPIs. `kpi_notebook.ipynb` beside this script is the same
# notebook, executed (the test suite checks that the two hold the same cells, and runs the
# notebook with its charts and tables); this "percent" script also runs as a plain script
# (`python examples/kpi_notebook.py`), which writes the charts to `$ORDERCORE_OUTPUT`
# (default `./output`).
#
# Tables and charts show themselves: a report is an HTML table with rates as percentages,
# and `report.plot(...)` returns a figure that Jupyter draws inline, with no `%matplotlib`
# magic and nothing to close.
#
# It uses the seeded frame-level generator; swap in your own export with
# `ordercore.kpi.map_columns` and `check_frame` (see the KPI tutorial in the docs).

# %%
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ordercore.kpi import (
    cycle_time,
    generate,
    monthly_report,
    otif,
    staff_ranking,
    survey_score,
)

OUTPUT = Path(os.environ.get("ORDERCORE_OUTPUT", "output"))
OUTPUT.mkdir(parents=True, exist_ok=True)
TZ = "Asia/Shanghai"

data = generate(80_000, seed=11, months=6)
orders, surveys = data.orders, data.surveys
print(f"{len(orders):,} orders, {len(surveys):,} surveys, as of {data.as_of:%Y-%m-%d}")

# %% [markdown]
# ## Headline figures, each with its sample and interval
#
# Every KPI returns its numerator, denominator, status and interval; a share is shown as a
# percentage, hours and scores as they are.


# %%
def shown(value: float | None, unit: str) -> str:
    """A KPI value for a person: a share as a percentage, hours with their unit."""
    if value is None:
        return "–"
    if unit == "share":
        return f"{100 * value:.1f} %"
    return f"{value:.1f} h" if unit == "hours" else f"{value:.1f}"


results = [
    cycle_time(orders, as_of=data.as_of, tz=TZ),
    otif(orders, "scor_commit", as_of=data.as_of, tz=TZ),
    survey_score(surveys, "csat", tz=TZ),
    survey_score(surveys, "nps", tz=TZ),
]
headline = pd.DataFrame(
    {
        "KPI": [r.name for r in results],
        "value": [shown(r.value, r.unit) for r in results],
        "interval": [
            f"[{shown(r.interval.low, r.unit)}, {shown(r.interval.high, r.unit)}]"
            if r.interval
            else ""
            for r in results
        ],
        "n": [r.denominator for r in results],
        "status": [r.status.value for r in results],
    }
)
headline

# %% [markdown]
# ## The monthly report
#
# One row per month; a figure resting on fewer than 30 observations is shown in parentheses.

# %%
report = monthly_report(orders, surveys=surveys, errors=data.errors, as_of=data.as_of, tz=TZ)
report

# %% [markdown]
# ## Its trend

# %%
trend = report.plot(("on_time_rate", "otif_rate", "perfect_rate"))
trend.savefig(OUTPUT / "notebook_trend.png")
trend

# %% [markdown]
# ## OTIF by channel
#
# One line per channel; points resting on fewer than 30 counted orders are left out of the
# lines (and named under the chart) rather than drawn, and `overall=True` gives the overall
# rate weighted by each channel's counted orders, not the mean of the channel rates.

# %%
by_channel = monthly_report(orders, as_of=data.as_of, tz=TZ, by=["channel"])
per_channel = by_channel.plot(("otif_rate",))
per_channel.savefig(OUTPUT / "notebook_otif_by_channel.png")
by_channel.plot(("otif_rate",), overall=True).savefig(OUTPUT / "notebook_otif_overall.png")
per_channel

# %% [markdown]
# ## 中文报表
#
# The same report in Chinese: headers, status and notes (`plot(lang="zh")` draws the chart
# in Chinese too, where a font with Chinese glyphs is installed).

# %%
report.in_language("zh")

# %% [markdown]
# ## Staff ranking with small samples shrunk toward the team rate

# %%
by_staff = monthly_report(orders, as_of=data.as_of, tz=TZ, by=["owner_id"])
ranking = staff_ranking(by_staff, "otif").head(10)
print(f"charts written to {OUTPUT}")
ranking.assign(
    raw_rate=ranking["raw_rate"].map(lambda v: shown(v, "share")),
    shrunk_rate=ranking["shrunk_rate"].map(lambda v: shown(v, "share")),
)
