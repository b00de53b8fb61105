"""A matplotlib figure that shows itself in Jupyter, with no ``%matplotlib`` magic needed.

`MonthlyReport.plot` builds its figure without pyplot (nothing is registered globally,
nothing needs closing), so IPython's pyplot hooks never see it; this subclass tells IPython
how to show it (`_repr_png_`), as pandas' frames tell it how to show a table. Imported only
when a chart is drawn: matplotlib is an optional extra.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

__all__ = ["Chart"]


class Chart(Figure):
    """A `matplotlib.figure.Figure` that Jupyter displays inline as a PNG image."""

    def _repr_png_(self) -> bytes:
        """The figure as PNG bytes, for IPython's display."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
