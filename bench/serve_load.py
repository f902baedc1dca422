"""Loopback load on `govkg serve` against the Oxigraph server on the same data, same run.

20 clients on keep-alive connections send 4,000 requests of the canned queries (govkg:
`GET /queries/NAME`; Oxigraph: the same query with its parameters written in, checked to
give the same number of rows). Then the mixed variant: the same load with 4 runaway queries
(a cross product that never ends) sent along. Prints throughput, p50/p99 and errors per
server; the runaways' own answers are listed apart (a 503 at the time limit is right).

Targets: 0 errors, p99 < 50 ms on the clean run, mixed p99 within 3x the clean p99.

    python bench/serve_load.py [--requests 4000] [--clients 20] [--timeout 2]

Everything binds 127.0.0.1 on free ports; both servers are stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BIN = Path(sys.executable).parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TARGET_P99_MS = 50.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


Call = tuple[str, str, bytes | None]
"""(method, path, urlencoded form body or None)."""


@dataclass
class Workload:
    govkg: list[Call] = field(default_factory=list)
    oxigraph: list[Call] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def workload(kg: object) -> Workload:
    """Canned queries without required parameters; their SPARQL text must give govkg's rows."""
    from govkg.catalogue import catalogue
    from govkg.query import run_query

    work = Workload()
    for q in catalogue():
        if any(p.required for p in q.params):
            continue
        expected = len(run_query(kg, q.name).rows)
        text = q.sparql({}, "en")  # self-contained SPARQL 1.1, as any store is sent it
        rows = len(list(kg.store.query(text)))  # type: ignore[attr-defined]
        if rows != expected:
            raise SystemExit(f"{q.name}: {rows} rows from its SPARQL text, {expected} in govkg")
        work.names.append(q.name)
        work.govkg.append(("GET", f"/queries/{q.name}?lang=en", None))
        # POSTed: some texts are longer than Oxigraph's 8 kB header limit
        work.oxigraph.append(("POST", "/query", urlencode({"query": text}).encode()))
    return work


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runaway: list[tuple[int | str, float]] = field(default_factory=list)
    seconds: float = 0.0


def send(conn: http.client.HTTPConnection, call: Call) -> int:
    method, path, body = call
    headers = {"Accept": "application/sparql-results+json"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def load(port: int, calls: list[Call], total: int, clients: int, runaway: Call | None) -> Run:
    """`total` requests from `clients` threads on keep-alive connections (+ 4 runaways)."""
    run = Run()
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            start = time.perf_counter()
            try:
                status = send(conn, calls[i % len(calls)])
            except (OSError, http.client.HTTPException) as err:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    run.errors.append(type(err).__name__)
            elapsed = time.perf_counter() - start
            with lock:
                run.latencies.append(elapsed)
                if status != 200 and status:
                    run.errors.append(str(status))
        conn.close()

    def runaway_client() -> None:
        assert runaway is not None
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start = time.perf_counter()
        try:
            status: int | str = send(conn, runaway)
        except (OSError, http.client.HTTPException) as err:
            status = type(err).__name__  # named, so a failed runaway is not a silent 0
        with lock:
            run.runaway.append((status, time.perf_counter() - start))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    extra = [
        threading.Thread(target=runaway_client, daemon=True) for _ in range(4 if runaway else 0)
    ]
    start = time.perf_counter()
    for t in threads[: clients // 2]:
        t.start()
    for t in extra:
        t.start()
    for t in threads[clients // 2 :]:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - start
    for t in extra:
        t.join(10)  # a server that never stops them is killed at the end
    return run


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def report(label: str, run: Run) -> tuple[float, float]:
    p50, p99 = pct(run.latencies, 50), pct(run.latencies, 99)
    rate = len(run.latencies) / run.seconds if run.seconds else 0.0
    runaways = ", ".join(f"{s} in {t:.1f}s" for s, t in run.runaway) or "-"
    print(f"{label:<28} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f} {len(run.errors):>7}   {runaways}")
    return p50, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=2.0, help="query time limit, s")
    args = parser.parse_args()
    if not shutil.which("oxigraph", path=str(BIN)) and not shutil.which("oxigraph"):
        raise SystemExit("the baseline needs the Oxigraph server: pip install oxigraph")
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or "oxigraph"

    from govkg.load import load_graph

    kg = load_graph()
    work = workload(kg)
    if not work.names:
        raise SystemExit("no canned query to send")
    print(f"canned queries in the mix ({len(work.names)}): {', '.join(work.names)}")
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="govkg-bench-") as tmp:
        dump = Path(tmp) / "govkg.nt"
        subprocess.run([str(BIN / "govkg"), "export", "-f", "nt", "-o", str(dump)], check=True)
        store = Path(tmp) / "oxigraph"
        subprocess.run(
            [oxigraph, "load", "--location", str(store), "--file", str(dump)],
            check=True,
            capture_output=True,
        )
        gport, nport, oport = free_port(), free_port(), free_port()
        govkg = [str(BIN / "govkg"), "serve", "--quiet", "--timeout", str(args.timeout)]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        servers: list[tuple[str, int, list[Call], Call]] = []
        p99: dict[str, float] = {}
        try:
            procs.append(subprocess.Popen([*govkg, "--port", str(gport)], **quiet))
            procs.append(
                subprocess.Popen([*govkg, "--port", str(nport), "--cache-mb", "0"], **quiet)
            )
            oxi = [oxigraph, "serve-read-only", "--location", str(store)]
            oxi += ["--bind", f"127.0.0.1:{oport}", "--timeout-s", str(int(max(1, args.timeout)))]
            procs.append(subprocess.Popen(oxi, **quiet))
            for port, proc in zip((gport, nport, oport), procs, strict=True):
                wait_listening(port, proc)
            runaway_g: Call = ("POST", "/sparql", urlencode({"query": RUNAWAY}).encode())
            runaway_o: Call = ("POST", "/query", urlencode({"query": RUNAWAY}).encode())
            servers = [
                ("oxigraph serve (baseline)", oport, work.oxigraph, runaway_o),
                ("govkg serve --cache-mb 0", nport, work.govkg, runaway_g),
                ("govkg serve", gport, work.govkg, runaway_g),
            ]
            print(
                f"\n{args.clients} clients, {args.requests} requests each run; "
                f"query time limit {args.timeout:g} s\n"
            )
            print(
                f"{'run':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   "
                "runaway answers"
            )
            for label, port, calls, _ in servers:
                load(port, calls, 200, 4, None)  # warm-up
                run = load(port, calls, args.requests, args.clients, None)
                p99[label] = report(label, run)[1]
            for label, port, calls, runaway in servers:
                run = load(port, calls, args.requests, args.clients, runaway)
                p99[label + " mixed"] = report(label.split(" (")[0] + " + 4 runaways", run)[1]
        finally:
            for proc in procs:
                proc.kill()
                proc.wait()
    print()
    for label, _, _, _ in servers:
        clean, mixed = p99[label], p99[label + " mixed"]
        print(
            f"{label:<28} clean p99 {clean:6.1f} ms (target < {TARGET_P99_MS:g}); "
            f"mixed/clean p99 {mixed / clean if clean else 0:.1f}x (target <= 3)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
