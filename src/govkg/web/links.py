"""Where a page links to, and where a static site puts a page: one module decides both.

On a live server a dataset IRI links to the same path as the IRI; in a static site to its
`.html` file, at the relative path `site_path` gives (the only function that turns an IRI
into a file name; it refuses what could leave the folder or alias another file). Every
`href` an IRI becomes passes `link_target`: only http, https and mailto IRIs (and the
site's own relative paths) are links; `javascript:`, `data:` and every other scheme are
shown as text.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import BASE, GKR, ONTOLOGY_IRI
from govkg.web.negotiation import RDF_FORMATS

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
"""The schemes an IRI may have to become a link: none of them runs script."""

SITE_EXTENSIONS = ("html", *(ext for _, ext, _ in RDF_FORMATS.values()))
"""The endings `govkg site` writes beside every page IRI's path."""
MAX_SEGMENT_BYTES = 255 - 1 - max(len(e) for e in SITE_EXTENSIONS)
"""A segment with its longest ending (.jsonld) must fit a file name (255 bytes)."""
MAX_PATH_BYTES = 2048
"""A file's whole relative path, in UTF-8 bytes (PATH_MAX is 4096 with the folder's own)."""
_FORBIDDEN = frozenset('<>:"/\\|?*%')
"""Characters no file name may hold here: Windows refuses them, `%` could decode twice."""
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Zp"})
"""Unicode categories refused in names: controls (NUL…), format (bidi overrides), spaces."""
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(10)]
)
"""Windows device names: `nul.html` is not a file there."""
_SCHEME_BASE = urlsplit(BASE)


def link_target(url: str) -> str | None:
    """`url` when following it cannot run script, else None.

    Allowed: a reference without a scheme (this site's own paths: `/id/x`, `../x.html`) and
    absolute http, https and mailto URLs. The scheme is what `urllib.parse.urlsplit` parses,
    which follows the WHATWG URL rules browsers use (leading controls and spaces stripped,
    tabs and newlines removed); tests compare it with Chromium's own `new URL()`.
    """
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme == "" or scheme in LINK_SCHEMES else None


def local_path(iri: str) -> str | None:
    """`/id/…` or `/def#…` for an IRI under the dataset base; None for any other IRI."""
    if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
        return "/" + iri[len(BASE) :]
    if iri.startswith(GKR) and len(iri) > len(GKR):
        return "/" + iri[len(BASE) :]
    return None


def iri_of(path: str) -> str | None:
    """The IRI a request path names (`/id/org/x` -> https://w3id.org/govkg/id/org/x)."""
    if path == "/def" or (path.startswith("/id/") and len(path) > 4):
        return BASE + path[1:]
    return None


def _shown(iri: str) -> str:
    """A text for a one-line message: controls escaped, cut in the middle past 120."""
    iri = "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in iri)
    return iri if len(iri) <= 120 else f"{iri[:80]}…{iri[-30:]}"


def _segment_problem(segment: str) -> str | None:
    """Why one path segment cannot be a file or folder name, or None."""
    if segment == "":
        return "an empty path segment (// or a trailing /)"
    decoded = unquote(segment, errors="replace")
    if decoded in (".", ".."):
        return f"a dot segment {segment!r}" + (" (percent-encoded)" if decoded != segment else "")
    if "%" in segment:
        if "/" in decoded or "\\" in decoded:
            return f"an encoded slash in {segment!r}"
        return f"a percent escape in {segment!r} (write the characters themselves)"
    bad = sorted(set(segment) & _FORBIDDEN)
    if bad:
        return f"{''.join(bad)!r} in {segment!r}"
    for c in segment:
        if unicodedata.category(c) in _INVISIBLE:
            return f"the control, format or space character U+{ord(c):04X} in {segment!r}"
    if segment.startswith(".") or segment.endswith("."):
        return f"a name beginning or ending with '.' ({segment!r}: hidden or stripped)"
    if segment.split(".")[0].casefold() in _RESERVED:
        return f"the Windows device name {segment!r}"
    if segment.rsplit(".", 1)[-1].casefold() in SITE_EXTENSIONS and "." in segment:
        return f"a name ending like the site's own files ({segment!r})"
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return f"a segment of {len(segment.encode('utf-8'))} bytes (at most {MAX_SEGMENT_BYTES})"
    return None


def site_path(iri: str) -> str:
    """The relative path (no ending) of a page IRI's files in a static site: `id/org/x`.

    The IRI must parse, be the ontology IRI or lie under the dataset's `id/` with no query
    or fragment, and every segment must be a plain portable file name: no dot segments
    (also percent-encoded), no empty segment, no percent escapes at all, no `\\` or other
    character Windows refuses, no control, format or space characters, no leading or
    trailing dot, no Windows device name, no ending the site itself writes, at most
    MAX_SEGMENT_BYTES a segment and MAX_PATH_BYTES in all. Anything else is BadInput naming
    the IRI. The path is then the IRI's own text, so distinct IRIs give distinct paths.
    """
    try:
        ox.NamedNode(iri)
        parts = urlsplit(iri)
    except ValueError as err:
        raise BadInput(f"site: <{_shown(iri)}> is not an IRI ({_shown(str(err))})") from None
    if iri == ONTOLOGY_IRI:
        return "def"
    base = _SCHEME_BASE.path + "id/"
    if (parts.scheme, parts.netloc) != (_SCHEME_BASE.scheme, _SCHEME_BASE.netloc) or not (
        parts.path.startswith(base) and len(parts.path) > len(base)
    ):
        raise BadInput(f"site: <{_shown(iri)}> has no page: it is not under {GKR}")
    if f"{parts.scheme}://{parts.netloc}{parts.path}" != iri:  # a query or fragment, even empty
        raise BadInput(f"site: <{_shown(iri)}> cannot be a file: it has a query or fragment")
    rel = parts.path[len(_SCHEME_BASE.path) :]
    for segment in rel.split("/")[1:]:
        problem = _segment_problem(segment)
        if problem:
            raise BadInput(f"site: <{_shown(iri)}> cannot be a file name: {problem}")
    if len(rel.encode("utf-8")) + 1 + max(map(len, SITE_EXTENSIONS)) > MAX_PATH_BYTES:
        raise BadInput(f"site: <{_shown(iri)}> cannot be a file name: over {MAX_PATH_BYTES} bytes")
    return rel


def alias_key(path: str) -> str:
    """What a case-insensitive, normalising file system (macOS, Windows) sees in a name."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", path).casefold())


def site_paths(iris: Iterable[str]) -> dict[str, str]:
    """`site_path` of every IRI, refusing two IRIs whose files one file system would merge
    (same name but for case or Unicode normalisation). BadInput names the first problem
    and how many IRIs have one."""
    paths: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems: list[str] = []
    for iri in iris:
        try:
            path = site_path(iri)
        except BadInput as err:
            problems.append(str(err))
            continue
        key = alias_key(path)
        if key in seen:
            problems.append(
                f"site: <{_shown(iri)}> and <{_shown(seen[key])}> would be the same file "
                "on a case-insensitive or normalising file system"
            )
            continue
        seen[key] = iri
        paths[iri] = path
    if problems:
        more = f" (and {len(problems) - 1} more IRIs refused)" if len(problems) > 1 else ""
        raise BadInput(problems[0] + more)
    return paths


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

    def href(self, iri: str) -> str | None:
        """Where a link to this IRI goes: its page here, or the IRI itself elsewhere; None
        when it must not be a link (a scheme that could run script: shown as text)."""
        path = local_path(iri)
        if path is None:
            return link_target(iri)
        if not self.static:
            return link_target(path)
        document, hash_, fragment = iri.partition("#")
        try:
            rel = site_path(document)
        except BadInput:  # no file of its own in a static site: the IRI itself
            return link_target(iri)
        return link_target(self._rel(f"/{rel}.html") + hash_ + fragment)

    def data(self, iri: str, fmt: str, ext: str) -> str:
        """The IRI's description in an RDF format (?format= live, a sibling file static)."""
        if self.static:
            return self._rel(f"/{site_path(iri.partition('#')[0])}.{ext}")
        path = local_path(iri) or "/"
        return f"{path.partition('#')[0]}?format={fmt}"
