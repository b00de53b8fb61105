"""Test support for projects that use ordercore: factories, strategies, contracts, a plugin.

The import paths below are public API and stay stable:

- `ordercore.testing.factories`: build valid entities with one call;
- `ordercore.testing.contracts`: the contract suite a repository adapter must pass;
- `ordercore.testing.plugin`: an opt-in pytest plugin
  (``pytest_plugins = ["ordercore.testing.plugin"]``).

Nothing in the library imports this package; it is for tests.
"""

from __future__ import annotations

__all__: list[str] = []
