# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # The monthly assessment in a notebook
#
# A notebook-style walk through ordercore's KPIs: open it in Jupyter with jupytext (it is a
# "percent" script), or run it as a script (`python examples/kpi_notebook.py`), as the test
# suite does. Plots go to `$ORDERCORE_OUTPUT` (default `./output`).
#
# It uses the seeded frame-level generator; swap in your own export with
# `ordercore.kpi.map_columns` and `check_frame` (see the KPI tutorial in the docs).

# %%
from __future__ import annotations

import os
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # no screen needed; in Jupyter the figures show inline anyway

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

# %%
for result in (
    cycle_time(orders, as_of=data.as_of, tz=TZ),
    otif(orders, "scor_commit", as_of=data.as_of, tz=TZ),
    survey_score(surveys, "csat", tz=TZ),
    survey_score(surveys, "nps", tz=TZ),
):
    interval = (
        f" [{result.interval.low:.3f}, {result.interval.high:.3f}]" if result.interval else ""
    )
    value = "-" if result.value is None else f"{result.value:.3f}"
    print(f"{result.name:<18} {value}{interval}  n={result.denominator}  {result.status.value}")

# %% [markdown]
# ## The monthly report, its trend, and OTIF by channel

# %%
report = monthly_report(orders, surveys=surveys, errors=data.errors, as_of=data.as_of, tz=TZ)
print(report.to_markdown())
figure = report.plot(("on_time_rate", "otif_rate", "perfect_rate"))
figure.savefig(OUTPUT / "notebook_trend.png")

# One line per channel; points resting on fewer than 30 counted orders are left out of the
# lines (and named under the chart) rather than drawn, and overall=True gives the overall
# rate weighted by each channel's counted orders, not the mean of the channel rates.
by_channel = monthly_report(orders, as_of=data.as_of, tz=TZ, by=["channel"])
by_channel.plot(("otif_rate",)).savefig(OUTPUT / "notebook_otif_by_channel.png")
by_channel.plot(("otif_rate",), overall=True).savefig(OUTPUT / "notebook_otif_overall.png")

# %% [markdown]
# ## Staff ranking with small samples shrunk toward the team rate

# %%
by_staff = monthly_report(orders, as_of=data.as_of, tz=TZ, by=["owner_id"])
ranking = staff_ranking(by_staff, "otif")
print(ranking.head(10).to_string(index=False))
print(f"plots written to {OUTPUT}")
