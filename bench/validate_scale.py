"""Validation at national scale: `govkg validate FILE` against the cost of loading FILE.

For each size it prints, side by side, in one run: pyoxigraph `Store.load` of the same file
(the floor), `govkg validate FILE` end to end with the SPARQL engine (the default, auto),
`govkg query data-bodies FILE` end to end (load, one canned query, a CSV written), and at
100k `govkg validate --engine pyshacl FILE` (the reference engine); wall time and peak
memory of each process, and the ratios. Then the cost exponent between the sizes, of govkg
validate and of the floor itself (pyoxigraph's own load grows faster than linearly past 1M).

    python bench/validate_scale.py            # 100k and 1M (about 2 minutes on 2 cores)
    python bench/validate_scale.py --sizes 100000 1000000 3000000 --pyshacl-up-to 0

Targets (2-core machine): at 1M the whole `govkg validate FILE` at most 2.5x the floor and
under 1 GB; `govkg query` at most 1.3x the floor; at 100k at least 20x faster than the
pySHACL path; exponent under 1.1 (100k to 3M). govkg refuses files over 200 MiB (about
1.2M triples of this generator) unless $GOVKG_MAX_FILE_MB says more: the bench sets 4096.
Files come from bench/gen_national.py (synthetic, fictional) and are cached in --work.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("GOVKG_MAX_FILE_MB", "4096")  # the 3M file is about 510 MB
GOVKG = [sys.executable, "-m", "govkg"]
QUERY = "data-bodies"  # a canned query over the whole graph: the process is mostly the load
QUERY_TARGET = 1.3
FLOOR = (
    "import sys, pyoxigraph as ox; s = ox.Store(); "
    "s.load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); print(len(s))"
)


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak resident MB, exit code) of one process."""
    timer = shutil.which("time") or "/usr/bin/time"
    full = [timer, "-f", "MAXRSS %M", *cmd] if Path(timer).exists() else cmd
    start = time.perf_counter()
    done = subprocess.run(full, capture_output=True, text=True)
    wall = time.perf_counter() - start
    m = re.search(r"MAXRSS (\d+)", done.stderr)
    return wall, (int(m.group(1)) / 1024 if m else float("nan")), done.returncode


def dataset(size: int, work: Path) -> Path:
    path = work / f"national-{size}.nt"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_national.py"),
                "--triples",
                str(size),
                "-o",
                str(path),
            ],
            check=True,
            capture_output=True,
        )
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--pyshacl-up-to", type=int, default=100_000, help="0: never run pySHACL")
    ap.add_argument("--work", type=Path, default=Path("/tmp/govkg-validate-scale"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    head = f"{'triples':>9} {'what':<34} {'wall s':>8} {'peak MB':>8} {'x floor':>8}"
    print(head)
    walls: dict[int, float] = {}
    floors: dict[int, float] = {}
    for size in args.sizes:
        path = dataset(size, args.work)
        floor, floor_mb, _ = measure([sys.executable, "-c", FLOOR, str(path)])
        floors[size] = floor
        print(
            f"{size:>9} {'pyoxigraph Store.load (floor)':<34} {floor:8.2f} {floor_mb:8.0f} {1:8.2f}"
        )
        wall, mb, code = measure([*GOVKG, "validate", str(path), "-o", str(args.work / "r.txt")])
        walls[size] = wall
        print(
            f"{size:>9} {'govkg validate (auto: oxigraph)':<34} {wall:8.2f} {mb:8.0f} "
            f"{wall / floor:8.2f}   exit {code}"
        )
        query, query_mb, query_code = measure(
            [*GOVKG, "query", QUERY, str(path), "-f", "csv", "-o", str(args.work / "q.csv")]
        )
        print(
            f"{size:>9} {'govkg query ' + QUERY + ' FILE':<34} {query:8.2f} {query_mb:8.0f} "
            f"{query / floor:8.2f}   exit {query_code} (target {QUERY_TARGET}x)"
        )
        if size <= args.pyshacl_up_to:
            ref, ref_mb, ref_code = measure(
                [
                    *GOVKG,
                    "validate",
                    "--engine",
                    "pyshacl",
                    str(path),
                    "-o",
                    str(args.work / "r-pyshacl.txt"),
                ]
            )
            print(
                f"{size:>9} {'govkg validate --engine pyshacl':<34} {ref:8.2f} {ref_mb:8.0f} "
                f"{ref / floor:8.2f}   exit {ref_code}; oxigraph {ref / wall:.1f}x faster"
            )
            same = (args.work / "r.txt").read_bytes() == (args.work / "r-pyshacl.txt").read_bytes()
            print(
                f"{'':>9} reports identical apart from the engine line: "
                f"{_strip(args.work / 'r.txt') == _strip(args.work / 'r-pyshacl.txt')}"
                f" (byte-identical: {same})"
            )
    sizes = sorted(walls)
    if len(sizes) >= 2:
        pairs = list(itertools.pairwise(sizes))
        if len(sizes) > 2:
            pairs.append((sizes[0], sizes[-1]))
        for a, b in pairs:
            print(
                f"cost exponent {a} -> {b}: govkg validate {_exponent(walls, a, b):.2f}, "
                f"the floor {_exponent(floors, a, b):.2f} (target < 1.1, {sizes[0]} to 3M)"
            )
    return 0


def _exponent(walls: dict[int, float], a: int, b: int) -> float:
    """k in wall ~ size^k between two sizes: 1 is linear."""
    return math.log(walls[b] / walls[a]) / math.log(b / a)


def _strip(path: Path) -> str:
    return re.sub(r" \[engine: \w+\]", "", path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
