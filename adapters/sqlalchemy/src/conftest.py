"""Doctest collection for the adapter: Alembic's scripts run only inside Alembic."""

from __future__ import annotations

collect_ignore_glob = ["ordercore_sqlalchemy/migrations/*"]
