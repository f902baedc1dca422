"""Where the knowledge files live: inside an installed wheel, or in the working tree.

A wheel carries ontology/, data/, shapes/ and queries/ as `govkg/_kb/...`; an editable
install or a checkout reads the top-level folders of the repository directly, so edits show
up without reinstalling.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_KB_IN_WHEEL = _PACKAGE / "_kb"
_REPO_ROOT = _PACKAGE.parents[1]

ARTICLE_ENV = "GOVKG_ARTICLE"
"""Environment variable naming the source article file, for checking evidence quotes."""


@cache
def kb_root() -> Path:
    """The folder holding ontology/, data/, shapes/ and queries/."""
    if (_KB_IN_WHEEL / "ontology").is_dir():
        return _KB_IN_WHEEL
    if (_REPO_ROOT / "ontology").is_dir() and (_REPO_ROOT / "pyproject.toml").is_file():
        return _REPO_ROOT
    raise FileNotFoundError(
        f"govkg's knowledge files were found neither in {_KB_IN_WHEEL} nor in {_REPO_ROOT}"
    )


def ontology_dir() -> Path:
    return kb_root() / "ontology"


def data_dir() -> Path:
    return kb_root() / "data"


def shapes_dir() -> Path:
    return kb_root() / "shapes"


def queries_dir() -> Path:
    return kb_root() / "queries"


def turtle_files(folder: Path) -> list[Path]:
    """The Turtle files of a folder, sorted so every load is in the same order."""
    return sorted(folder.glob("*.ttl")) if folder.is_dir() else []


def ontology_files() -> list[Path]:
    return turtle_files(ontology_dir())


def data_files() -> list[Path]:
    return turtle_files(data_dir())


def shape_files() -> list[Path]:
    return turtle_files(shapes_dir())


def article_path() -> Path:
    """The source article, for checking evidence quotes (it is not shipped with govkg).

    $GOVKG_ARTICLE if set; else shared/sources/article.zh.txt beside the checkout govkg runs
    from, or beside the working folder (an installed wheel has no checkout of its own).
    """
    env = os.environ.get(ARTICLE_ENV)
    if env:
        return Path(env)
    tail = Path("shared") / "sources" / "article.zh.txt"
    candidates = [_REPO_ROOT.parent / tail, Path.cwd().parent / tail, Path.cwd() / tail]
    return next((c for c in candidates if c.is_file()), candidates[0])
