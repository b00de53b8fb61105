"""Per-field strategies for the entity strategies: the caller's first, then the defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from ordercore.errors import InvalidArgument

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore._base import Entity

__all__ = ["Drawn", "field_strategies"]


def field_strategies(
    function: str, model: type[Entity], fields: Mapping[str, object]
) -> dict[str, st.SearchStrategy[Any]]:
    """The per-field strategies a caller passed, checked before anything is drawn."""
    checked: dict[str, st.SearchStrategy[Any]] = {}
    for name, strategy in fields.items():
        if name not in model.model_fields:
            known = ", ".join(model.model_fields)
            raise InvalidArgument(
                function, name, f"is not a field of {model.__name__}; fields: {known}"
            )
        if not isinstance(strategy, st.SearchStrategy):
            raise InvalidArgument(
                function,
                name,
                f"must be a hypothesis strategy, got {strategy!r}; "
                f"for a fixed value pass st.just({strategy!r})",
            )
        checked[name] = strategy
    return checked


class Drawn:
    """Field values for one entity: the caller's strategies first, then the defaults."""

    def __init__(self, draw: st.DrawFn, fields: Mapping[str, st.SearchStrategy[Any]]) -> None:
        self.draw = draw
        self.values: dict[str, Any] = {name: draw(strategy) for name, strategy in fields.items()}

    def pick(self, name: str, strategy: st.SearchStrategy[Any]) -> Any:
        """The caller's value of `name`, or one drawn from the default `strategy`."""
        if name not in self.values:
            self.values[name] = self.draw(strategy)
        return self.values[name]

    def has(self, name: str) -> bool:
        """Whether `name` has a value yet."""
        return name in self.values
