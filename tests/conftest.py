"""Shared fixtures: the bundled graph (loaded once), the source article, golden updates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govkg import resources
from govkg.load import KnowledgeGraph, load_graph

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden result files from the current data (on purpose only)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled ontology + data, parsed once per test session."""
    return load_graph()


@pytest.fixture(scope="session")
def article_text() -> str:
    """The source article; its absence fails under CI and skips elsewhere."""
    path = resources.article_path()
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"source article missing under CI: {path}")
        pytest.skip(f"source article not found at {path} (set ${resources.ARTICLE_ENV})")
    return path.read_text(encoding="utf-8")
