"""Run one benchmark by name, or all of them: `python -m benchmarks model`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _names() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    """Dispatch to `benchmarks.<name>.main()`."""
    names = _names()
    if len(argv) != 1 or argv[0] not in [*names, "all"]:
        print(f"usage: python -m benchmarks {{{'|'.join([*names, 'all'])}}}")
        return 2
    for name in names if argv[0] == "all" else argv:
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
