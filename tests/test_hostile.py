"""Hostile input, as an attacker would send it: one case per line, named after its class.

Every case runs the real `govkg` command in a subprocess (so a crash is a signal we see, not
a dead test run) with a loopback canary listening where any SERVICE points, and asserts:
the exit code, a fragment of the one-line message, no traceback or "internal error", no
crash signal, bounded time, and that the canary saw no connection. The same query cases go
to `govkg serve` over HTTP, which must answer 4xx and keep serving.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from canary import Canary, canary
from govkg.load import KnowledgeGraph

RDF_HEAD = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [{entities}]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://example.org/a"><rdf:value>{body}</rdf:value>'
    "</rdf:Description></rdf:RDF>\n"
)


def laughs(first: str = "l", levels: int = 8) -> str:
    """A billion-laughs DTD whose entity names start with `first`."""
    names = [f"{first}{i}" for i in range(levels)]
    decls = f'<!ENTITY {names[0]} "lollollol">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in itertools.pairwise(names)
    )
    return RDF_HEAD.format(entities=decls, body=f"&{names[-1]};")


def nested(open_: str, close: str, depth: int, inner: str = " ?s ?p ?o ") -> str:
    return open_ * depth + inner + close * depth


@dataclass
class Case:
    """argv with {canary} and {tmp}; stdin bytes; files to write; what must come out."""

    id: str
    argv: list[str]
    exit: int = 2
    fragment: str = ""
    stdin: bytes | None = None
    files: dict[str, bytes | Callable[[Path], None]] = field(default_factory=dict)
    seconds: float = 30.0

    @property
    def query(self) -> str | None:
        """The query text, for cases that send one on standard input (also tried over HTTP)."""
        if self.argv == ["query", "-"] and self.stdin is not None:
            try:
                return self.stdin.decode("utf-8")
            except UnicodeDecodeError:
                return None
        return None


def q(case_id: str, text: str, fragment: str, exit: int = 2) -> Case:
    return Case(case_id, ["query", "-"], exit, fragment, stdin=text.encode("utf-8"))


SVC = "SERVICE <{canary}> { ?s ?p ?o }"
CASES: list[Case] = [
    # ---- SERVICE: however it is spelled, hidden or placed, nothing is contacted
    q("service/plain", "SELECT * WHERE { " + SVC + " }", "SERVICE"),
    q("service/lowercase", "select * where { service <{canary}> { ?s ?p ?o } }", "SERVICE"),
    q("service/silent", "SELECT * WHERE { SERVICE SILENT <{canary}> { ?s ?p ?o } }", "SERVICE"),
    q("service/u-escape", "SELECT * WHERE { \\u0053ERVICE <{canary}> { ?s ?p ?o } }", "SERVICE"),
    q(
        "service/U-escape",
        "SELECT * WHERE { SERVIC\\U00000045 <{canary}> { ?s ?p ?o } }",
        "SERVICE",
    ),
    q("service/cr-ends-comment", "SELECT ?x WHERE { # c\r" + SVC + " }\n", "network"),
    q(
        "service/cr-ends-comment-balanced",
        "SELECT * WHERE { # c\r" + SVC + " \n ?s ?p ?o }\n",
        "network",
    ),
    q("service/escaped-pname", "SELECT * WHERE { BIND(gk:a\\(\\' AS ?q) " + SVC + " }", "SERVICE"),
    q(
        "service/variable",
        "SELECT * WHERE { VALUES ?e { <{canary}> } SERVICE ?e { ?s ?p ?o } }",
        "SERVICE",
    ),
    q(
        "service/in-optional",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { " + SVC + " } } LIMIT 1",
        "SERVICE",
    ),
    q("service/in-exists", "ASK { FILTER EXISTS { " + SVC + " } }", "SERVICE"),
    q("service/in-minus", "SELECT * WHERE { ?s ?p ?o MINUS { " + SVC + " } } LIMIT 1", "SERVICE"),
    q("service/in-subquery", "SELECT * WHERE { { SELECT * WHERE { " + SVC + " } } }", "SERVICE"),
    q("service/in-construct", "CONSTRUCT { ?s ?p ?o } WHERE { " + SVC + " }", "SERVICE"),
    Case(
        "service/from-file",
        ["query", "{tmp}/svc.rq"],
        2,
        "SERVICE",
        files={"svc.rq": b"SELECT * WHERE { " + SVC.encode() + b" }\n"},
    ),
    # ---- updates and datasets: never run, however joined
    q("update/insert-data", "INSERT DATA { <http://x/a> <http://x/p> 1 }", "UPDATE"),
    q("update/load", "LOAD <{canary}>", "UPDATE"),
    q("update/delete-where", "DELETE WHERE { ?s ?p ?o }", "UPDATE"),
    q("update/clear", "CLEAR ALL", "UPDATE"),
    q(
        "update/after-query",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <x:a> <x:p> 1 }",
        "syntax error",
    ),
    q("dataset/from", "SELECT * FROM <{canary}> WHERE { ?s ?p ?o }", "FROM"),
    q("dataset/from-named", "SELECT * FROM NAMED <{canary}> WHERE { ?s ?p ?o }", "FROM"),
    # ---- nesting and chains that overflow the engine's stack: refused, never a crash
    q("nesting/braces-3000", "SELECT * WHERE " + nested("{", "}", 3000), "too complex"),
    q(
        "nesting/parens-10000",
        "SELECT * WHERE { FILTER(" + nested("(", ")", 10000, "1") + ") }",
        "too complex",
    ),
    q(
        "nesting/brackets-3000",
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }",
        "too complex",
    ),
    q(
        "nesting/collections-3000",
        "SELECT * WHERE { ?s ?p " + nested("( ", " )", 3000, "1") + " }",
        "too complex",
    ),
    q(
        "nesting/subqueries-3000",
        "SELECT * WHERE " + "{ SELECT * WHERE " * 3000 + "{ ?s ?p ?o }" + " }" * 3000,
        "too complex",
    ),
    q(
        "nesting/union-chain-20000",
        "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * 20000 + "{ ?s ?p ?o } }",
        "too complex",
    ),
    q("nesting/and-chain-30000", "ASK { FILTER(" + "true && " * 30000 + "true) }", "too complex"),
    q("nesting/not-chain-30000", "ASK { FILTER(" + "!" * 30000 + "true) }", "cannot read"),
    # ---- escapes and encodings
    q("escape/beyond-unicode", 'SELECT * WHERE { ?s ?p "\\UFFFFFFFF" }', "syntax error"),
    q("escape/surrogate", 'SELECT * WHERE { ?s ?p "\\uD800" }', "syntax error"),
    Case(
        "encoding/not-utf8-stdin",
        ["query", "-"],
        2,
        "not UTF-8",
        stdin=b'SELECT * WHERE { ?s ?p "\xff\xfe" }',
    ),
    Case(
        "encoding/not-utf8-file",
        ["query", "{tmp}/latin.rq"],
        2,
        "not UTF-8",
        files={"latin.rq": b'SELECT * WHERE { ?s ?p "caf\xe9" }\n'},
    ),
    Case(
        "size/query-over-limit",
        ["query", "-"],
        2,
        "limit",
        stdin=b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * (4 * 1024 * 1024 + 16),
    ),
    q("size/empty", "   \n", "no query"),
    # ---- files that are not files, or never end
    Case(
        "unbounded/rdf-symlink-to-dev-zero",
        ["validate", "{tmp}/zero.ttl"],
        2,
        "not a regular file",
        files={"zero.ttl": lambda d: (d / "zero.ttl").symlink_to("/dev/zero")},
    ),
    Case(
        "unbounded/rdf-fifo",
        ["validate", "{tmp}/pipe.ttl"],
        2,
        "not a regular file",
        files={"pipe.ttl": lambda d: os.mkfifo(d / "pipe.ttl")},
    ),
    Case(
        "unbounded/query-fifo",
        ["query", "{tmp}/pipe.rq"],
        2,
        "not a regular file",
        files={"pipe.rq": lambda d: os.mkfifo(d / "pipe.rq")},
    ),
    Case(
        "unbounded/folder",
        ["validate", "{tmp}/dir.ttl"],
        2,
        "directory",
        files={"dir.ttl": lambda d: (d / "dir.ttl").mkdir()},
    ),
    Case(
        "unbounded/literal-over-16mib",
        ["validate", "{tmp}/big.ttl"],
        2,
        "too large",
        files={"big.ttl": b'<http://x/a> <http://x/p> "' + b"a" * (17 * 1024 * 1024) + b'" .\n'},
    ),
    # ---- XML entity bombs and external entities, whatever the names
    Case(
        "xml-bomb/ascii-names",
        ["validate", "{tmp}/lol.rdf"],
        2,
        "entity-expansion bomb",
        files={"lol.rdf": laughs("l").encode()},
    ),
    Case(
        "xml-bomb/non-ascii-names",
        ["validate", "{tmp}/lol.rdf"],
        2,
        "entity-expansion bomb",
        files={"lol.rdf": laughs("é").encode()},
    ),
    Case(
        "xml-bomb/colon-names",
        ["validate", "{tmp}/lol.rdf"],
        2,
        "entity-expansion bomb",
        files={"lol.rdf": laughs(":").encode()},
    ),
    Case(
        "xml-bomb/utf16",
        ["validate", "{tmp}/lol.rdf"],
        2,
        "entity-expansion bomb",
        files={
            "lol.rdf": laughs("l")
            .replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
            .encode("utf-16")
        },
    ),
    Case(
        "xml-external/system",
        ["validate", "{tmp}/xxe.rdf"],
        2,
        "external",
        files={
            "xxe.rdf": RDF_HEAD.format(
                entities='<!ENTITY x SYSTEM "{canary}">', body="&x;"
            ).encode()
        },
    ),
    Case(
        "xml-external/parameter",
        ["validate", "{tmp}/pe.rdf"],
        2,
        "parameter",
        files={
            "pe.rdf": RDF_HEAD.format(
                entities='<!ENTITY % p SYSTEM "{canary}"> %p;', body="x"
            ).encode()
        },
    ),
    Case(
        "xml-external/unparsed",
        ["validate", "{tmp}/ndata.rdf"],
        2,
        "unparsed",
        files={
            "ndata.rdf": RDF_HEAD.format(
                entities='<!NOTATION n SYSTEM "x"><!ENTITY u SYSTEM "{canary}" NDATA n>', body="x"
            ).encode()
        },
    ),
    Case(
        "xml-malformed/undefined-entity",
        ["validate", "{tmp}/undef.rdf"],
        2,
        "XML error",
        files={"undef.rdf": RDF_HEAD.format(entities='<!ENTITY a "x">', body="&b;").encode()},
    ),
    # ---- JSON-LD: no remote contexts, no nesting bombs
    Case(
        "jsonld/remote-context",
        ["validate", "{tmp}/ctx.jsonld"],
        2,
        "context",
        files={"ctx.jsonld": b'{"@context": "{canary}", "@id": "http://x/a", "p": 1}'},
    ),
    Case(
        "jsonld/nesting-bomb",
        ["validate", "{tmp}/deep.jsonld"],
        2,
        "",
        files={
            "deep.jsonld": b'{"@id": "http://x/a", "http://x/p": '
            + b"[" * 100_000
            + b"1"
            + b"]" * 100_000
            + b"}"
        },
    ),
]


def _render(value: str, tmp: Path, target: Canary) -> str:
    return value.replace("{canary}", target.url).replace("{tmp}", str(tmp))


def _write_files(case: Case, tmp: Path, target: Canary) -> None:
    for name, content in case.files.items():
        if callable(content):
            content(tmp)
        else:
            data = content.replace(b"{canary}", target.url.encode())
            (tmp / name).write_bytes(data)


def run_govkg(argv: list[str], stdin: bytes | None, seconds: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "govkg", *argv],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=seconds,
        env=env,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_cli(case: Case, tmp_path: Path) -> None:
    with canary() as target:
        _write_files(case, tmp_path, target)
        argv = [_render(a, tmp_path, target) for a in case.argv]
        stdin = case.stdin.replace(b"{canary}", target.url.encode()) if case.stdin else None
        start = time.monotonic()
        done = run_govkg(argv, stdin, case.seconds)
        elapsed = time.monotonic() - start
        err = done.stderr.decode("utf-8", "replace")
        assert done.returncode >= 0, f"killed by signal {-done.returncode}: {err[-500:]}"
        if case.exit >= 0:
            assert done.returncode == case.exit, err
        else:  # the outcome may be either a clean parse or a clean refusal, never a crash
            assert done.returncode in (0, 1, 2), err
        if done.returncode:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("govkg: error: "), err[-1000:]
            assert case.fragment.lower() in lines[0].lower(), lines[0]
        assert "Traceback" not in err and "internal error" not in err, err[-1000:]
        assert elapsed < case.seconds
        assert target.hits == 0, "something connected to the loopback canary"


HTTP_CASES = [c for c in CASES if c.query is not None and c.id.split("/")[0] != "size"]


@pytest.fixture(scope="module")
def endpoint(kg: KnowledgeGraph):
    import threading

    from govkg.serve import make_server

    server = make_server(kg, "127.0.0.1", 0, quiet=True, timeout=20)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    server.server_close()


def _post(url: str, query: str) -> tuple[int, str]:
    body = urlencode({"query": query}).encode()
    request = Request(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except HTTPError as err:
        return err.code, err.read().decode()


@pytest.mark.parametrize("case", HTTP_CASES, ids=[c.id for c in HTTP_CASES])
def test_hostile_http(case: Case, endpoint: str) -> None:
    with canary() as target:
        status, body = _post(endpoint, _render(case.query or "", Path("."), target))
        assert status in (400, 403), (status, body[:300])
        assert body.count("\n") == 1 and case.fragment.lower() in body.lower(), body[:300]
        assert target.hits == 0, "something connected to the loopback canary"
    # and the server is still there
    status, body = _post(endpoint, "ASK { ?s ?p ?o }")
    assert status == 200 and "true" in body
