"""Records → triples under our ontology: the only package that knows predicates.

Split by part of the ontology, in the order of docs/graph/model.md "The graph": :mod:`.sink`
(graphs, writing, source links), :mod:`.organisations`, :mod:`.projects` (and lineage),
:mod:`.policy` (laws, plans, policies), :mod:`.budgets`, :mod:`.indicators`,
:mod:`.fund_flow`, :mod:`.preanalysis`, :mod:`.register` (the 法人番号 register); :mod:`.records` runs them over a record, and
:mod:`.merge` joins the files of a build.
"""

from .merge import merge, quad_lines, sorted_nquads, union
from .records import emit
from .sink import Emitted, Sink, document

__all__ = ["Emitted", "Sink", "document", "emit", "merge", "quad_lines", "sorted_nquads", "union"]
