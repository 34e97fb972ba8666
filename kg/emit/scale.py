"""Out-of-scale amounts: a row paid many times its own sheet's whole budget.

A sheet that writes yen under a 百万円 heading (86,900,000 "百万円" to NEC in a sheet of
459 百万円) or 千円 under 百万円 makes one row larger than the sheet itself. The rule,
chosen from the ten years of JUDGIT! rows (docs/graph/truth.md "Out-of-scale amounts"): a 支出先 row,
contract (RS 5-4, 5-1) or 費目・使途 row whose amount is more than :data:`FACTOR` times
the largest budget figure its sheet reports — 当初予算, 補正予算, 前年度から繰越し, 予算計,
執行額, 要求額 of any year or account — is out of scale. A sheet without any budget figure
above 0 cannot be judged, and its rows are not flagged.

Nothing is deleted: the row keeps its amount, and the build writes beside it, in the
default graph, ``kg:outOfScale true``, ``kg:scaleReference`` (the sheet's largest
figure, yen) and ``kg:scaleFactor``. The rankings leave such rows' yen out by default
(:mod:`kg.emit.summaries`, the canned queries), and ``OutOfScaleShape`` reports each with
its row.

A sheet's parts may lie in several files (the RS CSV: budgets in 2-1, contracts in 5-4),
so each file keeps its projects' largest figures and the rows it cannot clear on its own
(:class:`~kg.emit.sink.Emitted` ``scale``, ``scale_rows``); :func:`lines` settles them
over the whole build.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from rdflib import URIRef

from .. import nt
from ..model import ReviewSheet
from .sink import KG, Sink, boolean

#: a row above this many times its sheet's largest budget figure is out of scale
FACTOR = Decimal(10)


def sheet_figures(sheet: ReviewSheet) -> Decimal | None:
    """The largest budget figure a sheet reports (None when it reports none above 0)."""
    best = None
    for b in [*sheet.budgets, *sheet.account_budgets]:
        for v in (b.initial, b.supplementary, b.carried_in, b.total, b.executed, b.next_year_request, b.requested):
            if v is not None and v > 0 and (best is None or v > best):
                best = v
    return best


def settle_sheet(out: Sink, p: URIRef, sheet: ReviewSheet) -> None:
    """The sheet's largest figure into ``out.scale`` and, of the rows it emitted, those its
    own figures do not clear into ``out.scale_rows`` (another file may still clear them)."""
    key = str(p)
    figure = sheet_figures(sheet)
    if figure is not None and figure > out.scale.get(key, 0):
        out.scale[key] = figure
    known = out.scale.get(key)
    for row, amount in out.pending_scale:
        if known is None or amount > FACTOR * known:
            out.scale_rows.append((row, key, amount))
    out.pending_scale = []


def factor(amount: Decimal, reference: Decimal) -> Decimal:
    """``amount / reference`` to one decimal."""
    return (amount / reference).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def lines(scales: Iterable[dict[str, Decimal]], rows: Iterable[tuple[str, str, Decimal]],
          aliases: dict[str, str]) -> set[str]:
    """The ``kg:outOfScale`` lines of a build: each file's rows against the largest figure
    any file gives their project (an RS sheet joined to its legacy node counts as that node)."""
    best: dict[str, Decimal] = {}
    for scale in scales:
        for p, v in scale.items():
            p = aliases.get(p, p)
            if v > best.get(p, 0):
                best[p] = v
    out = set()
    k = str(KG)
    yes = boolean(True)
    for row, p, amount in rows:
        reference = best.get(aliases.get(p, p))
        if reference is None or amount <= FACTOR * reference:
            continue
        out.add(f"<{row}> <{k}outOfScale> {yes} .")
        out.add(f"<{row}> <{k}scaleReference> {nt.decimal(reference)} .")
        out.add(f"<{row}> <{k}scaleFactor> {nt.decimal(factor(amount, reference))} .")
    return out
