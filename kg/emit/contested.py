"""A 法人番号 never merges unrelated organisations.

Each file keeps the rows that name a 法人番号 with the name written beside it
(:attr:`~kg.emit.sink.Emitted.recipient_rows`). Over the whole build, the names of one
number are grouped into organisations by :func:`~kg.normalize.name_relation` (legal
forms, widths, look-alike letters, spaces, branch and office suffixes and JV wording do
not make another organisation; a likely typo does not either). A number written for more
than one organisation is *contested*:

* where the 法人番号 register is an input and holds the number, the organisation one of
  whose names the register gives holds it; else the organisation of most rows holds it
  when it has more rows than all the others together; else nobody does;
* a row the register check (:mod:`kg.emit.register`) finds written for another
  organisation than the register names at its time is kept apart too, even where the
  sheets write that one name only (デジタル庁's number for 三菱UFJリサーチ&コンサルティング);
  a name the register does not reach back to (a name from before the files given: an
  old name) is not judged by the register, and an organisation none of whose rows the
  register could judge stays with the holder (東京工業大学 under 東京科学大学's number).

The rows of the other organisations are moved off the number's node: each gets a
recipient node of its own (``kg:Recipient`` with the name written, the number as
``kg:corporateNumberText`` and ``kg:contestedNumber`` → the number's node) and
``kg:recipientClass`` contested, so that they count for nobody's total. A number nobody
holds is itself marked contested. A number of 国の機関 is otherwise left alone: a
ministry's offices are written with the ministry's number. ``ContestedNumberShape`` reports each moved row.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..iris import KGC
from ..normalize import is_government_number, is_national_number, name_relation, organisation_key
from .sink import KG, RDF, RDFS, CorporationNames, Emitted, ja, plain


@dataclass
class Organisation:
    """The names of one organisation written next to a number, with their rows."""

    name: str  # the name of most rows
    rows: list[tuple[str, str]] = field(default_factory=list)  # (row IRI, name as written)


@dataclass
class Contested:
    """The build's contested numbers: number → its organisations (the holder first, when
    there is one) and whether one holds it; and each moved row → (number, name)."""

    numbers: dict[str, tuple[list[Organisation], bool]] = field(default_factory=dict)
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def unheld(self) -> set[str]:
        return {n for n, (_, held) in self.numbers.items() if not held}


def organisations(rows: list[tuple[str, str]], government: bool = False) -> list[Organisation]:
    """``rows`` (row IRI, name) grouped into organisations, most rows first (``government``:
    the number is a government body's, whose organs write it too)."""
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row, name in rows:
        by_key[organisation_key(name)].append((row, name))
    out: list[Organisation] = []
    for _, group in sorted(by_key.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        name = Counter(n for _, n in group).most_common(1)[0][0]
        home = next((o for o in out if name_relation(o.name, name, government) != "other"), None)
        if home is None:
            out.append(Organisation(name, list(group)))
        else:
            home.rows.extend(group)
    return sorted(out, key=lambda o: (-len(o.rows), o.name))


def plan(parts: list[Emitted]) -> Contested:
    register: dict[str, list[str]] = {}
    wrong: set[str] = set()
    judged: set[str] = set()
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    keys: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        register.update(part.register_names)
        wrong.update(part.register_wrong)
        judged.update(part.register_judged)
        for row, digits, name, _, _ in part.recipient_rows:
            rows[digits].append((row, name))
            keys[digits].add(organisation_key(name))
    out = Contested()
    for digits in sorted(rows):
        flagged = [(row, name) for row, name in rows[digits] if row in wrong]
        if is_national_number(digits) or len(keys[digits]) < 2:
            # one organisation on the sheets (or a ministry and its offices): only the rows the
            # register, at their time, names another organisation for are kept apart
            if flagged:
                out.numbers[digits] = ([Organisation(flagged[0][1], flagged)], True)
                out.moved.update((row, (digits, name)) for row, name in flagged)
            continue
        government = is_government_number(digits)
        orgs = organisations(rows[digits], government)
        if len(orgs) < 2 and not flagged:
            continue
        holder = None
        if digits in register:  # the register's names decide who holds it
            holder = next((o for o in orgs if any(name_relation(o.name, n, government) != "other"
                                                  for n in register[digits])), None)
        if holder is None and len(orgs[0].rows) > sum(len(o.rows) for o in orgs[1:]):
            holder = orgs[0]
        if holder is not None:
            orgs.remove(holder)
            orgs.insert(0, holder)
        if digits in register and holder is not None:
            # an organisation none of whose rows the register could judge (its files do not reach
            # back to their years) may be the holder under an earlier name: it stays
            orgs = [holder] + [o for o in orgs[1:] if any(row in judged for row, _ in o.rows)]
            if len(orgs) < 2 and not flagged:
                continue
        out.numbers[digits] = (orgs, holder is not None)
        for o in orgs[1:] if holder is not None else orgs:
            for row, name in o.rows:
                out.moved[row] = (digits, name)
        out.moved.update((row, (digits, name)) for row, name in flagged)
    return out


def discount(numbers: dict[str, CorporationNames], contested: Contested) -> None:
    """The names of moved rows no longer count for their number's labels (a name the
    holder's rows do not write is dropped)."""
    for digits, name in contested.moved.values():
        seen = numbers.get(digits)
        if seen is None:
            continue
        for counter in (seen.in_tables, seen.everywhere):
            counter[name] -= 1
            if counter[name] <= 0:
                del counter[name]
    for digits in list(numbers):
        if not numbers[digits].everywhere:
            # nobody holds it and every row moved: the number keeps the names written
            numbers[digits].everywhere.update(n for o in contested.numbers[digits][0] for _, n in o.rows)


def lines(contested: Contested, iris) -> set[str]:
    """The moved rows' own recipient nodes, their class, and the unheld numbers' class."""
    out = set()
    rtype, label, cls = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{KG.recipientClass}>"
    k = str(KG)
    contested_class = f"<{KGC['recipient-class/contested']}>"
    for row, (digits, name) in sorted(contested.moved.items()):
        node = f"<{row}/recipient>"
        out.add(f"<{row}> <{k}recipient> {node} .")
        out.add(f"<{row}> {cls} {contested_class} .")
        out.add(f"{node} {rtype} <{k}Recipient> .")
        out.add(f"{node} {label} {ja(name)} .")
        out.add(f"{node} <{k}corporateNumberText> {plain(digits)} .")
        out.add(f"{node} <{k}contestedNumber> <{iris.corporation(digits)}> .")
    for digits in sorted(contested.unheld):
        out.add(f"<{iris.corporation(digits)}> {cls} {contested_class} .")
    return out


def drop(lines_: set[str], moved: dict[str, tuple[str, str]]) -> set[str]:
    """``lines_`` without the moved rows' ``kg:recipient`` and ``kg:recipientClass``."""
    if not moved:
        return lines_
    preds = (f" <{KG.recipient}> ", f" <{KG.recipientClass}> ")
    out = set()
    for line in lines_:
        if preds[0] in line or preds[1] in line:
            if line[1 : line.index(">")] in moved:
                continue
        out.add(line)
    return out
