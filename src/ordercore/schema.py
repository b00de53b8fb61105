"""JSON Schema export of the public entities, for ERP integration.

The schema describes what `Order.model_validate_json` accepts (``mode="validation"``) or what `model_dump_json` writes (``mode="serialization"``):
money amounts and quantities are decimal strings in both.

Examples:
    >>> schema = json_schema("Order")
    >>> schema["title"], sorted(schema["required"])[:3]
    ('Order', ['channel', 'currency', 'customer'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

from ordercore.ledger import LineLedger
from ordercore.money import Money
from ordercore.orders import Address, Contact, CustomerRef, Order, OrderLine, SalesOwner

if TYPE_CHECKING:
    from ordercore._base import Entity

__all__ = ["ENTITIES", "json_schema"]

ENTITIES: Final[dict[str, type[Entity]]] = {
    "Address": Address,
    "Contact": Contact,
    "CustomerRef": CustomerRef,
    "LineLedger": LineLedger,
    "Money": Money,
    "Order": Order,
    "OrderLine": OrderLine,
    "SalesOwner": SalesOwner,
}
"""The entities whose schema is public, by name."""


def json_schema(
    entity: str | type[Entity] = "Order",
    *,
    mode: Literal["validation", "serialization"] = "validation",
) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a public entity.

    Args:
        entity: An entity class or its name (a key of `ENTITIES`).
        mode: ``"validation"`` for what is accepted, ``"serialization"`` for what is written.

    Raises:
        KeyError: If the name is not a public entity.
    """
    if isinstance(entity, str):
        try:
            entity = ENTITIES[entity]
        except KeyError:
            raise KeyError(
                f"no public entity {entity!r}; known: {', '.join(sorted(ENTITIES))}"
            ) from None
    schema = entity.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
