"""Loopback load on `govkg serve` against the Oxigraph server on the same data, same run.

`--mode mix` (the default): 20 clients on keep-alive connections send 4,000 requests of the
canned queries (govkg: `GET /queries/NAME`; Oxigraph: the same query with its parameters
written in, checked to give the same number of rows). Then the mixed variant: the same load
with 4 runaway queries (a cross product that never ends) sent along. Targets: 0 errors,
p99 < 50 ms on the clean run, mixed p99 within 3x the clean p99.

`--mode distinct`: no answer can come from a cache. First, one client: each entity page
once (HTML, uncached: `--cache-mb 0`) and `ASK {}` on /sparql, for p50 latencies. Then 50
clients for 30 s, every request a different one: an entity page (every IRI with a page, in
zh and en) or a canned query with other parameters (`evidence` for each of those IRIs,
`province-profile` for each province); Oxigraph gets the same SPARQL (the page's CONSTRUCT
with the entity and its parts written in, the canned texts with their parameters). Then the
same with 4 clients sending runaways all along. Targets: entity page p50 <= 15 ms (and
within 2x of that on a 1M-triple graph), ASK {} p50 <= 5 ms, 0 errors, p99 <= 100 ms,
>= 300 req/s, p99 with the runaways within 2x of the clean run.

`--triples N` adds N synthetic triples (bench/gen_national.py, seeded) to the bundled graph
for both servers; the pages asked for are the bundled graph's (the synthetic IRIs are not
under the dataset base), now in a store N triples larger.

    python bench/serve_load.py [--mode mix|distinct] [--triples 1000000] [--seconds 30]
        [--clients 50] [--requests 4000] [--timeout 2] [--processes 2]

Everything binds 127.0.0.1 on free ports; the servers are stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BIN = Path(sys.executable).parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TARGET_P99_MS = 50.0
DISTINCT_P99_MS = 100.0
DISTINCT_RATE = 300.0
PAGE_P50_MS = 15.0
ASK_P50_MS = 5.0
VARIED = ("evidence", "province-profile")
"""The canned queries with a parameter, asked with each value in the distinct mode."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, seconds: float = 600) -> None:
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


def distinct_workload(kg: object, canned_names: tuple[str, ...] = VARIED) -> Workload:
    """Every page and canned query with other parameters, interleaved, for both servers."""
    from govkg.catalogue import find_canned
    from govkg.namespaces import ONTOLOGY_IRI
    from govkg.web.app import App
    from govkg.web.links import local_path
    from govkg.web.publish import documents

    app = App(kg)
    iris = [iri for iri in documents(app) if iri != ONTOLOGY_IRI]
    provinces = [place for place, _ in app.provinces()]
    work = Workload()
    pages: list[tuple[Call, Call]] = []
    for lang in ("en", "zh"):
        for iri in iris:
            subjects = " ".join([f"<{iri}>", *(str(n) for n in app.executor.parts(iri))])
            text = (  # the page's RDF (describe.rq) as one query, the entity written in
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }}"
                f" UNION {{ VALUES ?o {{ <{iri}> }} ?s ?p ?o }} }}"
            )
            path = local_path(iri) or "/"
            pages.append((("GET", f"{path}?lang={lang}", None), _oxigraph_call(text)))
    canned: list[tuple[Call, Call]] = []
    varied = {"evidence": ("entity", iris), "province-profile": ("province", provinces)}
    for name in canned_names:
        param, values = varied[name]
        entry = find_canned(name)
        for value in values:
            for lang in ("en", "zh"):
                form = urlencode({param: value, "lang": lang})
                text = entry.sparql({param: value}, lang)
                canned.append((("GET", f"/queries/{name}?{form}", None), _oxigraph_call(text)))
    for i in range(max(len(pages), len(canned))):
        for source in (pages, canned):
            if i < len(source):
                work.govkg.append(source[i][0])
                work.oxigraph.append(source[i][1])
    work.names = [f"{len(pages)} entity pages", f"{len(canned)} canned queries"]
    return work


def _kind(call: Call) -> str:
    """What a call asks for: a page, a canned query or SPARQL text (the same for Oxigraph)."""
    if call[1].startswith(("/id/", "/def")) or (call[2] or b"").startswith(b"query=CONSTRUCT"):
        return "page"
    if call[1].startswith("/queries/") or call[1] == "/query":
        return "canned"
    return "sparql"


def _oxigraph_call(text: str) -> Call:
    return ("POST", "/query", urlencode({"query": text}).encode())


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    runaway: list[tuple[int | str, float]] = field(default_factory=list)
    seconds: float = 0.0


def send(conn: http.client.HTTPConnection, call: Call) -> int:
    method, path, body = call
    page = path.startswith(("/id/", "/def"))
    accept = "text/html" if page else "application/sparql-results+json, application/n-triples;q=0.5"
    headers = {"Accept": accept}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def load(
    port: int,
    calls: list[Call],
    total: int | None,
    clients: int,
    runaway: Call | None,
    seconds: float | None = None,
) -> Run:
    """`total` requests (or as many as `seconds` allow, each call once before any again)
    from `clients` threads on keep-alive connections (+ 4 runaways: sent once, or with
    `seconds` sent again and again until the time is up)."""
    run = Run()
    lock = threading.Lock()
    counter = iter(range(total)) if total is not None else itertools.count()
    end = time.perf_counter() + seconds if seconds is not None else None

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None or (end is not None and time.perf_counter() > end):
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
            kind = _kind(calls[i % len(calls)])
            with lock:
                run.latencies.append(elapsed)
                run.by_kind.setdefault(kind, []).append(elapsed)
                if status != 200 and status:
                    run.errors.append(str(status))
        conn.close()

    def runaway_client() -> None:
        assert runaway is not None
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            start = time.perf_counter()
            try:
                status: int | str = send(conn, runaway)
            except (OSError, http.client.HTTPException) as err:
                status = type(err).__name__  # named, so a failed runaway is not a silent 0
            with lock:
                run.runaway.append((status, time.perf_counter() - start))
            conn.close()
            if end is None or time.perf_counter() > end:
                break

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
    if len(run.runaway) > 4:  # sent again and again: how they ended, counted
        ends = Counter(s for s, _ in run.runaway)
        runaways = ", ".join(f"{n} x {s}" for s, n in sorted(ends.items(), key=str))
    else:
        runaways = ", ".join(f"{s} in {t:.1f}s" for s, t in run.runaway) or "-"
    print(f"{label:<28} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f} {len(run.errors):>7}   {runaways}")
    if len(run.by_kind) > 1:
        each = (
            f"{k} p50 {pct(v, 50):.1f} / p99 {pct(v, 99):.1f} ms" for k, v in run.by_kind.items()
        )
        print(f"{'':<28} {'; '.join(each)}")
    if run.errors:
        kinds = Counter(run.errors).most_common(3)
        print(f"{'':<28} errors: {', '.join(f'{n} x {k}' for k, n in kinds)}")
    return p50, p99


def latency(port: int, calls: list[Call]) -> list[float]:
    """One client, one request at a time: each call's seconds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    times = []
    for call in calls:
        start = time.perf_counter()
        status = send(conn, call)
        times.append(time.perf_counter() - start)
        if status != 200:
            raise SystemExit(f"{call[0]} {call[1]} gave {status}")
    conn.close()
    return times


def graph_files(tmp: Path, triples: int) -> list[str]:
    """The synthetic file of `triples` triples (seeded), made in `tmp`; none for 0."""
    if not triples:
        return []
    out = tmp / f"synthetic-{triples}.nt"
    gen = Path(__file__).with_name("gen_national.py")
    subprocess.run(
        [sys.executable, str(gen), "--triples", str(triples), "--seed", "1", "-o", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return [str(out)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("mix", "distinct"), default="mix")
    parser.add_argument("--requests", type=int, default=4000, help="per run (mix)")
    parser.add_argument("--seconds", type=float, default=30.0, help="per run (distinct)")
    parser.add_argument("--clients", type=int, default=None, help="20 (mix), 50 (distinct)")
    parser.add_argument("--timeout", type=float, default=2.0, help="query time limit, s")
    parser.add_argument("--triples", type=int, default=0, help="synthetic triples to add")
    parser.add_argument("--processes", type=int, default=1, help="govkg serve --processes")
    parser.add_argument(
        "--canned",
        default=",".join(VARIED),
        help="distinct mode: the canned queries asked with each parameter value",
    )
    args = parser.parse_args()
    args.clients = args.clients or (50 if args.mode == "distinct" else 20)
    if not shutil.which("oxigraph", path=str(BIN)) and not shutil.which("oxigraph"):
        raise SystemExit("the baseline needs the Oxigraph server: pip install oxigraph")
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or "oxigraph"

    from govkg.load import load_graph

    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="govkg-bench-") as tmp:
        files = graph_files(Path(tmp), args.triples)
        kg = load_graph([Path(f) for f in files]) if files else load_graph()
        print(f"graph: {len(kg)} triples ({len(files)} synthetic file(s) beside the bundled)")
        varied = tuple(n for n in args.canned.split(",") if n)
        work = distinct_workload(kg, varied) if args.mode == "distinct" else workload(kg)
        if not work.names:
            raise SystemExit("no canned query to send")
        print(f"in the mix ({len(work.names)}): {', '.join(work.names)}")
        dump = Path(tmp) / "govkg.nt"
        subprocess.run([str(BIN / "govkg"), "export", "-f", "nt", "-o", str(dump)], check=True)
        store = Path(tmp) / "oxigraph"
        load_cmd = [oxigraph, "load", "--location", str(store), "--file", str(dump)]
        for f in files:
            load_cmd += ["--file", f]
        subprocess.run(load_cmd, check=True, capture_output=True)
        gport, nport, oport = free_port(), free_port(), free_port()
        govkg = [str(BIN / "govkg"), "serve", *files, "--quiet", "--timeout", str(args.timeout)]
        govkg += ["--processes", str(args.processes)]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        servers: list[tuple[str, int, list[Call], Call]] = []
        p99: dict[str, float] = {}
        try:
            started = time.perf_counter()
            if args.mode == "mix":
                procs.append(subprocess.Popen([*govkg, "--port", str(gport)], **quiet))
            procs.append(
                subprocess.Popen([*govkg, "--port", str(nport), "--cache-mb", "0"], **quiet)
            )
            oxi = [oxigraph, "serve-read-only", "--location", str(store)]
            oxi += ["--bind", f"127.0.0.1:{oport}", "--timeout-s", str(int(max(1, args.timeout)))]
            procs.append(subprocess.Popen(oxi, **quiet))
            ports = (gport, nport, oport) if args.mode == "mix" else (nport, oport)
            for port, proc in zip(ports, procs, strict=True):
                wait_listening(port, proc)
            print(f"servers up in {time.perf_counter() - started:.1f} s")
            runaway_g: Call = ("POST", "/sparql", urlencode({"query": RUNAWAY}).encode())
            runaway_o: Call = ("POST", "/query", urlencode({"query": RUNAWAY}).encode())
            servers = [
                ("oxigraph serve (baseline)", oport, work.oxigraph, runaway_o),
                ("govkg serve --cache-mb 0", nport, work.govkg, runaway_g),
            ]
            if args.mode == "mix":
                servers.append(("govkg serve", gport, work.govkg, runaway_g))
            figures: dict[str, float] = {}
            if args.mode == "distinct":
                pages = [c for c in work.govkg if not c[1].startswith("/queries/")]
                ask_g: Call = ("GET", "/sparql?" + urlencode({"query": "ASK {}"}), None)
                ask_o: Call = ("GET", "/query?" + urlencode({"query": "ASK {}"}), None)
                times = latency(nport, pages[: len(pages) // 2])  # each page once (en)
                figures["page p50"] = statistics.median(times) * 1000
                figures["page p99"] = pct(times, 99)
                figures["ask p50"] = statistics.median(latency(nport, [ask_g] * 300)) * 1000
                figures["oxigraph ask p50"] = (
                    statistics.median(latency(oport, [ask_o] * 300)) * 1000
                )
                print(
                    f"\none client, uncached: entity page p50 {figures['page p50']:.1f} ms, "
                    f"p99 {figures['page p99']:.1f} ms ({len(times)} pages; target p50 <= "
                    f"{PAGE_P50_MS:g}); ASK {{}} on /sparql p50 {figures['ask p50']:.2f} ms "
                    f"(target <= {ASK_P50_MS:g}; Oxigraph {figures['oxigraph ask p50']:.2f} ms)"
                )
            bound = f"{args.seconds:g} s" if args.mode == "distinct" else f"{args.requests} req"
            print(
                f"\n{args.clients} clients, {bound} each run; query time limit {args.timeout:g} s\n"
            )
            print(
                f"{'run':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   "
                "runaway answers"
            )
            total = None if args.mode == "distinct" else args.requests
            seconds = args.seconds if args.mode == "distinct" else None
            rates: dict[str, float] = {}
            errors: dict[str, int] = {}
            for label, port, calls, _ in servers:
                load(port, calls[:200], 200, 4, None)  # warm-up
                run = load(port, calls, total, args.clients, None, seconds)
                p99[label] = report(label, run)[1]
                rates[label] = len(run.latencies) / run.seconds
                errors[label] = len(run.errors)
            for label, port, calls, runaway in servers:
                run = load(port, calls, total, args.clients, runaway, seconds)
                p99[label + " mixed"] = report(label.split(" (")[0] + " + 4 runaways", run)[1]
                errors[label + " mixed"] = len(run.errors)
        finally:
            for proc in procs:
                proc.kill()
                proc.wait()
    print()
    limit = DISTINCT_P99_MS if args.mode == "distinct" else TARGET_P99_MS
    ratio = 2 if args.mode == "distinct" else 3
    for label, _, _, _ in servers:
        clean, mixed = p99[label], p99[label + " mixed"]
        line = (
            f"{label:<28} clean p99 {clean:6.1f} ms (target <= {limit:g}); "
            f"mixed/clean p99 {mixed / clean if clean else 0:.1f}x (target <= {ratio})"
        )
        if args.mode == "distinct":
            line += (
                f"; {rates[label]:.0f} req/s (target >= {DISTINCT_RATE:g}); errors "
                f"{errors[label]} clean, {errors[label + ' mixed']} mixed (target 0)"
            )
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
