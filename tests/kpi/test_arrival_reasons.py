"""Every canonical frame's arrival column has its exclusion reason (rows after `as_of`)."""

from __future__ import annotations

from ordercore.kpi import _common
from ordercore.kpi.schema import FRAMES


def test_every_frame_that_has_an_arrival_column_names_its_exclusion_reason() -> None:
    arrivals = {spec.name: spec.arrival for spec in FRAMES.values() if spec.arrival}
    assert "cases" in arrivals
    missing = {name: a for name, a in arrivals.items() if a not in _common.ARRIVAL_REASON}
    assert missing == {}
    assert _common.ARRIVAL_REASON["opened_at"] == "not_yet_opened"
