"""Content negotiation: which representation a client gets, from `Accept` or `?format=`.

Offers are (media type, format key) pairs in server preference order; a `format=` value
(a key, an alias or a media type) overrides `Accept`, as Fuseki and Virtuoso do.
"""

from __future__ import annotations

from http import HTTPStatus

from govkg.web.messages import HttpError

Offers = tuple[tuple[str, str], ...]

# SELECT / ASK results: the W3C formats first, people's HTML table last (so */* is JSON)
RESULT_TYPES: Offers = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
)
# graphs (CONSTRUCT, DESCRIBE, entity descriptions, VoID, service description)
GRAPH_TYPES: Offers = (
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "ttl"),
    ("text/plain", "nt"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
)
# entity pages: people first (a browser's */* gets HTML), then the RDF formats
PAGE_TYPES: Offers = (("text/html", "html"), ("application/xhtml+xml", "html"), *GRAPH_TYPES[:4])

FORMAT_ALIASES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "html": "html",
    "ttl": "ttl",
    "turtle": "ttl",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdfxml": "rdfxml",
    "rdf-xml": "rdfxml",
    "owl": "rdfxml",
}
_FOR_GRAPHS = {"xml": "rdfxml", "json": "jsonld"}
RDF_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("text/turtle", "ttl", "Turtle"),
    "nt": ("application/n-triples", "nt", "N-Triples"),
    "jsonld": ("application/ld+json", "jsonld", "JSON-LD"),
    "rdfxml": ("application/rdf+xml", "rdf", "RDF/XML"),
}
"""Graph format key -> (media type, file ending, name): pages' links, static site files."""
_TEXTUAL = ("text/", "application/n-triples")


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) of an Accept header; malformed parts are skipped."""
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        mtype, sep, sub = fields[0].lower().partition("/")
        if not sep or not mtype or not sub:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((mtype, sub, q))
    return out


def negotiate(accept: str | None, offers: Offers) -> tuple[str, str] | None:
    """The offer the client likes best (ties: server order); None when none is acceptable.

    No Accept header, or an empty one, means anything: the first offer.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best: float | None = None
    chosen = None
    for media, fmt in offers:
        mtype, _, sub = media.partition("/")
        quality, specificity = 0.0, -1
        for rtype, rsub, q in ranges:
            if rtype == mtype and rsub == sub:
                spec = 2
            elif rtype == mtype and rsub == "*":
                spec = 1
            elif rtype == "*" and rsub == "*":
                spec = 0
            else:
                continue
            if spec > specificity:
                quality, specificity = q, spec
        if quality > 0 and (best is None or quality > best):
            best, chosen = quality, (media, fmt)
    return chosen


def choose(accept: str | None, format_field: str | None, offers: Offers) -> tuple[str, str]:
    """(media type, format key) for this request; 406 when nothing offered fits."""
    if format_field is not None:
        wanted = format_field.strip().lower()
        key = FORMAT_ALIASES.get(wanted, wanted)
        keys = {f for _, f in offers}
        if key not in keys:  # format=xml / json for a graph (SPARQLWrapper sends these)
            key = _FOR_GRAPHS.get(key, key)
        for media, fmt in offers:
            if fmt == key or media == wanted:
                return media, fmt
        raise HttpError(
            HTTPStatus.NOT_ACCEPTABLE,
            f"format={format_field!r} does not fit this result; one of "
            + ", ".join(sorted({f for _, f in offers})),
        )
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise HttpError(
            HTTPStatus.NOT_ACCEPTABLE,
            "no acceptable format; this result comes as " + ", ".join(m for m, _ in offers[:4]),
        )
    return chosen


def content_type(media: str) -> str:
    """The Content-Type header value: UTF-8 stated for textual types."""
    textual = media.startswith(_TEXTUAL) or media.endswith(("+xml", "/xml", "json"))
    return f"{media}; charset=utf-8" if textual and "charset" not in media else media
