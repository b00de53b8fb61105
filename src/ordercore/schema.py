"""JSON Schema export of the public entities, commands and events, as strict as the models.

[`json_schema`][ordercore.schema.json_schema] describes what `Model.model_validate_json`
accepts (``mode="validation"``) or what `model_dump_json` writes (``mode="serialization"``),
for every entity (`Order`, `Money`, the review snapshots such as `ReviewContext`, ...), every
lifecycle command (`Ship`, `PlaceHold`, ...), every event (`OrderApproved`, ...) and the
`Event` union that [`parse_event`][ordercore.events.parse_event] reads.

It is as strict as the models' JSON parsing, where pydantic's own schema is loose:

- a decimal is a JSON integer within the field's bounds, or a decimal string whose patterns
  say the syntax `Entity` documents (plain digits, or exactly the scientific spelling
  ordercore writes itself, such as ``"0E-8"``), the magnitude range, the sign, the upper
  bound and the decimal places, each as its own pattern in an ``allOf`` (a JSON number with
  a fraction, ``1.5``, is refused: it is a float in most producers);
- a currency is the enum of the ISO 4217 codes `CurrencyCode` accepts (``"XYZ"`` is not);
- a timestamp is an ISO 8601 date and time with an offset, a day a valid calendar day;
- an order's line count, a calendar's weekend days and `Approve.verdict` (a review result,
  never read from JSON) are bounded as the validators bound them.

What no JSON Schema can say stays with the models: rules across fields (line currencies
equal to the order's, a ledger that balances, distinct line ids), IANA time zone names, and
the difference between ``1`` and ``1.0`` (one JSON number to JSON Schema, an integer and a
float to the models). The patterns use only what Python's `re` and ECMA-262 read alike.

JSON that arrives already parsed (a dict from a JSONB column) is validated with
[`validate_json_data`][ordercore.schema.validate_json_data], which applies the JSON rules;
`Order.model_validate(data)` applies the Python rules, which refuse strings for decimals
and timestamps.

Examples:
    >>> schema = json_schema("Order")
    >>> schema["title"], sorted(schema["required"])[:3]
    ('Order', ['channel', 'currency', 'customer'])
    >>> "XYZ" in schema["properties"]["currency"]["enum"], "CNY" in schema["properties"]["currency"]["enum"]
    (False, True)
"""

from __future__ import annotations

import functools
import importlib
import json
import pkgutil
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from ordercore._base import Entity
from ordercore._strict_schema import StrictJsonSchema, share_patterns
from ordercore.aftersales import AfterSalesCase, Feedback
from ordercore.context import CapacityView, CustomerProfile, PriceList, Product, ReviewContext
from ordercore.events import Actor, Event, LineQuantity, OrderEvent
from ordercore.holds import Hold
from ordercore.ledger import LineLedger
from ordercore.money import Money
from ordercore.orders import (
    Address,
    Contact,
    CustomerRef,
    Order,
    OrderLine,
    PackagingRequirements,
    SalesOwner,
)

__all__ = ["ENTITIES", "StrictJsonSchema", "json_schema", "models", "validate_json_data"]

M = TypeVar("M", bound=BaseModel)

ENTITIES: Final[dict[str, type[Entity]]] = {
    "Actor": Actor,
    "Address": Address,
    "AfterSalesCase": AfterSalesCase,
    "CapacityView": CapacityView,
    "Contact": Contact,
    "CustomerProfile": CustomerProfile,
    "CustomerRef": CustomerRef,
    "Feedback": Feedback,
    "Hold": Hold,
    "LineLedger": LineLedger,
    "LineQuantity": LineQuantity,
    "Money": Money,
    "Order": Order,
    "OrderLine": OrderLine,
    "PackagingRequirements": PackagingRequirements,
    "PriceList": PriceList,
    "Product": Product,
    "ReviewContext": ReviewContext,
    "SalesOwner": SalesOwner,
}
"""The public entities (values that are not commands or events), by name; `models()` has
them all, those of modules added since included."""


# ------------------------------------------------------------------ the registry


@functools.cache
def models() -> dict[str, type[BaseModel]]:
    """Every model whose schema is public, by name: entities, commands and events.

    They are the pydantic models that the core's public modules (`ordercore.orders`,
    `ordercore.events`, `ordercore.context`, ...), `ordercore.lifecycle.commands` and the
    promise engine's snapshots and supply events export,
    found when first asked for, so a new entity, command or event has its schema without a
    list to keep; the bases (`Entity`, `Command`, `Movement`, `OrderEvent`) are left out.
    The name ``"Event"`` (any event, by its ``type``) is known to `json_schema` besides these.

    Examples:
        >>> found = models()
        >>> found["Ship"].__name__, found["OrderApproved"].__name__, found["Order"].__name__
        ('Ship', 'OrderApproved', 'Order')
    """
    import ordercore  # noqa: PLC0415 - found on first use, not at import
    from ordercore.lifecycle import commands  # noqa: PLC0415 - the core imports no wing at import
    from ordercore.promise import contingency, snapshot  # noqa: PLC0415 - as the lifecycle's

    modules = [
        importlib.import_module(f"ordercore.{info.name}")
        for info in pkgutil.iter_modules(ordercore.__path__)
        if not info.ispkg and not info.name.startswith("_")
    ]
    bases = (Entity, commands.Command, commands.Movement, OrderEvent)
    found: dict[str, type[BaseModel]] = {}
    for module in [*modules, commands, snapshot, contingency]:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name, None)
            if not isinstance(value, type) or not issubclass(value, BaseModel) or value in bases:
                continue
            if found.setdefault(name, value) is not value:
                raise RuntimeError(f"two public models are named {name!r}")
    return dict(sorted(found.items()))


def json_schema(
    model: str | type[BaseModel] = "Order",
    *,
    mode: Literal["validation", "serialization"] = "validation",
) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a public entity, command or event.

    Args:
        model: A model class, its name (a key of `models()`), or ``"Event"`` for the union
            of every event, told apart by its ``type``.
        mode: ``"validation"`` for what is accepted, ``"serialization"`` for what is written.

    Raises:
        KeyError: If the name is not a public model.

    Examples:
        >>> schema = json_schema("Ship")
        >>> schema["properties"]["quantity"]["$ref"]
        '#/$defs/Decimal_gt_0_le_1000000000_places_6'
        >>> [branch["type"] for branch in schema["$defs"]["Decimal_gt_0_le_1000000000_places_6"]["anyOf"]]
        ['integer', 'string']
        >>> json_schema("Event")["discriminator"]["propertyName"]
        'type'
    """
    if model == "Event":
        schema = TypeAdapter(Event).json_schema(mode=mode, schema_generator=StrictJsonSchema)
        schema["title"] = "Event"
    else:
        if isinstance(model, str):
            try:
                model = models()[model]
            except KeyError:
                raise KeyError(
                    f"no public model {model!r}; known: Event, {', '.join(models())}"
                ) from None
        schema = model.model_json_schema(mode=mode, schema_generator=StrictJsonSchema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **share_patterns(schema)}


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)  # as a decimal string, the form the models read exactly
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def validate_json_data(model: type[M], data: object) -> M:
    """Validate data parsed from JSON (a dict from a JSONB column, say) by the JSON rules.

    The models are strict in Python: `Order.model_validate(data)` refuses the decimal and
    timestamp strings that JSON carries. This validates `data` exactly as `model` validates
    the JSON text it came from (`model_validate_json`), so a document is accepted the same
    whether it arrives as text or parsed. Floats are refused as they are in JSON text: parse
    the text with ``json.loads(text, parse_float=Decimal)`` to keep fractional numbers exact
    (a `Decimal` here is read as its decimal string).

    Args:
        model: The entity, command or event class.
        data: The parsed JSON: dicts, lists, strings, ints, bools, None (and `Decimal`,
            `datetime` and `date`, written as their JSON strings).

    Returns:
        The validated model.

    Raises:
        pydantic.ValidationError: If the data is not a valid `model` (commands raise their
            `InvalidCommand`).
        TypeError: If `data` holds a value that is not JSON.

    Examples:
        >>> import json
        >>> from decimal import Decimal
        >>> data = json.loads('{"amount": 12.50, "currency": "CNY"}', parse_float=Decimal)
        >>> validate_json_data(Money, data)
        Money(amount=Decimal('12.50'), currency='CNY')
    """
    return model.model_validate_json(
        json.dumps(data, default=_json_value, ensure_ascii=False, allow_nan=False)
    )
