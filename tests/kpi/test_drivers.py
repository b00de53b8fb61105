"""Month-over-month drivers: hand-computed mix and rate effects that sum exactly to the change."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import OtifPolicy, monthly_report
from ordercore.kpi.drivers import decompose, rate_drivers
from ordercore.testing.book import synthetic_book


def test_mix_and_rate_effects_of_two_channels_by_hand() -> None:
    # web 80/100 -> 45/50, phone 10/20 -> 35/50: 75 % -> 80 %
    change = decompose({"web": (80, 100), "phone": (10, 20)}, {"web": (45, 50), "phone": (35, 50)})
    web = next(g for g in change.groups if g.group == ("web",))
    # web's share fell from 5/6 to 1/2 at a mean rate of 0.85; its rate rose 0.1 at 2/3 share
    assert web.exact["mix"] == Fraction(-1, 3) * Fraction(17, 20)
    assert web.exact["rate"] == Fraction(1, 10) * Fraction(2, 3)
    assert change.exact["change"] == Fraction(1, 20)
    assert change.exact["mix"] + change.exact["rate"] == change.exact["change"]


def test_the_group_that_moved_the_rate_most_comes_first() -> None:
    change = decompose({"web": (80, 100), "phone": (10, 20)}, {"web": (45, 50), "phone": (35, 50)})
    assert [g.group for g in change.drivers(1)] == [("phone",)]
    assert change.groups[0].total == pytest.approx(0.2 + 1 / 15)


def test_a_group_that_appears_contributes_only_mix() -> None:
    change = decompose({"web": (9, 10)}, {"web": (9, 10), "api": (0, 10)})
    api = next(g for g in change.groups if g.group == ("api",))
    assert (api.exact["mix"], api.exact["rate"]) == (Fraction(0), Fraction(0))
    web = next(g for g in change.groups if g.group == ("web",))
    # web's share halves at its unchanged rate 0.9: all of the fall from 0.9 to 0.45 is mix
    assert web.exact["mix"] == Fraction(-9, 20)
    assert change.exact["change"] == Fraction(-9, 20)


def test_a_group_that_leaves_takes_its_whole_part_as_mix() -> None:
    change = decompose({"web": (5, 10), "fax": (10, 10)}, {"web": (5, 10)})
    fax = next(g for g in change.groups if g.group == ("fax",))
    assert (fax.exact["mix"], fax.exact["rate"]) == (Fraction(-1, 2), Fraction(0))
    assert change.exact["change"] == Fraction(-1, 4)
    assert sum((g.exact["total"] for g in change.groups), Fraction(0)) == Fraction(-1, 4)


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ({"web": (11, 10)}, "has 11 of 10"),
        ({"web": (1.5, 10)}, "whole"),
        ({"web": (0, 0)}, "no denominator"),
        ({"web": ("1", 10)}, "numbers"),
    ],
)
def test_counts_that_are_not_counts_are_refused(
    base: dict[str, tuple[object, object]], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        decompose(base, {"web": (1, 2)})


def test_on_a_real_book_every_rate_change_is_exactly_its_mix_and_rate() -> None:
    book = synthetic_book(orders=300, seed=5)
    frames = book.frames()
    report = monthly_report(
        frames["orders"],
        as_of=book.as_of,
        by=["channel"],
        surveys=frames["surveys"],
        policy=OtifPolicy(reference="requested"),
    )
    changes = rate_drivers(report, base="2026-04", compare="2026-05")
    assert {"on_time_rate", "otif_rate", "perfect_rate"} <= set(changes)
    rows = {(r["period"], r["channel"]): r for r in report.rows()}
    for name, change in changes.items():
        assert change.exact["mix"] + change.exact["rate"] == change.exact["change"], name
        num, den = report.rates[name]
        for period, value in (
            ("2026-04", change.exact["base"]),
            ("2026-05", change.exact["compare"]),
        ):
            k = sum(int(r[num] or 0) for (p, _), r in rows.items() if p == period)
            n = sum(int(r[den] or 0) for (p, _), r in rows.items() if p == period)
            assert value == Fraction(k, n), name


def test_the_drivers_table_reads_in_chinese() -> None:
    change = decompose({"web": (80, 100), "phone": (10, 20)}, {"web": (45, 50), "phone": (35, 50)})
    table = change.to_markdown("zh")
    assert "结构 -8.3%, 比率 +13.3%" in table
    assert "| phone | 10/20 | 35/50 | +20.00% | +6.67% | +26.67% |" in table


def test_rate_drivers_needs_a_grouped_report_and_known_months() -> None:
    book = synthetic_book(orders=60, seed=5)
    frames = book.frames()
    flat = monthly_report(frames["orders"], as_of=book.as_of)
    with pytest.raises(ConfigurationError, match="not grouped"):
        rate_drivers(flat, base="2026-04", compare="2026-05")
    grouped = monthly_report(frames["orders"], as_of=book.as_of, by=["channel"])
    with pytest.raises(ConfigurationError, match="2031-01 is not in the report"):
        rate_drivers(grouped, base="2031-01", compare="2026-05")
    with pytest.raises(ConfigurationError, match="unknown rate 'speed'"):
        rate_drivers(grouped, base="2026-04", compare="2026-05", rates=["speed"])
    with pytest.raises(ConfigurationError, match="period must look like"):
        rate_drivers(grouped, base="April", compare="2026-05")
