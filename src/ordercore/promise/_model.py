"""The base of every promise snapshot part: an entity refused with a `SnapshotError`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from pydantic import ValidationError

from ordercore._base import Entity
from ordercore.promise.errors import SnapshotError

if TYPE_CHECKING:
    from collections.abc import Iterable


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    found = []
    for item in error.errors(include_url=False):
        path = ""
        for part in item["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        found.append((path, item["msg"]))
    return found


class SnapshotModel(Entity):
    """A snapshot part: built like an entity, refused with a `SnapshotError` listing the problems."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise SnapshotError(type(self).__name__, _problems(error)) from None
        self._check_consistency()

    # As on the commands: pydantic may then read JSON by the JSON rules itself.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate a mapping (or an instance) into this part; `SnapshotError` if bad."""
        try:
            value = super().model_validate(obj, **kwargs)
        except ValidationError as error:
            raise SnapshotError(cls.__name__, _problems(error)) from None
        value._check_consistency()  # noqa: SLF001 - the class checking its own value
        return value

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """Validate JSON into this part; `SnapshotError` if bad."""
        try:
            value = super().model_validate_json(json_data, **kwargs)
        except ValidationError as error:
            raise SnapshotError(cls.__name__, _problems(error)) from None
        value._check_consistency()  # noqa: SLF001 - the class checking its own value
        return value

    def _check_consistency(self) -> None:
        problems = list(self._inconsistencies())
        if problems:
            raise SnapshotError(type(self).__name__, problems)

    def _inconsistencies(self) -> Iterable[tuple[str, str]]:
        return ()
