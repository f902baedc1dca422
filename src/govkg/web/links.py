"""Where a page links to: the same path as the IRI on a live server, `.html` files in a
static site. One object decides, so every page renders the same in both places."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from govkg.namespaces import BASE, ONTOLOGY_IRI


def local_path(iri: str) -> str | None:
    """`/id/…` or `/def#…` for an IRI under the dataset base; None for any other IRI."""
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
        return "/" + iri[len(BASE) :]
    if iri.startswith(BASE + "id/") and len(iri) > len(BASE + "id/"):
        return "/" + iri[len(BASE) :]
    return None


def iri_of(path: str) -> str | None:
    """The IRI a request path names (`/id/org/x` -> https://w3id.org/govkg/id/org/x)."""
    if path == "/def" or (path.startswith("/id/") and len(path) > 4):
        return BASE + path[1:]
    return None


@dataclass(frozen=True)
class Linker:
    """Links from one page: `static` pages live at `here` (a path like /id/org/x)."""

    static: bool = False
    here: str = "/"

    def _rel(self, target: str) -> str:
        if not self.static:
            return target
        base = posixpath.dirname(self.here) or "/"
        return posixpath.relpath(target, base) if target != base else "."

    def page(self, path: str) -> str:
        """A site path: /, /def, /id/…, /static/…, /void.ttl, each with its fragment."""
        path, hash_, fragment = path.partition("#")
        if self.static:
            if path == "/.well-known/void":
                path = "/void.ttl"
            elif path == "/":
                path = "/index.html"
            elif (
                not path.startswith(("/static/", "/dumps/")) and "." not in path.rsplit("/", 1)[-1]
            ):
                path += ".html"
        return self._rel(path) + hash_ + fragment

    def href(self, iri: str) -> str:
        """Where a link to this IRI goes: its page here, or the IRI itself elsewhere."""
        path = local_path(iri)
        return self.page(path) if path else iri

    def data(self, iri: str, fmt: str, ext: str) -> str:
        """The IRI's description in an RDF format (?format= live, a sibling file static)."""
        path = local_path(iri) or "/"
        path = path.partition("#")[0]
        if self.static:
            return self._rel(f"{path}.{ext}")
        return f"{path}?format={fmt}"
