"""Start-up and query latency of the govkg CLI, against a baseline run in the same script.

Runs whole processes (what a user waits for) several times each and prints medians and
their ratio to the baseline `python -c "import rdflib"`: the price every rdflib-based tool
pays before doing anything. Target: `govkg query` on the bundled graph at or under 0.3 s
median on a 2-core machine.

    python bench/cli_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
GOVKG = str(BIN / "govkg")
TARGET_QUERY_SECONDS = 0.3

CASES: list[tuple[str, list[str]]] = [
    ("baseline: python -c 'import rdflib'", [sys.executable, "-c", "import rdflib"]),
    ("baseline: python -c 'pass'", [sys.executable, "-c", "pass"]),
    ("govkg --help", [GOVKG, "--help"]),
    ("govkg info", [GOVKG, "info"]),
    ("govkg query plaques", [GOVKG, "query", "plaques", "--format", "csv"]),
    ("govkg query provinces-overview", [GOVKG, "query", "provinces-overview", "--format", "csv"]),
]


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = [(name, median_seconds(cmd, args.runs)) for name, cmd in CASES]
    baseline = results[0][1]
    print(f"{'command':<40} {'median s':>9} {'x rdflib import':>16}")
    for name, seconds in results:
        print(f"{name:<40} {seconds:>9.3f} {seconds / baseline:>16.2f}")
    query = max(s for n, s in results if n.startswith("govkg query"))
    verdict = "meets" if query <= TARGET_QUERY_SECONDS else "MISSES"
    print(f"slowest govkg query: {query:.3f} s, {verdict} the {TARGET_QUERY_SECONDS} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
