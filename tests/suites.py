"""Where the shared W3C test suites are, and what to do when they are missing.

Shared by the SHACL and SPARQL conformance tests: the suites live in ../shared/conformance
beside the repository, or in $GOVKG_CONFORMANCE; missing suites fail under CI and skip
elsewhere, so CI can never pass by not running them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from needs import under_ci

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE_ENV = "GOVKG_CONFORMANCE"


def conformance_root() -> Path:
    env = os.environ.get(CONFORMANCE_ENV)
    return Path(env) if env else REPO.parent / "shared" / "conformance"


def suite_missing(name: str, folder: str) -> None:
    """Fail under CI, skip elsewhere: a missing suite is never a silent pass."""
    if under_ci():
        pytest.fail(f"W3C {name} suite missing under CI (../shared/conformance/{folder})")
    pytest.skip(f"W3C {name} suite not found (set ${CONFORMANCE_ENV})")
