from __future__ import annotations

import decimal
import json
import re
import sys
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import TzInfo

from _support import make_line, make_order
from ordercore import LineLedger, Money, Order, OrderLine, PackagingRequirements
from ordercore._base import (
    Entity,
    ExactDecimal,
    Id,
    ShortText,
    Text,
    Timestamp,
    normalise_timestamp,
)
from ordercore.aftersales import AfterSalesCase, CaseKind, CaseStatus, Feedback
from ordercore.context import CapacityView, CustomerProfile, PriceList, Product, ReviewContext
from ordercore.events import LineQuantity
from ordercore.holds import Hold, HoldAction, HoldReason

if TYPE_CHECKING:
    from collections.abc import Callable


class _Texts(Entity):
    id: Id = "x"
    short: ShortText = ""
    text: Text = ""


def _accepts(field: str, value: str) -> bool:
    try:
        _Texts.model_validate({field: value})
    except pydantic.ValidationError:
        return False
    return True


def _placed(char: str, where: str) -> str:
    return {"start": char + "ab", "middle": "a" + char + "b", "end": "ab" + char}[where]


# (name, character, Id middle, Id ends, ShortText middle, ShortText ends, Text anywhere)
_CLASSES = [
    ("letter", "a", True, True, True, True, True),
    ("CJK", "华", True, True, True, True, True),
    ("space", " ", True, False, True, False, True),
    ("no-break space", "\u00a0", True, False, True, False, True),
    ("em space", "\u2003", True, False, True, False, True),
    ("ideographic space", "\u3000", True, False, True, False, True),
    ("NUL", "\x00", False, False, False, False, False),
    ("bell", "\x07", False, False, False, False, False),
    ("tab", "\t", False, False, False, False, True),
    ("newline", "\n", False, False, False, False, True),
    ("carriage return", "\r", False, False, False, False, True),
    ("vertical tab", "\x0b", False, False, False, False, False),
    ("escape", "\x1b", False, False, False, False, False),
    ("delete", "\x7f", False, False, False, False, False),
    ("C1 next line", "\x85", False, False, False, False, False),
    ("C1 CSI", "\x9b", False, False, False, False, False),
    ("right-to-left override", "\u202e", False, False, False, False, False),
    ("left-to-right embedding", "\u202a", False, False, False, False, False),
    ("right-to-left isolate", "\u2067", False, False, False, False, False),
    ("pop directional isolate", "\u2069", False, False, False, False, False),
    ("left-to-right mark", "\u200e", False, False, False, False, False),
    ("right-to-left mark", "\u200f", False, False, False, False, False),
    ("Arabic letter mark", "\u061c", False, False, False, False, False),
    ("zero-width space", "\u200b", False, False, False, False, False),
    ("word joiner", "\u2060", False, False, False, False, False),
    ("invisible times", "\u2062", False, False, False, False, False),
    ("byte order mark", "\ufeff", False, False, False, False, False),
    ("zero-width non-joiner", "\u200c", False, False, True, True, True),
    ("zero-width joiner", "\u200d", False, False, True, True, True),
    ("soft hyphen", "\u00ad", False, False, True, True, True),
    ("tag latin small a", "\U000e0061", False, False, True, True, True),
    ("line separator", "\u2028", False, False, False, False, True),
    ("paragraph separator", "\u2029", False, False, False, False, True),
]


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("case", [pytest.param(case, id=case[0]) for case in _CLASSES])
def test_each_text_type_accepts_or_refuses_each_class_of_character(
    case: tuple[str, str, bool, bool, bool, bool, bool], where: str
) -> None:
    _, char, id_middle, id_ends, short_middle, short_ends, text_ok = case
    value = _placed(char, where)
    expected = {
        "id": id_middle if where == "middle" else id_ends,
        "short": short_middle if where == "middle" else short_ends,
        "text": text_ok,
    }
    assert {field: _accepts(field, value) for field in expected} == expected


def _category(name: str) -> list[str]:
    return [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) == name
    ]


def test_ids_refuse_every_control_and_format_character_anywhere() -> None:
    accepted = [hex(ord(c)) for c in _category("Cc") + _category("Cf") if _accepts("id", f"a{c}b")]
    assert accepted == []


def test_ids_and_short_texts_refuse_every_kind_of_whitespace_at_either_end() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    accepted = [
        (field, hex(ord(c)))
        for field in ("id", "short")
        for c in spaces
        if _accepts(field, f"{c}a") or _accepts(field, f"a{c}")
    ]
    assert accepted == []


def test_texts_refuse_every_control_character_but_tab_newline_and_carriage_return() -> None:
    accepted = [c for c in _category("Cc") if _accepts("text", f"a{c}b")]
    assert accepted == ["\t", "\n", "\r"]


def test_short_texts_keep_the_joiners_that_scripts_and_emoji_need() -> None:
    persian = "می\u200cخواهم"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert _accepts("short", persian)
    assert _accepts("short", family)
    assert _accepts("text", persian + "\n" + family)


def test_an_empty_short_text_is_accepted_and_an_empty_id_is_refused() -> None:
    assert _accepts("short", "")
    assert not _accepts("id", "")


def test_a_refused_character_gives_a_sentence_not_the_pattern() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Texts(short="Acme\u202e")
    error = caught.value.errors()[0]
    assert error["type"] == "short_text_characters"
    assert "whitespace at either end" in error["msg"]
    assert "[^" not in error["msg"]


def test_too_long_ids_keep_the_length_error() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Texts(id="x" * 65)
    assert caught.value.errors()[0]["type"] == "string_too_long"


def test_the_json_schema_patterns_compile_in_python_and_agree_with_validation() -> None:
    properties = _Texts.model_json_schema()["properties"]
    patterns = {
        field: re.compile(properties[field]["pattern"]) for field in ("id", "short", "text")
    }
    samples = [_placed(case[1], where) for case in _CLASSES for where in ("start", "end")]
    disagreements = [
        (field, sample)
        for field, pattern in patterns.items()
        for sample in samples
        # Python's `$` also matches before a final newline; that case is not the point here
        if not sample.endswith("\n")
        and (pattern.search(sample) is not None) != _accepts(field, sample)
    ]
    assert disagreements == []


# ------------------------------------------------------------------------------- timestamps

_BERLIN = ZoneInfo("Europe/Berlin")

# (zone, a wall time in its autumn fold, a wall time in its spring gap); Lord Howe moves
# by 30 minutes, Shanghai had daylight saving time until 1991
_ZONES = [
    ("Europe/Berlin", (2026, 10, 25, 2, 30), (2026, 3, 29, 2, 30)),
    ("America/New_York", (2026, 11, 1, 1, 30), (2026, 3, 8, 2, 30)),
    ("Australia/Lord_Howe", (2026, 4, 5, 1, 45), (2026, 10, 4, 2, 15)),
    ("Asia/Shanghai", (1991, 9, 15, 1, 30), (1991, 4, 14, 2, 30)),
]


def _moments() -> list[Any]:
    params = []
    for zone, fold, gap in _ZONES:
        tz = ZoneInfo(zone)
        for name, wall, flag in (
            ("fold-first", fold, 0),
            ("fold-second", fold, 1),
            ("gap", gap, 0),
            ("gap-fold", gap, 1),
        ):
            params.append(pytest.param(datetime(*wall, tzinfo=tz, fold=flag), id=f"{zone}-{name}"))
    return params


def test_the_chosen_times_really_are_in_folds_and_gaps() -> None:
    for zone, fold, gap in _ZONES:
        tz = ZoneInfo(zone)
        first, second = (datetime(*fold, tzinfo=tz, fold=flag) for flag in (0, 1))
        assert first.utcoffset() != second.utcoffset(), zone
        skipped = datetime(*gap, tzinfo=tz)
        assert skipped.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != skipped.replace(
            tzinfo=None
        ), zone


def _full_order(moment: datetime) -> Order:
    """An order with every kind of timestamp an order holds, all at `moment`."""
    line = make_line("1", requested_delivery_at=moment)
    return make_order(
        received_at=moment,
        requested_delivery_at=moment,
        promised_delivery_at=moment,
        lines=[line],
        holds=[
            Hold(
                hold_id="H-1",
                reason=HoldReason.CREDIT,
                blocks=(HoldAction.ALLOCATE,),
                placed_at=moment,
                placed_by="system:test",
                released_at=moment,
                released_by="user:li",
            )
        ],
        cases=[
            AfterSalesCase(
                case_id="RMA-1",
                kind=CaseKind.RETURN,
                line_id="1",
                quantity=Decimal(1),
                status=CaseStatus.REQUESTED,
                opened_at=moment,
            )
        ],
        feedback=Feedback(recorded_at=moment, score=5),
    )


@pytest.mark.parametrize("moment", _moments())
def test_an_order_with_zoned_times_in_a_fold_or_gap_equals_its_json_round_trip(
    moment: datetime,
) -> None:
    order = _full_order(moment)
    assert Order.model_validate_json(order.model_dump_json()) == order


@pytest.mark.parametrize("moment", _moments())
def test_a_zoned_time_keeps_its_wall_time_and_offset_in_a_fixed_zone(moment: datetime) -> None:
    kept = _full_order(moment).received_at
    assert type(kept.tzinfo) is timezone
    assert kept.utcoffset() == moment.utcoffset()
    assert kept.replace(tzinfo=None) == moment.replace(tzinfo=None, fold=0)
    assert kept.fold == 0


def test_a_zero_offset_becomes_the_utc_singleton() -> None:
    moment = datetime(2026, 1, 5, 12, tzinfo=ZoneInfo("Europe/London"))
    assert make_order(received_at=moment).received_at.tzinfo is UTC


def test_a_json_timestamp_is_read_into_a_fixed_offset_zone() -> None:
    text = make_order(received_at=datetime(2026, 3, 2, 9, 30, tzinfo=_BERLIN)).model_dump_json()
    received = Order.model_validate_json(text).received_at
    assert type(received.tzinfo) is timezone
    assert received.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(datetime.max.replace(tzinfo=timezone(timedelta(hours=-1))), id="max-west"),
        pytest.param(datetime.min.replace(tzinfo=timezone(timedelta(hours=1))), id="min-east"),
    ],
)
def test_a_time_whose_utc_conversion_overflows_is_refused_naming_the_field(
    moment: datetime,
) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(received_at=moment)
    error = caught.value.errors()[0]
    assert (error["loc"], error["type"]) == (("received_at",), "timestamp_range")
    assert "years 1 to 9999" in error["msg"]


def test_the_extreme_times_that_fit_in_utc_are_accepted() -> None:
    latest = datetime.max.replace(tzinfo=UTC)
    assert Order.model_validate_json(make_order(received_at=latest).model_dump_json()) == (
        make_order(received_at=latest)
    )


def test_an_offset_that_is_not_whole_minutes_is_refused() -> None:
    local_mean_time = datetime(1890, 6, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(pydantic.ValidationError) as caught:
        make_order(received_at=local_mean_time)
    assert caught.value.errors()[0]["type"] == "timestamp_offset"


class _At(Entity):
    at: Timestamp


def _at(moment: datetime) -> _At | set[str]:
    """The entity, or the types of the errors refusing it."""
    try:
        return _At(at=moment)
    except pydantic.ValidationError as error:
        return {e["type"] for e in error.errors()}


@given(st.datetimes(timezones=st.timezones()))
def test_every_timestamp_is_refused_for_range_or_offset_or_equals_its_json_round_trip(
    moment: datetime,
) -> None:
    value = _at(moment)
    if isinstance(value, set):
        assert value <= {"timestamp_range", "timestamp_offset"}
        return
    assert _At.model_validate_json(value.model_dump_json()) == value
    assert value.at.utcoffset() == moment.utcoffset()
    assert value.at.replace(tzinfo=None) == moment.replace(tzinfo=None, fold=0)


# A timestamp read from JSON arrives in pydantic's own fixed-offset zone (`TzInfo`);
# `_timestamp` turns it into the `timezone` of its offset without `_fixed`'s calls once
# that offset has been seen. The result and the refusals are `_fixed`'s all the same.
_OFFSETS = st.integers(min_value=-1439, max_value=1439).map(lambda minutes: minutes * 60)


def _in_pydantic_zone(moment: datetime, seconds: int) -> datetime:
    return moment.replace(tzinfo=TzInfo(seconds))


def _expected(moment: datetime) -> datetime | set[str]:
    """What `_fixed` (the full check) makes of a moment, or the types of its refusal."""
    try:
        return normalise_timestamp(moment)
    except ValueError as error:
        return {"timestamp_range" if "out of range" in str(error) else "timestamp_offset"}


@given(
    st.datetimes(),
    st.one_of(_OFFSETS, st.integers(min_value=-86399, max_value=86399)),
    st.booleans(),
)
def test_a_timestamp_in_pydantics_zone_is_normalised_as_the_full_check_does(
    wall: datetime, seconds: int, seen_before: bool
) -> None:
    moment = _in_pydantic_zone(wall, seconds)
    if seen_before:  # the offset's zone is known: the short path applies
        _at(datetime(2026, 1, 1, tzinfo=TzInfo(seconds)))
    value, expected = _at(moment), _expected(moment)
    if isinstance(expected, set):
        assert value == expected
        return
    assert isinstance(value, _At)
    assert value.at == expected
    assert value.at.tzinfo is expected.tzinfo  # the one shared zone of the offset
    assert value.at.replace(tzinfo=None) == wall.replace(fold=0)
    assert value.at.fold == 0


@given(st.datetimes(timezones=st.just(UTC)), _OFFSETS)
def test_a_json_timestamp_reads_back_the_same_instant_wall_time_and_zone(
    wall: datetime, seconds: int
) -> None:
    moment = wall.replace(tzinfo=timezone(timedelta(seconds=seconds)))
    expected = _expected(moment)
    text = json.dumps({"at": moment.isoformat().replace("+00:00", "Z")})
    try:
        read: _At | set[str] = _At.model_validate_json(text)
    except pydantic.ValidationError as error:
        read = {e["type"] for e in error.errors()}
    if isinstance(expected, set):
        assert read == expected
        return
    assert isinstance(read, _At)
    assert read.at == expected
    assert read.at.tzinfo is expected.tzinfo


@pytest.mark.parametrize(
    ("moment", "refused"),
    [
        pytest.param(datetime.max.replace(tzinfo=TzInfo(-3600)), "timestamp_range", id="max"),
        pytest.param(datetime.min.replace(tzinfo=TzInfo(3600)), "timestamp_range", id="min"),
        pytest.param(datetime(2026, 3, 2, tzinfo=TzInfo(30)), "timestamp_offset", id="seconds"),
    ],
)
def test_a_timestamp_in_pydantics_zone_is_refused_as_any_other(
    moment: datetime, refused: str
) -> None:
    seconds = moment.utcoffset()
    assert seconds is not None
    _at(datetime(2026, 1, 1, tzinfo=timezone(seconds)))  # its offset seen before, if valid
    assert _at(moment) == {refused}


def test_normalise_timestamp_gives_the_fixed_offset_value() -> None:
    moment = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=_BERLIN)
    fixed = normalise_timestamp(moment)
    assert fixed == datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    assert type(fixed.tzinfo) is timezone


def test_normalise_timestamp_returns_an_already_normal_value_itself() -> None:
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert normalise_timestamp(moment) is moment


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("2026-03-02T09:30:00Z", TypeError, "at must be a timezone-aware datetime, not str"),
        (datetime(2026, 3, 2, 9, 30), ValueError, "is naive"),  # noqa: DTZ001 - the point
        (datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))), ValueError, "out of range"),
        (datetime(1890, 6, 1, tzinfo=ZoneInfo("Asia/Shanghai")), ValueError, "whole number"),
    ],
)
def test_normalise_timestamp_refuses_what_a_timestamp_field_refuses(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        normalise_timestamp(value)  # type: ignore[arg-type]


def test_normalise_timestamp_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^as_of datetime"):
        normalise_timestamp(datetime(2026, 3, 2), field="as_of")  # noqa: DTZ001 - the point


# ------------------------------------------------------------------------ negative zero


class _Amounts(Entity):
    value: ExactDecimal


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(lambda: _Amounts(value=Decimal("-0")), "0", id="python -0"),
        pytest.param(lambda: _Amounts(value=Decimal("-0.00")), "0.00", id="python -0.00"),
        pytest.param(
            lambda: _Amounts.model_validate_json('{"value": "-0.000"}'), "0.000", id="json"
        ),
        pytest.param(
            lambda: _Amounts.model_validate_json('{"value": "-0E-8"}'), "0E-8", id="json-exp"
        ),
    ],
)
def test_a_negative_zero_decimal_is_kept_as_zero_with_its_exponent(
    build: Callable[[], _Amounts], expected: str
) -> None:
    value = build().value
    assert (str(value), value.is_signed()) == (expected, False)


def test_a_negative_zero_is_written_as_zero_in_json() -> None:
    assert json.loads(_Amounts(value=Decimal("-0.00")).model_dump_json()) == {"value": "0.00"}


def test_a_negative_decimal_string_is_still_read_as_negative() -> None:
    assert _Amounts.model_validate_json('{"value": "-0.01"}').value == Decimal("-0.01")


# ------------------------------------------------------------------- JSON decimal syntax

_STRANGE = [
    pytest.param("1_000", id="underscore"),
    pytest.param("_1", id="leading underscore"),
    pytest.param(" 1", id="leading space"),
    pytest.param("1 ", id="trailing space"),
    pytest.param(" 1 ", id="spaces"),
    pytest.param("\u00a01", id="no-break space"),
    pytest.param("1\n", id="newline"),
    pytest.param("\u0661", id="Arabic-Indic digit"),
    pytest.param("\u0661\u0662.\u0665", id="Arabic-Indic number"),
    pytest.param("\uff11", id="full-width digit"),
    pytest.param("+1", id="plus sign"),
    pytest.param("--1", id="two minus signs"),
    pytest.param("- 1", id="spaced minus"),
    pytest.param("1e3", id="lower-case exponent"),
    pytest.param("1E3", id="unsigned exponent"),
    pytest.param("10E+2", id="two digits before an exponent"),
    pytest.param("0.5e1", id="fraction with exponent"),
    pytest.param("1E-3", id="exponent of a value written plainly"),
    pytest.param("1E+02", id="zero-padded exponent"),
    pytest.param(".5", id="no integer digit"),
    pytest.param("5.", id="no fraction digit"),
    pytest.param("1,000", id="thousands separator"),
    pytest.param("1.000,50", id="decimal comma"),
    pytest.param("1.2.3", id="two points"),
    pytest.param("0x10", id="hexadecimal"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("NaN", id="nan"),
    pytest.param("", id="empty"),
    pytest.param("-", id="minus alone"),
]


def _money_json(amount: str) -> str:
    return json.dumps({"amount": amount, "currency": "CNY"})


def _line_json(quantity: str) -> str:
    return json.dumps({**make_line().model_dump(mode="json"), "quantity": quantity})


def _error(build: Callable[[], object]) -> tuple[tuple[int | str, ...], str, str]:
    with pytest.raises(pydantic.ValidationError) as caught:
        build()
    (error,) = caught.value.errors()
    return error["loc"], error["type"], error["msg"]


@pytest.mark.parametrize("text", _STRANGE)
def test_a_money_amount_in_a_strange_decimal_syntax_is_refused_from_json(text: str) -> None:
    loc, kind, message = _error(lambda: Money.model_validate_json(_money_json(text)))
    assert (loc, kind) == (("amount",), "decimal_syntax")
    assert message.startswith('Input should be a plain decimal string such as "12.50"')


@pytest.mark.parametrize("text", _STRANGE)
def test_a_quantity_in_a_strange_decimal_syntax_is_refused_from_json(text: str) -> None:
    loc, kind, _ = _error(lambda: OrderLine.model_validate_json(_line_json(text)))
    assert (loc, kind) == (("quantity",), "decimal_syntax")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("12.50", "12.50", id="fraction"),
        pytest.param("-3", "-3", id="negative integer"),
        pytest.param("007.10", "7.10", id="leading zeros"),
        pytest.param("-0.00", "0.00", id="negative zero"),
        pytest.param("1E-8", "1E-8", id="as ordercore writes 0.00000001"),
        pytest.param("-1.5E-7", "-1.5E-7", id="as ordercore writes -0.00000015"),
        pytest.param("0E-8", "0E-8", id="as ordercore writes 0.00000000"),
        pytest.param("-0E-8", "0E-8", id="negative zero as ordercore writes it"),
        pytest.param("1E+2", "1E+2", id="as ordercore writes Decimal('1E+2')"),
        pytest.param("1e-8", "1E-8", id="as ordercore writes 0.00000001 with capitals=0"),
    ],
)
def test_a_plain_or_self_written_decimal_string_is_read_exactly(text: str, expected: str) -> None:
    assert str(Money.model_validate_json(_money_json(text)).amount) == expected


@pytest.mark.parametrize("text", ["100", "1E+2", "2.5"])
def test_a_quantity_string_is_read_exactly(text: str) -> None:
    assert str(OrderLine.model_validate_json(_line_json(text)).quantity) == text


@pytest.mark.parametrize(
    "text", ["1E+31", "1" + "0" * 31, "9.9E-31", "0." + "0" * 30 + "1", "0E-31", "1E+999999999"]
)
def test_a_json_decimal_beyond_the_magnitude_bounds_is_refused(text: str) -> None:
    loc, kind, message = _error(lambda: _Amounts.model_validate_json(json.dumps({"value": text})))
    assert (loc, kind) == (("value",), "decimal_range")
    assert "at least 1E-30 and below 1E+31" in message


@pytest.mark.parametrize(
    "value",
    [Decimal("1E+31"), Decimal("-1E+999999999"), Decimal("9.9E-31"), Decimal("0E-31"), 10**31],
)
def test_a_python_decimal_beyond_the_magnitude_bounds_is_refused(value: Decimal | int) -> None:
    loc, kind, _ = _error(lambda: _Amounts(value=value))  # type: ignore[arg-type]
    assert (loc, kind) == (("value",), "decimal_range")


@pytest.mark.parametrize(
    "text", ["9" * 31, "9.999E+30", "1E-30", "0." + "0" * 29 + "1", "0E-30", "-" + "9" * 31]
)
def test_a_json_decimal_at_the_magnitude_bounds_is_accepted(text: str) -> None:
    assert _Amounts.model_validate_json(json.dumps({"value": text})).value == Decimal(text)


_BOUNDED = st.decimals(allow_nan=False, allow_infinity=False).filter(
    lambda d: -30 <= d.adjusted() <= 30
)


@given(value=_BOUNDED)
def test_every_accepted_decimal_comes_back_from_its_json_exactly(value: Decimal) -> None:
    held = _Amounts(value=value)
    back = _Amounts.model_validate_json(held.model_dump_json())
    assert repr(back.value) == repr(held.value)


def _extreme_entities() -> list[Entity]:
    """Entities holding the decimals `model_dump_json` writes in scientific notation."""
    tiny, zero, hundred = Decimal("1E-8"), Decimal("0E-8"), Decimal("1E+2")
    line = make_line(
        quantity=hundred,
        unit_price=Money(amount=tiny, currency="CNY"),
        discount_rate=Decimal("0.000001"),
        tax_rate=Decimal("1E-6"),
        over_delivery_tolerance=Decimal("1E-30"),
        ledger=LineLedger(cancelled=Decimal("0.000001")),
    )
    order = make_order(
        lines=[line],
        packaging=PackagingRequirements(max_package_weight_kg=Decimal("1E-30")),
    )
    profile = CustomerProfile(
        customer_id="C-1",
        credit_limit=Money(amount=tiny, currency="CNY"),
        open_exposure=Money(amount=zero, currency="CNY"),
        past_order_values=(Decimal("1E-30"), Decimal("9.999E+30"), Decimal("0E-30"), hundred),
    )
    product = Product(
        sku="BOLT-M8",
        uom="pcs",
        moq=hundred,
        pack_multiple=Decimal("1E-30"),
        capacity_per_unit=Decimal("1E-6"),
    )
    prices = PriceList(
        currency="CNY",
        prices={"BOLT-M8": Money(amount=tiny, currency="CNY")},
        tolerance=Decimal("1E-30"),
        max_discount_rate=Decimal("0E-30"),
    )
    capacity = CapacityView(free={date(2026, 3, 2): hundred})
    context = ReviewContext(
        as_of=datetime(2026, 3, 2, tzinfo=UTC),
        customers={"C-1": profile},
        products={"BOLT-M8": product},
        price_list=prices,
        capacity=capacity,
        recent_orders=(order,),
        stated_totals={"SO-1": Money(amount=Decimal("-1.5E-7"), currency="CNY")},
    )
    return [
        Money(amount=tiny, currency="CNY"),
        Money(amount=zero, currency="CNY"),
        line,
        LineLedger(cancelled=hundred),
        LineQuantity(line_id="1", quantity=hundred),
        order,
        profile,
        product,
        prices,
        capacity,
        context,
    ]


@pytest.mark.parametrize("entity", _extreme_entities(), ids=lambda e: type(e).__name__)
def test_an_entity_with_decimals_written_in_scientific_notation_equals_its_json_round_trip(
    entity: Entity,
) -> None:
    assert type(entity).model_validate_json(entity.model_dump_json()) == entity


@pytest.mark.parametrize("entity", _extreme_entities(), ids=lambda e: type(e).__name__)
def test_an_entity_written_under_a_context_with_lower_case_exponents_is_read_back(
    entity: Entity,
) -> None:
    with decimal.localcontext(capitals=0):
        written = entity.model_dump_json()
    assert type(entity).model_validate_json(written) == entity


def test_the_extreme_entities_really_are_written_in_scientific_notation() -> None:
    written = "".join(entity.model_dump_json() for entity in _extreme_entities())
    assert all(form in written for form in ('"1E-8"', '"0E-8"', '"1E+2"', '"1E-30"'))
