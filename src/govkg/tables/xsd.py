"""Whether a cell's text is a valid literal of an XSD datatype: lexical form AND value.

The rule, for every typed column and every typed `object` of the statements and
derivations sheets: the text (with the spaces around it taken off) must be in the
datatype's lexical space as XML Schema 1.1 Part 2 defines it, and denote a value: so
`2023-02-30T25:61:00` (no 30 February, no hour 25) and `2023-02-29` are refused, as are
`2023-02-01 10:00:00` (a space, not `T`), `10:00` (no seconds), `1.5e3` as a decimal and
`yes` as a boolean. As XSD allows, `24:00:00` is midnight at the end of the day and a
time zone (`Z`, `+08:00`, at most ±14:00) may follow a date or time. The checking is
elementpath's implementation of the XSD datatypes (its lexical patterns, then its value
construction), not a pattern of govkg's own.
"""

from __future__ import annotations

from functools import cache

CHECKED = (
    "xsd:dateTime", "xsd:date", "xsd:time", "xsd:gYear", "xsd:decimal", "xsd:integer",
    "xsd:positiveInteger", "xsd:boolean",
)  # fmt: skip
"""The datatypes whose values are checked; any other (xsd:string) holds any text."""

_DATES = ("xsd:dateTime", "xsd:date", "xsd:time", "xsd:gYear")


@cache
def _type(datatype: str) -> type:
    from elementpath.datatypes import builtin_atomic_types

    return builtin_atomic_types["xs:" + datatype.split(":", 1)[1]]


def invalid(datatype: str, text: str) -> str | None:
    """Why `text` is no valid `datatype` literal, or None when it is one (or unchecked)."""
    if datatype not in CHECKED:
        return None
    kind = _type(datatype)
    if not kind.is_valid(text):  # the lexical space
        return f"{text!r} is not an {datatype} (lexical form)"
    try:
        if datatype in _DATES:
            kind.fromstring(text)  # the value: days of the month, hours, minutes, seconds
        elif datatype == "xsd:positiveInteger" and int(text) < 1:
            return f"{text!r} is not an {datatype} (a count from 1)"
    except (ValueError, OverflowError, ArithmeticError) as err:
        return f"{text!r} is not an {datatype}: {err}"
    return None
