"""The downstream project's root conftest: opt in to ordercore's fixtures."""

from __future__ import annotations

pytest_plugins = ["ordercore.testing.plugin"]
