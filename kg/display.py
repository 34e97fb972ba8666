"""Values for people: yen with thousands separators, IRIs shortened with known prefixes.

Used by the query table, the validation report and the HTML pages alike, so an amount
reads the same everywhere (``53,900,000``; ``99.5`` for a rate).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from .iris import PREFIXES, XSD


def shorten(iri: str) -> str:
    """``kg:amount`` for an IRI in one of the known namespaces, else the IRI."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def number(value) -> Decimal | None:
    """A Decimal from a Decimal, an int, a lexical form or an RDF literal; None when it is none."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value if isinstance(value, (str, int)) else value.value)
    except (InvalidOperation, AttributeError, TypeError, ValueError):
        return None


def group_digits(value) -> str:
    """An amount for people: ``-15000000`` → ``-15,000,000``, ``99.50`` → ``99.5``;
    '' when it is not a number (or absent)."""
    d = number(value)
    if d is None or not d.is_finite():
        return ""
    return f"{d:,f}" if d == d.to_integral_value() else f"{d.normalize():,f}"


#: the amounts of the graph are yen: one formatting for both names
yen = group_digits


def term(t) -> str:
    """A query answer's term for people: decimals with separators, IRIs shortened."""
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        return shorten(t.value)
    if isinstance(t, ox.Literal) and t.datatype.value == str(XSD.decimal):
        return group_digits(t.value)
    return t.value
