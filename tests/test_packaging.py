"""A non-editable install ships the knowledge files and finds them from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("govkg-*.whl")
    return built


def test_wheel_carries_the_knowledge(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("ontology", "data", "shapes", "queries"):
        shipped = [n for n in names if n.startswith(f"govkg/_kb/{folder}/")]
        in_repo = [
            p for p in (REPO / folder).rglob("*") if p.is_file() and p.suffix in {".ttl", ".rq"}
        ]
        assert len([n for n in shipped if n.endswith((".ttl", ".rq"))]) == len(in_repo), folder
    assert "govkg/cli/main.py" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed (without dependencies) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_installed_wheel_works_from_any_folder(installed: Path, tmp_path: Path) -> None:
    target = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "from govkg import resources; print(resources.kb_root())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()) == target / "govkg" / "_kb"
    info = subprocess.run(
        [sys.executable, "-m", "govkg", "info", "--format", "json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert info.returncode == 0, info.stderr
    assert '"triples": ' in info.stdout
    assert '"triples": 0' not in info.stdout


def test_installed_wheel_finds_the_article_beside_the_working_folder(
    installed: Path, tmp_path: Path
) -> None:
    article = tmp_path / "shared" / "sources" / "article.zh.txt"
    article.parent.mkdir(parents=True)
    article.write_text("正文\n", encoding="utf-8")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "GOVKG_ARTICLE"}
    env["PYTHONPATH"] = str(installed)
    probe = subprocess.run(
        [sys.executable, "-c", "from govkg import resources; print(resources.article_path())"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()).resolve() == article.resolve()
