"""Summaries the build writes so that the ranking queries of a national graph look up
instead of aggregating: a query that sums 700,000 支出先 rows over ten years takes
Oxigraph 14 s (top-recipients) or minutes (budget-by-ministry); the same sums made once
while the lines stream past cost the build seconds, and the queries read a few thousand
nodes.

* On every project with 支出先 rows: ``kg:expenditureTotal`` (yen; a row without an amount
  or out of scale counts 0), which ranks projects in the class index; ``kg:entryTotal``, the
  same without the rows of blocks only other blocks pay (``kg:passedOn``: money passed on);
  ``kg:expenditureRowCount``, ``kg:outOfScaleRowCount`` and ``kg:executedInRowsYear`` (the
  execution the sheet reports for the fiscal year of its rows) and ``kg:rowsPerExecution``
  (their ratio to two decimals, where the execution is above 0), read by money-passed-on.
* On every ``kg:Corporation`` paid by some 支出先 row (``kg:Expenditure`` with a
  ``kg:project`` that has a ``kg:sheetYear``): ``kg:receivedTotal`` (yen; a row without an
  amount counts 0), ``kg:payingProjects`` (distinct projects: the sheets of one lineage
  count once), ``kg:payingSheets`` (sheet years apart), ``kg:expenditureRows``,
  ``kg:firstSheetYear`` and ``kg:lastSheetYear``.
* A ``kg:BudgetSummary`` per ministry and fiscal year: over the budget records that are not
  requests and have a budget total or an executed amount other than 0, each taken from the
  newest sheet of its lineage that reports the year (no sheet reachable by
  ``^kg:pastSheet+`` has a non-request record of that year), ``kg:projectCount``,
  ``kg:summedBudgetTotal``, ``kg:summedExecutedAmount`` and ``kg:summedBudgetOfExecuted``
  (the budget total of the records that report an executed amount; the execution rate's
  denominator), and ``kg:executedRecords``.

The rules are those of the SPARQL each replaced (``tests/test_summaries.py`` runs that
SPARQL on the built graph and compares). Lines are read as :class:`~kg.emit.merge.LineScan`
hands them over: by predicate, any order, each line once.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from sys import intern

from .. import nt
from ..iris import budget_summary
from .sink import KG, RDF

_NUMBER_END = '"^^<'


def _number(obj: str) -> Decimal | None:
    """The value of a numeric literal as N-Triples writes it (``"12"^^<…#decimal>``)."""
    if not obj.startswith('"') or _NUMBER_END not in obj:
        return None
    try:
        return Decimal(obj[1 : obj.index('"', 1)])
    except ArithmeticError:
        return None


class Summaries:
    """Collects what the summaries need from the merged lines; :meth:`lines` writes them."""

    def __init__(self) -> None:
        k, r = str(KG), str(RDF.type)
        self.EXPENDITURE, self.CORPORATION = f"<{k}Expenditure>", f"<{k}Corporation>"
        self.predicates = {
            f"<{k}{name}>": name
            for name in ("recipient", "project", "amount", "sheetYear", "ministry", "budgetRecord",
                         "fiscalYear", "isRequest", "budgetTotal", "executedAmount", "outOfScale", "block",
                         "passedOn")
        }
        self.predicates[f"<{r}>"] = "type"
        # rows and records keyed by hash(subject) (one process: the hashes agree): 700,000 rows
        # need no copy of their IRIs; the IRIs they point to are interned, one copy each
        self.expenditures: set[int] = set()
        self.out_of_scale: set[int] = set()
        self.corporations: set[str] = set()
        self.recipient: dict[int, str] = {}
        self.project: dict[int, str] = {}
        self.block: dict[int, str] = {}  # a row → its fund-flow block
        self.passed_on: set[str] = set()  # blocks only other blocks pay (kg:passedOn)
        self.amount: dict[int, Decimal] = {}
        self.sheet_year: dict[str, int] = {}
        self.ministries: dict[str, set[str]] = defaultdict(set)
        self.records: dict[str, list[int]] = defaultdict(list)  # a project → hash of each budget record
        self.fiscal_year: dict[int, str] = {}
        self.non_request: set[int] = set()
        self.total: dict[int, Decimal] = {}
        self.executed: dict[int, Decimal] = {}

    #: numeric predicates → the dict (keyed by hash of the subject) that keeps their values
    _NUMBERS = {"amount": "amount", "budgetTotal": "total", "executedAmount": "executed"}

    def take(self, name: str, s: str, o: str) -> None:
        """One line, already split: subject, the predicate's name in :attr:`predicates`, object."""
        if name == "type":
            if o == self.EXPENDITURE:
                self.expenditures.add(hash(s))
            elif o == self.CORPORATION:
                self.corporations.add(s)
        elif name == "recipient":
            self.recipient[hash(s)] = intern(o)
        elif name == "project":
            self.project[hash(s)] = intern(o)
        elif name == "block":
            self.block[hash(s)] = intern(o)
        elif name == "passedOn":
            if o.startswith('"true"'):
                self.passed_on.add(s)
        elif name in self._NUMBERS:
            value = _number(o)
            if value is not None:
                getattr(self, self._NUMBERS[name])[hash(s)] = value
        elif name == "sheetYear":
            value = _number(o)
            if value is not None:
                self.sheet_year[s] = int(value)
        elif name == "ministry":
            self.ministries[s].add(o)
        elif name == "budgetRecord":
            self.records[s].append(hash(o))
        elif name == "fiscalYear":
            self.fiscal_year[hash(s)] = intern(o)
        elif name == "outOfScale":
            if o.startswith('"true"'):
                self.out_of_scale.add(hash(s))
        elif name == "isRequest":
            if o.startswith('"false"'):
                self.non_request.add(hash(s))

    # ------------------------------------------------------------------ writing
    def lines(self, projects: set[str], past_edges: set[tuple[str, str]],
              lineage: dict[str, str] | None = None) -> set[str]:
        return self.recipient_lines(lineage) | self.budget_lines(projects, past_edges)

    def recipient_lines(self, lineage: dict[str, str] | None = None) -> set[str]:
        """Per corporation: yen received, projects (sheets of one lineage count once, ``lineage``
        maps a sheet to its first), sheet years, rows, first and last sheet year."""
        lineage = lineage or {}
        paid: dict[str, list] = {}
        by_project: dict[str, list] = {}  # a project → [yen, yen of blocks not passed on, rows, out-of-scale rows]
        flagged, passed_on = self.out_of_scale, self.passed_on
        for e in self.expenditures:
            corp, p = self.recipient.get(e), self.project.get(e)
            out_of_scale = e in flagged
            if p is not None:
                kept = 0 if out_of_scale else self.amount.get(e, 0)
                sums = by_project.get(p)
                if sums is None:
                    sums = by_project[p] = [Decimal(0), Decimal(0), 0, 0]
                sums[0] += kept
                if self.block.get(e) not in passed_on:
                    sums[1] += kept
                sums[2] += 1
                sums[3] += out_of_scale
            if corp is None or p is None or corp not in self.corporations:
                continue
            year = self.sheet_year.get(p)
            if year is None:
                continue
            row = paid.get(corp)
            if row is None:
                row = paid[corp] = [Decimal(0), set(), 0, year, year, 0, Decimal(0)]
            if out_of_scale:
                row[5] += 1
                row[6] += self.amount.get(e, 0)
            else:
                row[0] += self.amount.get(e, 0)
            row[1].add(p)
            row[2] += 1
            row[3], row[4] = min(row[3], year), max(row[4], year)
        out = set()
        k = str(KG)
        for p, (total, entry, rows, flagged_rows) in by_project.items():
            out.add(f"{p} <{k}expenditureTotal> {nt.decimal(total)} .")
            out.add(f"{p} <{k}entryTotal> {nt.decimal(entry)} .")
            out.add(f"{p} <{k}expenditureRowCount> {nt.integer(rows)} .")
            if flagged_rows:
                out.add(f"{p} <{k}outOfScaleRowCount> {nt.integer(flagged_rows)} .")
            executed = self.executed_in_rows_year(p)
            if executed is not None:
                out.add(f"{p} <{k}executedInRowsYear> {nt.decimal(executed)} .")
                if executed > 0:  # rounded as SPARQL's ROUND(100 * rows / executed) / 100 (half up)
                    ratio = (total / executed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    out.add(f"{p} <{k}rowsPerExecution> {nt.decimal(ratio)} .")
        for corp, (total, projects, rows, first, last, flagged_rows, flagged_yen) in paid.items():
            if flagged_rows:
                out.add(f"{corp} <{k}outOfScaleRows> {nt.integer(flagged_rows)} .")
                out.add(f"{corp} <{k}outOfScaleYen> {nt.decimal(flagged_yen)} .")
            out.add(f"{corp} <{k}receivedTotal> {nt.decimal(total)} .")
            out.add(f"{corp} <{k}payingProjects> {nt.integer(len({lineage.get(p, p) for p in projects}))} .")
            out.add(f"{corp} <{k}payingSheets> {nt.integer(len(projects))} .")
            out.add(f"{corp} <{k}expenditureRows> {nt.integer(rows)} .")
            out.add(f"{corp} <{k}firstSheetYear> {nt.integer(first)} .")
            out.add(f"{corp} <{k}lastSheetYear> {nt.integer(last)} .")
        return out

    def executed_in_rows_year(self, p: str) -> Decimal | None:
        """The executed amount sheet ``p`` reports for the fiscal year of its 支出先 rows (its
        sheet year − 1), over its budget records that are not requests; None when it reports none."""
        year = self.sheet_year.get(p)
        if year is None:
            return None
        found = [self.executed[b] for b in self.records.get(p, ()) if b in self.non_request and b in self.executed
                 and _number(self.fiscal_year.get(b, "")) == year - 1]
        return sum(found, Decimal(0)) if found else None

    def budget_lines(self, projects: set[str], past_edges: set[tuple[str, str]]) -> set[str]:
        years_of: dict[str, set[str]] = defaultdict(set)  # a sheet → the years its non-request records report
        for p, records in self.records.items():
            for b in records:
                if b in self.non_request and b in self.fiscal_year:
                    years_of[p].add(self.fiscal_year[b])
        newer_of: dict[str, set[str]] = defaultdict(set)  # a sheet → the sheets that name it as past
        for newer, past in past_edges:
            newer_of[past].add(newer)
        later: dict[str, set[str]] = {}

        def reported_later(p: str) -> set[str]:
            """The years some sheet reachable by ^kg:pastSheet+ from ``p`` reports."""
            if p in later:
                return later[p]
            seen, stack, years = {p}, list(newer_of.get(p, ())), set()
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                years |= years_of.get(n, set())
                stack.extend(newer_of.get(n, ()))
            later[p] = years
            return years

        sums: dict[tuple[str, str], list] = {}
        for p in projects:
            ministries, records = self.ministries.get(p), self.records.get(p)
            if not ministries or not records:
                continue
            for b in records:
                year = self.fiscal_year.get(b)
                if year is None or b not in self.non_request:
                    continue
                t, x = self.total.get(b), self.executed.get(b)
                if not (t or x):
                    continue
                if year in reported_later(p):
                    continue
                for m in ministries:
                    row = sums.get((m, year))
                    if row is None:
                        row = sums[(m, year)] = [set(), Decimal(0), Decimal(0), Decimal(0), 0]
                    row[0].add(p)
                    row[1] += t or 0
                    row[2] += x or 0
                    if x is not None:
                        row[3] += t or 0
                        row[4] += 1
        out = set()
        k = str(KG)
        for (m, year), (ps, total, executed, of_executed, executed_records) in sums.items():
            node = f"<{budget_summary(m[1:-1], nt.unquote(year))}>"
            out.add(f"{node} <{RDF.type}> <{k}BudgetSummary> .")
            out.add(f"{node} <{k}ministry> {m} .")
            out.add(f"{node} <{k}fiscalYear> {year} .")
            out.add(f"{node} <{k}projectCount> {nt.integer(len(ps))} .")
            out.add(f"{node} <{k}summedBudgetTotal> {nt.decimal(total)} .")
            out.add(f"{node} <{k}summedExecutedAmount> {nt.decimal(executed)} .")
            out.add(f"{node} <{k}summedBudgetOfExecuted> {nt.decimal(of_executed)} .")
            out.add(f"{node} <{k}executedRecords> {nt.integer(executed_records)} .")
        return out
