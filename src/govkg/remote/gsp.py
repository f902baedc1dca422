"""Publishing a graph through the SPARQL 1.1 Graph Store HTTP Protocol, in chunks, atomically.

A chunk is an N-Triples document POSTed to a staging graph of its own (`urn:govkg:staging:`
and a UUID). RDF gives a blank node no name outside one document, so all triples about a
blank node travel in the same chunk. When every chunk is there and the store's count of the
staging graph equals what was sent, one SPARQL Update `MOVE`s it onto the target (--replace)
or `ADD`s it there, so the target changes in one step or not at all; on any failure the
staging graph is dropped. A store without SPARQL Update gets the chunks straight into the
target (--non-atomic), each failure saying how much was stored. Afterwards the store's own
count of the target is compared with what was sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from govkg.remote.client import Client, HttpStatusError, RemoteError, shown
from govkg.remote.queries import remote_count

DEFAULT_CHUNK = 10_000
GSP = "SPARQL 1.1 Graph Store HTTP Protocol"
# a push waits in a graph of its own, named by this and a UUID, until it is complete
STAGING = "urn:govkg:staging:"

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
    atomic: bool = True


class PushFailed(RemoteError):
    """A push that stopped; the message says what the target graph now holds."""


def update_url(endpoint: str, authenticated: bool = False) -> str | None:
    """The SPARQL Update address beside a query endpoint of a known layout, or None.

    Oxigraph server and Fuseki: `/query` -> `/update`; Virtuoso takes updates at its query
    endpoint, from a user in the SPARQL_UPDATE role: `/sparql-auth` (HTTP Digest), so
    `/sparql` -> `/sparql-auth` when credentials are set.
    """
    base = endpoint.split("?", 1)[0].rstrip("/")
    if base.endswith("/sparql-auth"):
        return base
    if base.endswith("/sparql"):
        return base + "-auth" if authenticated else base
    if base.endswith("/query"):
        return base[: -len("/query")] + "/update"
    return None


def staging_iri() -> str:
    """A graph name no one else uses: where a push waits until it is complete."""
    return STAGING + uuid.uuid4().hex


def _iri(graph: str) -> str:
    return f"<{graph}>"


def _send(client: Client, store: str, graph: str, part: list[ox.Triple], method: str) -> None:
    body = ox.serialize(part, format=ox.RdfFormat.N_TRIPLES) or b""
    reply = client.request(
        method,
        store,
        GSP,
        params={"graph": graph},
        content=body,
        headers={"Content-Type": "application/n-triples"},
    )
    reply.body.close()


def _holds(client: Client, endpoint: str, graph: str) -> str:
    """What `graph` now holds, as a message says it (best effort: the store may be gone)."""
    try:
        return f"<{graph}> now holds {remote_count(client, endpoint, graph)} triples"
    except RemoteError as err:
        return f"what <{graph}> now holds could not be counted ({err})"


def _drop_staging(client: Client, update: str, staging: str) -> str:
    """Remove the staging graph; the message part that says whether that worked."""
    try:
        client.update(update, f"DROP SILENT GRAPH {_iri(staging)}")
    except RemoteError as err:
        return (
            f"the staging graph <{staging}> could not be removed ({err}): remove it with "
            f"DROP GRAPH <{staging}>"
        )
    return "the staging graph was removed"


def check_update(client: Client, update: str) -> str | None:
    """None if `update` runs SPARQL Update here, else why not (HTTP status and message).

    The probe is harmless: it drops a staging graph no one has. A 401 (credentials) and a
    store that cannot be reached stay errors.
    """
    try:
        client.update(update, f"DROP SILENT GRAPH {_iri(staging_iri())}")
    except HttpStatusError as err:
        if err.status == 401:
            raise
        return str(err)
    return None


def push(
    client: Client,
    endpoint: str,
    store: str,
    graph: str,
    parts: list[list[ox.Triple]],
    *,
    replace: bool = False,
    update: str | None = None,
    advance: Callable[[int], object] = lambda n=1: None,
    say: Callable[[str], object] = lambda line: None,
) -> PushReport:
    """Send the chunks to `graph` at the Graph Store `store`; verify by counting at `endpoint`.

    With an `update` endpoint the push is atomic: the chunks go to a fresh staging graph,
    its count is checked, and one SPARQL Update moves (--replace) or adds it to `graph`;
    until then `graph` is untouched. Without one, the chunks go straight to `graph` and
    `say` reports stored/total after each. Either way a failure is a PushFailed saying
    what `graph` then holds.
    """
    before = remote_count(client, endpoint, graph)
    sent = sum(len(part) for part in parts)
    if update is None:
        _push_directly(client, endpoint, store, graph, parts, replace, before, sent, advance, say)
    else:
        _push_staged(client, endpoint, store, graph, parts, replace, update, before, sent, advance)
    after = remote_count(client, endpoint, graph)
    low, high = (sent, sent) if replace else (max(sent, before), before + sent)
    if not low <= after <= high:
        expected = f"{low}" if low == high else f"{low} to {high}"
        raise PushFailed(
            f"{shown(endpoint)}: after the push <{graph}> holds {after} triples, expected "
            f"{expected}: the store did not keep what was sent"
        )
    return PushReport(sent, len(parts), before, after, atomic=update is not None)


def _push_staged(
    client: Client,
    endpoint: str,
    store: str,
    graph: str,
    parts: list[list[ox.Triple]],
    replace: bool,
    update: str,
    before: int,
    sent: int,
    advance: Callable[[int], object],
) -> None:
    staging = staging_iri()
    unchanged = f"<{graph}> is unchanged ({before} triples)"
    for i, part in enumerate(parts):
        try:
            _send(client, store, staging, part, "POST")
        except RemoteError as err:
            raise PushFailed(
                f"push to <{graph}> stopped at chunk {i + 1} of {len(parts)}: {err}; nothing "
                f"reached the graph: {unchanged}; {_drop_staging(client, update, staging)}"
            ) from None
        advance(1)
    try:
        staged = remote_count(client, endpoint, staging)
    except RemoteError as err:
        raise PushFailed(
            f"push to <{graph}> stopped: the staging graph could not be counted: {err}; "
            f"{unchanged}; {_drop_staging(client, update, staging)}"
        ) from None
    if staged != sent:
        raise PushFailed(
            f"push to <{graph}> stopped: the store kept {staged} of the {sent} triples sent "
            f"to the staging graph; {unchanged}; {_drop_staging(client, update, staging)}"
        )
    if sent == 0:
        step = f"DROP SILENT GRAPH {_iri(graph)}" if replace else ""
    elif replace:
        step = f"MOVE {_iri(staging)} TO {_iri(graph)}"
    else:
        step = f"ADD {_iri(staging)} TO {_iri(graph)} ; DROP SILENT GRAPH {_iri(staging)}"
    if not step:
        return
    try:
        client.update(update, step)
    except RemoteError as err:
        raise PushFailed(
            f"push to <{graph}> failed at its last step ({step.split()[0]} from the staging "
            f"graph): {err}; {_holds(client, endpoint, graph)} (before: {before}); "
            f"{_drop_staging(client, update, staging)}"
        ) from None


def _push_directly(
    client: Client,
    endpoint: str,
    store: str,
    graph: str,
    parts: list[list[ox.Triple]],
    replace: bool,
    before: int,
    sent: int,
    advance: Callable[[int], object],
    say: Callable[[str], object],
) -> None:
    if replace and not parts:
        parts = [[]]
    stored = 0
    for i, part in enumerate(parts):
        try:
            _send(client, store, graph, part, "PUT" if replace and i == 0 else "POST")
        except RemoteError as err:
            gone = " (its old content was replaced by the first chunk)" if replace and i else ""
            raise PushFailed(
                f"push to <{graph}> stopped at chunk {i + 1} of {len(parts)}: {err}; "
                f"{stored} of {sent} triples were stored before it; "
                f"{_holds(client, endpoint, graph)}{gone} (before: {before})"
            ) from None
        stored += len(part)
        advance(1)
        say(f"stored {stored}/{sent} triples in <{graph}>")
