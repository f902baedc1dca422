"""Shared fixtures: the bundled graph (loaded once), the source article, golden updates; the
two lanes (tests marked `slow` run under CI or with --slow) and the suite's CPU time."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from govkg import resources
from govkg.load import KnowledgeGraph, load_graph
from needs import under_ci

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden result files from the current data (on purpose only)",
    )
    parser.addoption(
        "--cpu-durations",
        type=int,
        default=0,
        metavar="N",
        help="list the N tests that took the most CPU (setup + call + teardown, with the "
        "processes they waited for): on a shared machine, wall time says little",
    )
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (CI, i.e. the CI variable set, always does)",
    )


def _run_slow(config: pytest.Config) -> bool:
    """The slow lane runs under CI, with --slow, with -m (it names the markers itself), or
    when a test is named by its id (path::name)."""
    named = any("::" in str(arg) for arg in config.args)
    return bool(under_ci() or config.getoption("--slow") or config.getoption("markexpr") or named)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The fast lane: tests marked slow are deselected (reported), never silently skipped."""
    if _run_slow(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
        config.stash[_SLOW_LEFT] = len(slow)


_SLOW_LEFT = pytest.StashKey[int]()
_CPU = pytest.StashKey[dict[str, float]]()


def _cpu_now() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """Each test's CPU seconds (its process and the processes it waited for)."""
    started = _cpu_now()
    yield
    item.config.stash.setdefault(_CPU, {})[item.nodeid] = _cpu_now() - started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite's CPU time (this process and the processes it waited for), and the lane."""
    cpu = _cpu_now()
    top = terminalreporter.config.getoption("--cpu-durations")
    if top:
        spent = terminalreporter.config.stash.get(_CPU, {})
        terminalreporter.write_sep("=", f"{top} tests that took the most CPU")
        for nodeid, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:top]:
            terminalreporter.write_line(f"{seconds:8.2f}s cpu  {nodeid}")
    left = terminalreporter.config.stash.get(_SLOW_LEFT, 0)
    lane = (
        "slow lane included"
        if _run_slow(terminalreporter.config)
        else f"fast lane: {left} slow test(s) deselected (CI runs them; pytest --slow)"
    )
    terminalreporter.write_line(
        f"suite CPU time: {cpu:.1f} s (user+sys, tests and the processes they ran); {lane}"
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
        if under_ci():
            pytest.fail(f"source article missing under CI: {path}")
        pytest.skip(f"source article not found at {path} (set ${resources.ARTICLE_ENV})")
    return path.read_text(encoding="utf-8")
