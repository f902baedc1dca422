"""Long differential fuzz of SERVICE hiding (the test run does 150 examples; this many more).

    python fuzz/fuzz_service.py [--examples 5000] [--seed 0]

Generates queries with tests/service_fuzz.py's strategy, runs each through govkg with a
loopback canary as the SERVICE target, then through an unguarded pyoxigraph. Prints how many
queries would have connected without govkg and what govkg answered; exits 1 (and prints the
query) if govkg ever let one connect. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from canary import canary  # noqa: E402
from govkg.load import load_graph  # noqa: E402
from service_fuzz import hidden_service  # noqa: E402
from test_service_fuzz import check_one  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kg = load_graph()
    stats: Counter = Counter()
    start = time.monotonic()
    with canary() as target:

        @seed(args.seed)
        @settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(hidden_service(target.url))
        def run(example: tuple[str, str]) -> None:
            check_one(kg, target, *example, stats)

        try:
            run()
        except AssertionError as err:
            print(f"FOUND: {err}")
            return 1
    total = sum(stats.values())
    would = sum(n for (w, _), n in stats.items() if w)
    print(f"{total} queries in {time.monotonic() - start:.0f} s; {would} would have connected")
    for (w, outcome), n in sorted(stats.items(), key=lambda kv: -kv[1]):
        print(f"  {n:6d}  engine alone {'connects' if w else 'does not connect'}; govkg: {outcome}")
    print("no query reached the network through govkg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
