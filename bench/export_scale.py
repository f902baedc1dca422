"""Load and export at national scale: govkg against pyoxigraph's own `Store.load`, in one run.

For each size, an N-Triples file of the bundled data replicated into disjoint copies (every
`gkr:` IRI and blank node renamed per copy; `bench/gen_national.py` gives a more realistic
graph where it exists, `--generator` picks it) is
- loaded by bare pyoxigraph (`Store.load`, the floor), and loaded and dumped by it;
- loaded by govkg (`load_graph`, the whole load path);
- exported by `govkg export FILE --alone` end to end, as Turtle, N-Quads and JSON-LD.
Every case is a fresh process; wall time and peak memory (max RSS, from wait4) are printed
with their ratio to the floor. Targets: memory near the store's (issue 12: export at 1M
used 3.7 GB before), cost linear in size.

    python bench/export_scale.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOVKG = str(Path(sys.executable).parent / "govkg")

FLOOR = (
    "import sys, pyoxigraph as ox; ox.Store().load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)"
)
DUMP = (
    "import sys, pyoxigraph as ox; s = ox.Store(); "
    "s.load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES); "
    "ox.serialize(s, sys.argv[2], ox.RdfFormat.N_QUADS)"
)
LOAD = (
    "import sys; from govkg.load import load_graph; "
    "load_graph([sys.argv[1]], ontology=False, data=False)"
)


def replicate(target: int, out: Path) -> None:
    """`target` triples: the bundled data in disjoint copies (IRIs and blank nodes renamed)."""
    import pyoxigraph as ox

    from govkg import resources
    from govkg.namespaces import GKR

    base = [
        q.triple
        for f in resources.data_files()
        for q in ox.parse(path=str(f), base_iri=f.resolve().as_uri())
    ]

    def rename(term: object, copy: int) -> object:
        if isinstance(term, ox.NamedNode) and term.value.startswith(GKR):
            return ox.NamedNode(f"{GKR}copy{copy}/{term.value[len(GKR) :]}")
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}c{copy}")
        return term

    def triples():
        n = copy = 0
        while True:
            for t in base:
                if n == target:
                    return
                yield ox.Triple(rename(t.subject, copy), t.predicate, rename(t.object, copy))
                n += 1
            copy += 1

    ox.serialize(triples(), str(out), ox.RdfFormat.N_TRIPLES)


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident megabytes of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="govkg-bench-") as tmp:
        folder = Path(tmp)
        for size in args.sizes:
            data = folder / f"scaled-{size}.nt"
            replicate(size, data)
            out = str(folder / "out")
            cases = [
                ("pyoxigraph Store.load (floor)", [py, "-c", FLOOR, str(data)]),
                ("pyoxigraph load + serialize nq", [py, "-c", DUMP, str(data), out]),
                ("govkg load_graph", [py, "-c", LOAD, str(data)]),
                ("govkg export --alone -f ttl", [GOVKG, "export", str(data), "--alone", "-o", out]),
                (
                    "govkg export --alone -f nq",
                    [GOVKG, "export", str(data), "--alone", "-f", "nq", "-o", out],
                ),
                (
                    "govkg export --alone -f jsonld",
                    [GOVKG, "export", str(data), "--alone", "-f", "jsonld", "-o", out],
                ),
            ]
            print(f"\n{size:,} triples ({data.stat().st_size / 2**20:.0f} MiB of N-Triples)")
            print(f"{'case':<34} {'wall s':>8} {'peak MB':>9} {'x floor s':>10} {'x floor MB':>11}")
            floor_s = floor_mb = 0.0
            for name, cmd in cases:
                wall, peak = measure(cmd)
                if not floor_s:
                    floor_s, floor_mb = wall, peak
                print(
                    f"{name:<34} {wall:>8.2f} {peak:>9.0f} {wall / floor_s:>10.2f} "
                    f"{peak / floor_mb:>11.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
