"""RDF/XML entity declarations, judged on what a conforming XML parser (expat) parsed.

pyoxigraph never fetches external entities, but it expands internal ones without limit: a
"billion laughs" file of under 1 KB becomes a literal of 10^8 characters. Before pyoxigraph
sees an RDF/XML file, expat reads it: a file whose DTD declares no entity is passed once
expat reaches the root element (nothing after it can declare one); otherwise expat reads the
whole file, and the file is refused if it declares an external, parameter or unparsed entity,
if its entities expand the text past a multiple of the file's size, or if expat cannot read
it at all (where two XML parsers disagree about a DTD, nothing is trusted).
"""

from __future__ import annotations

import xml.parsers.expat as expat

from govkg.errors import BadInput, InputSyntaxError

EXPANSION_FACTOR = 16
"""Text may grow at most this many times the file's size through entity expansion..."""
EXPANSION_FLOOR = 1024 * 1024
"""...or to this many characters, whichever is more."""


class _RootReached(Exception):
    """No entity was declared before the root element: nothing more to check."""


class XmlRefused(BadInput):
    """An RDF/XML file govkg will not expand (exit 2)."""


def check_entities(data: bytes, source: str) -> None:
    """Refuse external or parameter entities and expansion bombs; expat errors name the place."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    limit = max(EXPANSION_FLOOR, EXPANSION_FACTOR * len(data))
    declared: list[str] = []
    expanded = 0

    def refuse(message: str) -> XmlRefused:
        return XmlRefused(f"{source}:{parser.CurrentLineNumber}: {message}")

    def entity_decl(
        name: str,
        is_parameter: int,
        value: str | None,
        base: str | None,
        system_id: str | None,
        public_id: str | None,
        notation: str | None,
    ) -> None:
        if is_parameter or value is None or system_id or public_id or notation:
            kind = "parameter" if is_parameter else "external or unparsed"
            raise refuse(f"{kind} XML entity {name!r} is not accepted")
        declared.append(name)

    def grow(size: int) -> None:
        nonlocal expanded
        expanded += size
        if expanded > limit:
            raise refuse(
                f"XML entities expand the text past {limit} characters "
                f"(an entity-expansion bomb; entities: {', '.join(declared[:5])}); refused"
            )

    def start_element(name: str, attributes: dict[str, str]) -> None:
        if not declared:
            raise _RootReached
        grow(len(name) + sum(len(k) + len(v) for k, v in attributes.items()))

    parser.EntityDeclHandler = entity_decl
    parser.StartElementHandler = start_element
    parser.CharacterDataHandler = lambda text: grow(len(text))
    parser.UnparsedEntityDeclHandler = lambda name, *rest: entity_decl(name, 0, None, *rest)
    parser.ExternalEntityRefHandler = lambda *args: (_ for _ in ()).throw(
        refuse("external XML entity reference is not accepted")
    )
    try:
        parser.Parse(data, True)
    except _RootReached:
        return
    except expat.ExpatError as err:
        raise InputSyntaxError(
            f"XML error: {expat.ErrorString(err.code)}", source, err.lineno, err.offset + 1
        ) from None
