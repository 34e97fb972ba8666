"""The fund flow (資金の流れ): blocks A, B, … and who pays whom, the 支出先 of each block
with its contracts, the 費目・使途 of recipients, and multi-year contracts.

One function writes each kind of node, whatever sheet it comes from: :func:`block`,
:func:`expense_item`, :func:`expenditure`, :func:`contract`, and :func:`recipient`
for the corporation (by 法人番号) or the recipient of one row (without one).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from rdflib import URIRef

from ..codes import concept_for, corporation_kind, corporation_kind_by_code
from ..model import Block, Contract, Document, ExpenseItem, Expenditure, ReviewSheet
from ..iris import KGC
from ..normalize import expand_corporate_abbreviations, is_bundled_name, is_dummy_number, is_government_number
from .sink import KG, RDF, RDFS, Sink, boolean, integer, plain


def fund_flow(out: Sink, p: URIRef, sheet: ReviewSheet, doc: Document, d: URIRef) -> None:
    by_block: dict[str, list[Expenditure]] = defaultdict(list)
    for e in sheet.expenditures:
        by_block[e.block].append(e)
    blocks = {b.letter: b for b in sheet.blocks}
    for letter in sorted(set(blocks) | set(by_block)):
        node = block(out, p, letter)
        if letter in blocks:
            block_details(out, p, node, blocks[letter], by_block.get(letter, []), doc, d)
    # a block that only other blocks pay (no arrow from the organisation itself) is money
    # passed on: its rows were already counted in the rows of the block that paid it
    funded = {f.target for f in sheet.flows if f.source is None}
    for letter in sorted({f.target for f in sheet.flows if f.source is not None} - funded):
        out.add(block(out, p, letter), KG.passedOn, boolean(True))
    if sheet.flows:
        out.add(p, KG.fundFlowStated, boolean(True))
    for f in sheet.flows:
        target = block(out, p, f.target)
        if f.source is None:  # paid by the responsible organisation itself
            out.add(p, KG.fundsBlock, target)
        else:
            out.add(block(out, p, f.source), KG.paysBlock, target)
        out.text(target, KG.flowNote, f.note)
        out.text(p, KG.indirectCostItem, f.indirect_cost)
        out.amount(p, KG.indirectCostAmount, f.indirect_amount)
    counts: Counter = Counter()
    for letter, item in sheet.expense_items:
        counts[letter] += 1
        expense_item(out, p, letter, counts[letter], item, d)
    for e in sheet.expenditures:
        expenditure(out, p, e, doc, d)
    for i, c in enumerate(sheet.contracts, 1):
        node = out.iris.contract(p, i)
        out.add(p, KG.multiYearContract, node)
        contract(out, node, c, p, doc, d)


def block(out: Sink, p: URIRef, letter: str) -> URIRef:
    """The node of block ``letter`` of the project's fund flow."""
    node = out.iris.block(p, letter)
    out.add(p, KG.fundFlowBlock, node)
    out.add(node, RDF.type, KG.FundFlowBlock)
    out.add(node, KG.blockLetter, plain(letter))
    return node


def block_details(out: Sink, p: URIRef, node: URIRef, b: Block, rows: list[Expenditure], doc: Document,
                  d: URIRef) -> None:
    """What the sheet writes on a block: name, amount, role, contract method, 費目・使途."""
    out.text(node, RDFS.label, b.name)
    out.amount(node, KG.amount, b.amount)
    out.text(node, KG.role, b.role)
    contract_method(out, node, b.contract_method, doc, b.line)
    out.amount(node, KG.expenseItemsTotal, b.items_total)
    out.line(node, b.line)
    for i, item in enumerate(b.items, 1):
        expense_item(out, p, b.letter, i, item, d)
    if b.largest_recipient and rows:
        # the name on the block is its largest recipient's: link it and keep the spelling
        wanted = expand_corporate_abbreviations(b.largest_recipient)
        match = next((e for e in rows if expand_corporate_abbreviations(e.recipient) == wanted), None)
        match = match or min(rows, key=lambda e: e.rank)
        if match.corporate_number is not None and not is_dummy_number(match.corporate_number.digits):
            out.corporation_seen(match.corporate_number, b.largest_recipient, in_table=False)
            out.add(node, KG.largestRecipient, out.iris.corporation(match.corporate_number.digits))


def expense_item(out: Sink, p: URIRef, letter: str, index: int, item: ExpenseItem, d: URIRef) -> URIRef:
    """One 費目・使途 row of block ``letter`` (of its largest recipient, or of a named one)."""
    node = out.iris.expense_item(p, letter, index)
    out.add(block(out, p, letter), KG.expenseItem, node)
    out.add(node, RDF.type, KG.ExpenseItem)
    out.text(node, KG.expenseCategory, item.category)
    out.text(node, KG.use, item.use)
    out.paid(node, item.amount)
    out.text(node, KG.recipientName, item.recipient)
    out.text(node, KG.summary, item.contract)
    out.source(node, item.line, d)
    recipient(out, node, item.recipient, item.corporate_number, None, local=None, in_table=False)
    return node


def expenditure(out: Sink, p: URIRef, e: Expenditure, doc: Document, d: URIRef) -> URIRef:
    """A 支出先 row: recipient, amount, contract method, bidders, award rate, its contracts."""
    node = out.iris.expenditure(p, e.block, e.rank)
    out.add(node, RDF.type, KG.Expenditure)
    out.add(node, KG.project, p)
    out.add(node, KG.block, out.iris.block(p, e.block))
    out.add(node, KG.rank, integer(e.rank))
    out.text(node, KG.recipientName, e.recipient)
    out.text(node, KG.summary, e.summary)
    out.paid(node, e.amount)
    contract_method(out, node, e.contract_method, doc, e.line)
    if e.bidders is not None:
        out.add(node, KG.bidderCount, integer(e.bidders))
    out.amount(node, KG.awardRatePercent, e.award_rate)
    out.text(node, KG.reason, e.reason)
    out.source(node, e.line, d, e.pointer)
    out.text(node, KG.location, e.location)
    out.add(node, KG.corporationTypeCode, plain(e.kind_code) if e.kind_code else None)
    out.add(node, KG.isOtherRecipients, boolean(e.is_other) if e.is_other is not None else None)
    for i, c in enumerate(e.contracts, 1):
        cn = out.iris.contract(node, i)
        out.add(node, KG.contract, cn)
        contract(out, cn, c, p, doc, d)
    local = out.iris.unnumbered_recipient(p, e.block, e.rank)
    if recipient(out, node, e.recipient, e.corporate_number, e.corporate_number_text, local, kind_code=e.kind_code,
                 is_other=e.is_other):
        out.add(node, KG.recipientKind, corporation_kind_by_code(e.kind_code) or corporation_kind(e.recipient))

    return node


def contract(out: Sink, node: URIRef, c: Contract, p: URIRef, doc: Document, d: URIRef) -> None:
    """A contract of an expenditure, or a multi-year contract (国庫債務負担行為等) of the
    project with its own block and recipient."""
    out.add(node, RDF.type, KG.Contract)
    out.add(node, KG.project, p)
    out.text(node, KG.summary, c.summary)
    out.paid(node, c.amount)
    contract_method(out, node, c.contract_method, doc, c.line)
    out.text(node, KG.specificContractMethod, c.specific_method)
    for part in re.split(r"[、,，]", c.specific_method or ""):
        if part.strip():
            concept = concept_for(part, "specific-contract-method") or concept_for(part, "contract-method")
            if concept is None:
                out.unknown_code(doc, c.line, f"具体的な契約方式等 {part.strip()!r}")
            out.add(node, KG.contractArrangement, concept)
    if c.bidders is not None:
        out.add(node, KG.bidderCount, integer(c.bidders))
    out.amount(node, KG.awardRatePercent, c.award_rate)
    out.text(node, KG.reason, c.reason)
    out.text(node, KG.otherContract, c.other)
    out.source(node, c.line, d)
    if c.multi_year:
        out.add(node, KG.isMultiYear, boolean(True))
        if c.block:
            out.add(node, KG.block, out.iris.block(p, c.block))
        out.text(node, KG.recipientName, c.recipient)
        out.text(node, KG.location, c.location)
        out.add(node, KG.corporationTypeCode, plain(c.kind_code) if c.kind_code else None)
        recipient(out, node, c.recipient, c.corporate_number, c.corporate_number_text, out.iris.contract_recipient(node),
                  kind_code=c.kind_code)


def recipient(out: Sink, row: URIRef, name: str | None, number, number_text: str | None,
              local: URIRef | None, in_table: bool = True, kind_code: str | None = None,
              is_other: bool | None = None) -> bool:
    """Link ``row`` to whom it pays: the corporation of its 法人番号 (its name counted for the
    corporation's labels), else — with ``local`` — a recipient node of this row only, named
    as written (その他, individuals, numbers that do not check, a dummy number such as
    9999999999999). The row's ``kg:recipientClass`` says which (docs/graph/truth.md "Who was paid"; the
    merge moves a row whose number another organisation holds to a node of its own). True
    when a corporation."""
    if not name:
        return False
    placeholder = number is not None and is_dummy_number(number.digits)
    if placeholder:
        number, number_text = None, number.digits
    if number is not None:
        cls = "government" if is_government_number(number.digits, kind_code) else "corporation"
        out.add(row, KG.recipientClass, KGC[f"recipient-class/{cls}"])
        out.corporation_seen(number, name, in_table)
        out.recipient_rows.append((str(row), number.digits, name, out.sheet_year, kind_code))
        out.add(row, KG.recipient, out.iris.corporation(number.digits))
        return True
    cls = "contested" if placeholder else "bundled" if is_other or is_bundled_name(name) else "unnumbered"
    out.add(row, KG.recipientClass, KGC[f"recipient-class/{cls}"])
    if local is not None:
        out.add(local, RDF.type, KG.Recipient)
        out.text(local, RDFS.label, name)
        out.add(local, KG.corporateNumberText, plain(number_text) if number_text else None)
        out.add(row, KG.recipient, local)
    return False


def contract_method(out: Sink, node: URIRef, text: str | None, doc: Document, line: int | None) -> None:
    """契約方式 as written, and the concept of the code list it names (reported when none)."""
    if not text:
        return
    out.text(node, KG.contractMethodText, text)
    concept = concept_for(text, "contract-method")
    if concept is None:
        out.unknown_code(doc, line, f"契約方式 {text!r}")
    out.add(node, KG.contractMethod, concept)
