"""Publishing a graph through the SPARQL 1.1 Graph Store HTTP Protocol, in chunks.

A chunk is an N-Triples document POSTed to the named graph (the first one PUT when the graph
is replaced). RDF gives a blank node no name outside one document, so all triples about a
blank node travel in the same chunk. Afterwards the store's own count of the graph is compared
with what was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from govkg.remote.client import Client, RemoteError, shown
from govkg.remote.queries import remote_count

DEFAULT_CHUNK = 10_000
GSP = "SPARQL 1.1 Graph Store HTTP Protocol"

# query endpoint ending -> its Graph Store endpoint, for the stores whose layout is fixed
_KNOWN_LAYOUTS = (
    ("/sparql-auth", "/sparql-graph-crud-auth"),  # Virtuoso, authenticated
    ("/sparql", "/sparql-graph-crud"),  # Virtuoso
    ("/query", "/store"),  # Oxigraph server
)


def store_url(endpoint: str) -> str | None:
    """The Graph Store address beside a query endpoint of a known layout, or None."""
    base = endpoint.split("?", 1)[0].rstrip("/")
    for query_end, store_end in _KNOWN_LAYOUTS:
        if base.endswith(query_end):
            return base[: -len(query_end)] + store_end
    return None


def chunks(triples: Iterable[ox.Triple], size: int = DEFAULT_CHUNK) -> list[list[ox.Triple]]:
    """Triples in chunks of about `size` (more when one blank-node cluster is bigger).

    Triples sharing a blank node, directly or through other blank nodes, stay together
    (union-find over blank nodes: linear in the triples).
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[ox.Triple] = []
    linked: list[tuple[str, ox.Triple]] = []
    for t in triples:
        ends = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if not ends:
            plain.append(t)
            continue
        for n in ends:
            parent.setdefault(n, n)
        if len(ends) == 2:
            a, b = root(ends[0]), root(ends[1])
            if a != b:
                parent[b] = a
        linked.append((ends[0], t))
    clusters: dict[str, list[ox.Triple]] = {}
    for node, t in linked:
        clusters.setdefault(root(node), []).append(t)
    out: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    for group in [*clusters.values(), *([t] for t in plain)]:
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current:
        out.append(current)
    return out


@dataclass
class PushReport:
    sent: int
    chunks: int
    before: int
    after: int


def push(
    client: Client,
    endpoint: str,
    store: str,
    graph: str,
    parts: list[list[ox.Triple]],
    *,
    replace: bool = False,
    advance: Callable[[int], object] = lambda n=1: None,
) -> PushReport:
    """Send the chunks to `graph` at the Graph Store `store`; verify by counting at `endpoint`."""
    before = 0 if replace else remote_count(client, endpoint, graph)
    sent = sum(len(part) for part in parts)
    if replace and not parts:
        parts = [[]]
    for i, part in enumerate(parts):
        body = ox.serialize(part, format=ox.RdfFormat.N_TRIPLES) or b""
        client.request(
            "PUT" if replace and i == 0 else "POST",
            store,
            GSP,
            params={"graph": graph},
            content=body,
            headers={"Content-Type": "application/n-triples"},
        )
        advance(1)
    after = remote_count(client, endpoint, graph)
    low, high = (sent, sent) if replace else (max(sent, before), before + sent)
    if not low <= after <= high:
        expected = f"{low}" if low == high else f"{low} to {high}"
        raise RemoteError(
            f"{shown(endpoint)}: after the push <{graph}> holds {after} triples, expected "
            f"{expected}: the store did not keep what was sent"
        )
    return PushReport(sent=sent, chunks=len(parts), before=before, after=after)
