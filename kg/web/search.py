"""Search by name (any spelling the graph keeps, after NFKC), 法人番号 or 事業番号: the
``/search`` page of ``kg serve`` and the index the static site searches in the browser.

A name matches when it contains what was typed, both NFKC-normalised, without spaces and
in lower case (``ＮＥＣ`` finds ＮＥＣソリューションイノベータ's "NEC…"); a 法人番号 or a 事業番号
(``2022-総務-21-0059``, ``2024-RS-5120``; as the sheet publishes it, ``2022-官房-21-0021``, or as kg
spells it, ``2022-内閣-21-0021``) finds its node exactly. Results are ranked: exact
numbers first, then names that start with the text, then shorter names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..iris import KG
from ..normalize import compact, number_spellings
from ..queries import internal, select

#: the kinds of node search finds, in the order results are grouped
KINDS = tuple(str(KG[c]) for c in ("Corporation", "Project", "Ministry", "Law", "Plan", "Policy", "Measure"))
MAX_QUERY = 200  # characters of a search


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str  # class IRI
    label: str  # the spelling that matched


def normal(text: str) -> str:
    """What is compared: NFKC, no whitespace, lower case."""
    return compact(text[:MAX_QUERY]).lower()


def search(store: ox.Store, text: str, limit: int = 100) -> list[Hit]:
    """The nodes whose number is ``text`` or whose name contains it, best first."""
    wanted = normal(text)
    if not wanted:
        return []
    hits: dict[str, tuple] = {}
    for number in number_spellings(text[:MAX_QUERY]):  # a 事業番号 in another spelling too
        for row in select(store, internal("search-numbers"), text=number):
            iri = row["s"].value
            hits[iri] = (0, 0, 0, Hit(iri, "", ""))
    for row in select(store, internal("search-names"), text=wanted):
        iri, kind, label = row["s"].value, row["type"].value, row["label"].value
        key = normal(label)
        rank = (1, 0 if key.startswith(wanted) else 1, len(key))
        if iri not in hits or rank < hits[iri][:3]:
            hits[iri] = (*rank, Hit(iri, kind, label))
    ordered = sorted(hits.values(), key=lambda h: (h[:3], KINDS.index(h[3].kind) if h[3].kind in KINDS else 0, h[3].label, h[3].iri))
    return [h[3] for h in ordered[:limit]]
