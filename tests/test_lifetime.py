"""The entry point's exit without teardown: what is held is never freed, output is whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from govkg.cli.main import cli

PROGRAM = """
import sys, threading, time
from govkg import lifetime

class Noisy:
    def __del__(self):
        print("freed", flush=True)

if "on" in sys.argv:
    lifetime.hold_until_exit()
if "thread" in sys.argv:
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
lifetime.hold(Noisy())
print("output")
lifetime.end(3)
"""


def _run(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, *flags], capture_output=True, text=True, timeout=60
    )


def test_a_held_object_is_not_freed_and_the_output_is_flushed() -> None:
    run = _run("on")
    assert (run.returncode, run.stdout, run.stderr) == (3, "output\n", "")


def test_without_the_entry_point_nothing_is_held() -> None:
    run = _run()  # library use: the object is freed as soon as it is dropped
    assert (run.returncode, run.stdout) == (3, "freed\noutput\n")


def test_a_running_thread_is_waited_for() -> None:
    run = _run("on", "thread")  # a normal exit, which joins the thread (and frees at exit)
    assert run.returncode == 3
    assert run.stdout.startswith("output\nthread done\n"), run.stdout


def test_the_entry_point_gives_the_whole_output_and_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix gk: <https://w3id.org/govkg/def#> .\n"
        "<https://w3id.org/govkg/id/x> a gk:PublicBody .\n",
        encoding="utf-8",
    )
    inside = CliRunner().invoke(cli, ["validate", str(bad), "-f", "json"])
    run = subprocess.run(
        [sys.executable, "-m", "govkg", "validate", str(bad), "-f", "json"],
        capture_output=True,
        timeout=300,
    )
    assert inside.exit_code == 1
    assert (run.returncode, run.stdout) == (1, inside.stdout_bytes)
