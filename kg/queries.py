"""The canned query library: ``queries/*.rq`` with their header, parameters and output.

Each file starts with comment lines::

    # title: Firms in several projects (複数の事業から支出を受けた法人)
    # description: one line saying what the answer is
    # param topic (string, default "AI"): what the parameter means

Parameter values are converted to typed RDF terms (``string`` → xsd:string after
NFKC, ``integer``, ``decimal``, ``iri``) and bound by a ``VALUES`` block opening
the outer ``WHERE`` group (:func:`bound_text`). That is plain SPARQL 1.1, so the
same text runs on the embedded store and on any remote endpoint, with the same
answers. A parameter is a variable of the outer SELECT, used in the outer group
(or below it, but not inside a sub-select); the output leaves those columns out.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from .iris import expand, shorten
from .normalize import clean_text

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("string", "integer", "decimal", "iri")
_PARAM_RE = re.compile(r"^param\s+(\w+)\s*\(\s*(\w+)\s*,\s*default\s+(.*?)\s*\)\s*:\s*(.*)$")
_SELECT_RE = re.compile(r"^\s*SELECT\b", re.I | re.M)


class QueryError(Exception):
    """A query cannot be run as asked (unknown name, bad parameter, broken file)."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str
    description: str


@dataclass
class CannedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: list[Param]
    text: str
    columns: list[str] = field(default_factory=list)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"{self.name}: no parameter {name!r} (parameters: {known})")

    @property
    def output_columns(self) -> list[str]:
        hidden = {p.name for p in self.params}
        return [c for c in self.columns if c not in hidden]


def parse_query_file(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = None
    params: list[Param] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("title:"):
            title = body[len("title:") :].strip()
        elif body.startswith("description:"):
            description = body[len("description:") :].strip()
        elif body.startswith("param"):
            m = _PARAM_RE.match(body)
            if not m or m.group(2) not in PARAM_TYPES:
                raise QueryError(f"{path}:{n}: bad parameter line; expected '# param NAME (TYPE, default VALUE): text'")
            default = m.group(3)
            if default.startswith('"') and default.endswith('"'):
                default = default[1:-1]
            params.append(Param(m.group(1), m.group(2), default, m.group(4)))
    if not title or not description:
        raise QueryError(f"{path}:1: the header needs '# title:' and '# description:' lines")
    columns = select_columns(text)
    if not columns:
        raise QueryError(f"{path}: no outer 'SELECT ?var … WHERE {{' found (canned queries are SELECT queries with named columns)")
    q = CannedQuery(path.stem, path, title, description, params, text, columns)
    missing = [p.name for p in params if p.name not in columns]
    if missing:
        raise QueryError(f"{path}: parameters {missing} must be variables of the outer SELECT")
    return q


def _outer_select(text: str) -> tuple[int, int] | None:
    """(start of the projection, index of the outer WHERE group's ``{``) of the first SELECT
    outside comments; None when there is none."""
    code = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text)  # comments blanked, offsets kept
    m = _SELECT_RE.search(code)
    if not m:
        return None
    brace = code.find("{", m.end())
    return (m.end(), brace) if brace >= 0 else None


def select_columns(text: str) -> list[str]:
    """The outer SELECT's columns in order: plain ``?var`` and ``(expr AS ?var)``."""
    span = _outer_select(text)
    if not span:
        return []
    clause = re.sub(r"\bWHERE\s*$", "", text[span[0] : span[1]].strip(), flags=re.I)
    columns, depth = [], 0
    for tok in re.finditer(r"\(|\)|\bAS\s+\?(\w+)|\?(\w+)", clause, re.I):
        t = tok.group()
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif tok.group(1) and depth == 1:
            columns.append(tok.group(1))
        elif tok.group(2) and depth == 0:
            columns.append(tok.group(2))
    return columns


def bound_text(query: CannedQuery, params: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query text with its parameters bound by a ``VALUES`` block opening the outer group."""
    if not params:
        return query.text
    _, brace = _outer_select(query.text)
    names = list(params)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(params[n]) for n in names)}) }}"
    return query.text[: brace + 1] + "\n  " + block + query.text[brace + 1 :]


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def get_query(name: str, directory: Path = QUERIES_DIR) -> CannedQuery:
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path)
    queries = load_queries(directory)
    if name not in queries:
        close = [q for q in queries if name in q or q in name]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise QueryError(f"no canned query {name!r}{hint} (run 'kg queries' for the list)")
    return queries[name]


def to_term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    """A parameter value as a typed RDF term; ``QueryError`` naming the parameter when it is not one."""
    try:
        if param.type == "integer":
            return ox.Literal(str(int(value.strip())), datatype=ox.NamedNode(XSD + "integer"))
        if param.type == "decimal":
            d = Decimal(value.strip().rstrip("%"))
            if not d.is_finite():
                raise InvalidOperation
            return ox.Literal(format(d, "f"), datatype=ox.NamedNode(XSD + "decimal"))
        if param.type == "iri":
            return ox.NamedNode(expand(value.strip()))
        return ox.Literal(clean_text(value) or "")
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"parameter {param.name}: {value!r} is not {'an' if param.type[0] in 'aeiou' else 'a'} {param.type}") from exc


def bindings(query: CannedQuery, values: dict[str, str] | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
    """Every parameter as a term: the given value, else the default."""
    values = dict(values or {})
    for name in values:
        query.param(name)  # unknown names are an error
    return {p.name: to_term(p, values.get(p.name, p.default)) for p in query.params}


@dataclass
class QueryResult:
    query: CannedQuery
    params: dict[str, ox.NamedNode | ox.Literal]
    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run(store: ox.Store, query: CannedQuery, values: dict[str, str] | None = None, limit: int | None = None) -> QueryResult:
    params = bindings(query, values)
    try:
        solutions = store.query(bound_text(query, params))
    except SyntaxError as exc:
        raise QueryError(f"{query.path}: {exc}") from exc
    columns = query.output_columns
    rows = []
    for sol in solutions:
        rows.append(tuple(sol[c] for c in columns))
        if limit is not None and len(rows) >= limit:
            break
    return QueryResult(query, params, columns, rows)


# ----------------------------------------------------------------------------- output


def plain(term) -> str:
    """The lexical form (full IRI for IRIs); '' for unbound."""
    if term is None:
        return ""
    return term.value


def _is_number(term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in (XSD + "decimal", XSD + "integer", XSD + "double")


def group_digits(lexical: str) -> str:
    """An xsd:decimal for people: ``-15000000`` → ``-15,000,000``, ``99.50`` → ``99.5``."""
    d = Decimal(lexical)
    return f"{d:,f}" if d == d.to_integral_value() else f"{d.normalize():,f}"


def display(term) -> str:
    """For people: decimals (yen) with thousands separators, IRIs shortened with known prefixes."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "decimal":
        return group_digits(term.value)
    return term.value


def json_value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt == XSD + "integer":
            return int(term.value)
        if dt == XSD + "decimal":
            d = Decimal(term.value)
            return int(d) if d == d.to_integral_value() else float(d)
        if dt == XSD + "boolean":
            return term.value == "true"
    return term.value


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def to_table(result: QueryResult) -> str:
    cols = result.columns
    cells = [[display(t) for t in row] for row in result.rows]
    numeric = [all(_is_number(row[i]) or row[i] is None for row in result.rows) and result.rows for i in range(len(cols))]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def line(values):
        out = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - _width(v))
            out.append(pad + v if numeric[i] else v + pad)
        return "  ".join(out).rstrip()

    lines = [line(cols), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in cells]
    return "\n".join(lines) + "\n"


def to_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(result.columns)
    for row in result.rows:
        w.writerow([plain(t) for t in row])
    return buf.getvalue()


def to_json(result: QueryResult) -> str:
    doc = {
        "query": result.query.name,
        "title": result.query.title,
        "parameters": {k: json_value(v) for k, v in result.params.items()},
        "columns": result.columns,
        "rows": [{c: json_value(t) for c, t in zip(result.columns, row)} for row in result.rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


OUTPUT_FORMATS = {"table": to_table, "csv": to_csv, "json": to_json}
