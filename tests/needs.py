"""System components the tests need (chromium, virtuoso, ...), from tools/system-packages.toml.

`needs.require(name, ...)` in a test or fixture: when a component is missing the test is skipped
with the component's name and the package that provides it; under CI (the CI variable set,
as .ci/run does) it fails instead, so CI never passes by not running a test. The list and
its reading live in tools/setup.py, which installs the same packages: one list for both.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

SETUP = Path(__file__).resolve().parents[1] / "tools" / "setup.py"


@cache
def setup_module() -> ModuleType:
    """tools/setup.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("govkg_tools_setup", SETUP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def under_ci() -> bool:
    return bool(setup_module().under_ci())


def require(*names: str) -> None:
    """Skip (fail under CI) unless every named component is installed."""
    listed = setup_module().components()
    unknown = [n for n in names if n not in listed]
    assert not unknown, f"not in tools/system-packages.toml: {unknown}"
    absent = [listed[n] for n in names if not listed[n].installed()]
    if not absent:
        return
    what = "; ".join(f"{c.name} missing ({c.hint()})" for c in absent)
    message = f"{what}; python3 tools/setup.py as root installs it"
    if under_ci():
        pytest.fail(f"{message} (CI runs every test)")
    pytest.skip(message)
