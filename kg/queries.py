"""The canned query library: ``queries/*.rq`` with their header, parameters and output.

Each file starts with comment lines::

    # title: Firms in several projects (複数の事業から支出を受けた法人)
    # description: one line saying what the answer is
    # param topic (string, default "AI"): what the parameter means

Parameter values are converted to typed RDF terms (``string`` → xsd:string after
NFKC, ``integer``, ``decimal``, ``iri``) and bound by a ``VALUES`` block opening
the outer ``WHERE`` group, and opening every sub-select that names the parameter
in its projection (:func:`bound_text`). That is plain SPARQL 1.1, so the same
text runs on the embedded store and on any remote endpoint, with the same
answers. A parameter is a variable of the outer SELECT; the output leaves those
columns out.

Pages. A long listing ranks its rows in a sub-select that ends with
``ORDER BY … LIMIT n``: that ``LIMIT`` is the query's page (:attr:`CannedQuery.page_size`),
so only the rows of the page are looked up in full. :class:`Page` moves it
(``--limit``, ``--offset``) or lifts it (``--all``). A query without a ``LIMIT`` of its
own gets one appended when a limit or an offset is asked for. A canned query has at
most one ``LIMIT`` and no ``OFFSET`` of its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from . import display
from .assets import INTERNAL_QUERIES_DIR, QUERIES_DIR
from .iris import XSD, expand
from .normalize import clean_text, number_spellings
from .errors import QueryError  # raised here; every error class lives in kg/errors.py

_INTEGER, _DECIMAL, _DOUBLE, _BOOLEAN = (str(XSD[t]) for t in ("integer", "decimal", "double", "boolean"))
PARAM_TYPES = ("string", "integer", "decimal", "iri")
_PARAM_RE = re.compile(r"^param\s+(\w+)\s*\(\s*(\w+)\s*(?:,\s*default\s+(.*?))?\s*\)\s*:\s*(.*)$")
_SELECT_RE = re.compile(r"^\s*SELECT\b", re.I | re.M)
_ANY_SELECT_RE = re.compile(r"\bSELECT\b", re.I)
_LIMIT_RE = re.compile(r"\bLIMIT\s+(\d+)", re.I)
_OFFSET_RE = re.compile(r"\bOFFSET\b", re.I)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # None: the caller must give a value
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
    page_size: int | None = None  # the LIMIT of the text: rows per page; None when it has none

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


def parse_query_file(path: Path, strict: bool = True) -> CannedQuery:
    """A ``.rq`` file with its header; with ``strict=False`` (a user's own file) the header
    is optional and ``SELECT *`` is allowed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read: {exc}") from exc
    return parse_query_text(text, path, strict)


def adhoc_query(text: str, name: str) -> CannedQuery:
    """A query given as text (``kg query --sparql``, or on stdin): no header needed."""
    return parse_query_text(text, Path(name), strict=False)


def parse_query_text(text: str, path: Path, strict: bool = True) -> CannedQuery:
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
                raise QueryError(f"{path}:{n}: bad parameter line; expected '# param NAME (TYPE, default VALUE): text' "
                                 "(or '# param NAME (TYPE): text' for one that must be given)")
            default = m.group(3)
            if default is not None and default.startswith('"') and default.endswith('"'):
                default = default[1:-1]
            params.append(Param(m.group(1), m.group(2), default, m.group(4)))
    if strict and (not title or not description):
        raise QueryError(f"{path}:1: the header needs '# title:' and '# description:' lines")
    title, description = title or path.stem, description or ""
    columns = select_columns(text)
    if not columns and not strict and _outer_select(text) is not None:
        columns = []  # SELECT *: the columns are the solutions' variables
    elif not columns:
        raise QueryError(f"{path}: no outer 'SELECT ?var … WHERE {{' found (canned queries are SELECT queries with named columns)")
    code = _code(text)
    limits = [int(m.group(1)) for m in _LIMIT_RE.finditer(code)]
    if len(limits) > 1 or _OFFSET_RE.search(code):
        raise QueryError(f"{path}: a canned query has at most one LIMIT (its page) and no OFFSET "
                         "(kg query --offset writes it)")
    q = CannedQuery(path.stem, path, title, description, params, text, columns, limits[0] if limits else None)
    missing = [p.name for p in params if p.name not in columns]
    if missing:
        raise QueryError(f"{path}: parameters {missing} must be variables of the outer SELECT")
    return q


# IRIs and strings may hold a '#'; what is left of the alternatives is a comment
_TOKENS_RE = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|(#[^\n]*)""")


def _code(text: str) -> str:
    """The text with comments blanked (offsets kept)."""
    return _TOKENS_RE.sub(lambda m: " " * len(m.group()) if m.group(1) else m.group(), text)


def without_comments(text: str) -> str:
    """The text with comments removed (lines kept): what is sent to remote endpoints."""
    return "\n".join(line.rstrip() for line in _TOKENS_RE.sub(lambda m: "" if m.group(1) else m.group(), text).split("\n"))


def _outer_select(text: str) -> tuple[int, int] | None:
    """(start of the projection, index of the outer WHERE group's ``{``) of the first SELECT
    outside comments; None when there is none."""
    code = _code(text)
    m = _SELECT_RE.search(code)
    if not m:  # not at a line's start (PREFIX … SELECT on one line): the first SELECT keyword
        bare = _TOKENS_RE.sub(lambda t: " " * len(t.group()), text)  # outside IRIs, strings and comments
        m = _ANY_SELECT_RE.search(bare)
    if not m:
        return None
    brace = code.find("{", m.end())
    return (m.end(), brace) if brace >= 0 else None


def _selects(text: str) -> list[tuple[int, list[str]]]:
    """Every SELECT outside comments, outer first: (index of its WHERE group's ``{``, its columns)."""
    code = _code(text)
    out = []
    for m in _ANY_SELECT_RE.finditer(code):
        brace = code.find("{", m.end())
        if brace >= 0:
            out.append((brace, _projection(code[m.end() : brace])))
    return out


def select_columns(text: str) -> list[str]:
    """The outer SELECT's columns in order: plain ``?var`` and ``(expr AS ?var)``."""
    span = _outer_select(text)
    if not span:
        return []
    return _projection(_code(text)[span[0] : span[1]])


def _projection(clause: str) -> list[str]:
    clause = re.sub(r"\bWHERE\s*$", "", clause.strip(), flags=re.I)
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
    """The query text with its parameters bound by a ``VALUES`` block opening the outer group,
    and opening each sub-select that projects some of them (so that a sub-select's LIMIT
    counts the rows that match the parameters)."""
    if not params:
        return query.text
    text = query.text
    _, outer = _outer_select(text)
    for brace, columns in reversed(_selects(text)):
        names = list(params) if brace == outer else [n for n in params if n in columns]
        if names:
            block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(params[n]) for n in names)}) }}"
            text = text[: brace + 1] + "\n  " + block + text[brace + 1 :]
    return text


@dataclass(frozen=True)
class Page:
    """Which rows of a listing: ``limit`` rows (default: the query's page size) from
    ``offset``; ``everything`` lifts the query's own LIMIT."""

    limit: int | None = None
    offset: int = 0
    everything: bool = False

    def __post_init__(self):
        if self.limit is not None and self.limit < 1:
            raise QueryError(f"the limit must be at least 1 row (got {self.limit})")
        if self.offset < 0:
            raise QueryError(f"the offset cannot be negative (got {self.offset})")
        if self.everything and self.limit is not None:
            raise QueryError("give either a limit or all rows, not both")

    def size(self, query: CannedQuery) -> int | None:
        """Rows asked for; None for all."""
        return None if self.everything else self.limit or query.page_size


def query_text(query: CannedQuery, params: dict[str, ox.NamedNode | ox.Literal], page: Page = Page()) -> str:
    """What is sent to the store or endpoint: parameters bound, the page's LIMIT and OFFSET written."""
    text = bound_text(query, params)
    size = page.size(query)
    clause = " ".join(([f"LIMIT {size}"] if size else []) + ([f"OFFSET {page.offset}"] if page.offset else []))
    m = _LIMIT_RE.search(_code(text))
    if m:  # the query's own page (in a sub-select or outer)
        return text[: m.start()] + clause + text[m.end() :]
    return text.rstrip() + "\n" + clause + "\n" if clause else text


@lru_cache(maxsize=None)
def internal(name: str) -> CannedQuery:
    """A query the program runs itself (pages, exports): ``queries/internal/NAME.rq``, read once."""
    return parse_query_file(INTERNAL_QUERIES_DIR / f"{name}.rq")


def select(store: ox.Store, query: CannedQuery, **values: str) -> list[dict]:
    """The rows of ``query`` on ``store`` with its parameters bound by ``VALUES`` (as for
    canned queries): one dict per row of the output columns that are bound."""
    params = bindings(query, values)
    columns = query.output_columns
    return [{c: t for c in columns if (t := sol[c]) is not None} for sol in store.query(bound_text(query, params))]


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    return {p.stem: parse_query_file(p) for p in sorted(directory.glob("*.rq"))}


def get_query(name: "str | CannedQuery", directory: Path = QUERIES_DIR) -> CannedQuery:
    if isinstance(name, CannedQuery):
        return name
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path, strict=False)
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
            n = int(value.strip()[:40])
            if abs(n) >= 10**18:  # the store's integers are 64-bit
                raise QueryError(f"parameter {param.name}: {value[:40]!r} is out of range (at most 18 digits)")
            return ox.Literal(str(n), datatype=ox.NamedNode(_INTEGER))
        if param.type == "decimal":
            d = Decimal(value.strip().rstrip("%")[:60])
            if not d.is_finite():
                raise InvalidOperation
            if d and not -30 <= d.adjusted() <= 30:  # written out in full it would be that many digits long
                raise QueryError(f"parameter {param.name}: {value[:40]!r} is out of range (|x| between 1e-30 and 1e30)")
            return ox.Literal(format(d, "f"), datatype=ox.NamedNode(_DECIMAL))
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
    missing = [p.name for p in query.params if p.name not in values and p.default is None]
    if missing:
        raise QueryError(f"{query.name}: no value given for {', '.join(missing)} (it has no default)")
    return {p.name: to_term(p, values.get(p.name, p.default)) for p in query.params}


@dataclass
class QueryResult:
    query: CannedQuery
    params: dict[str, ox.NamedNode | ox.Literal]
    columns: list[str]
    rows: list[tuple]
    page: Page = Page()

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=False)) for row in self.rows]

    @property
    def may_continue(self) -> bool:
        """A full page: more rows may follow."""
        size = self.page.size(self.query)
        return size is not None and len(self.rows) == size


def run(store: ox.Store, query: CannedQuery, values: dict[str, str] | None = None, page: Page = Page()) -> QueryResult:
    params = bindings(query, values)
    try:
        solutions = store.query(query_text(query, params, page))
    except SyntaxError as exc:
        raise QueryError(f"{query.path}: {exc}") from exc
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError(f"{query.path}: only SELECT queries answer in rows (use kg serve's SPARQL endpoint for others)")
    columns = query.output_columns or [v.value for v in solutions.variables]
    rows = [tuple(sol[c] for c in columns) for sol in solutions]
    return QueryResult(query, params, columns, rows, page)


# ----------------------------------------------------------------------------- parameter values


def check_values(store: ox.Store, query: CannedQuery, values: dict[str, str]) -> dict[str, str]:
    """Parameter values checked against what the graph holds, so that a typo is an error, not
    an empty table: a topic must be one of the graph's (they are listed), a 法人番号 has 13
    digits, a project named as in the page URLs (``2022-soumu-0059``, ``2024-rs-5120``) is
    read as its 事業番号, and a project must be in the graph. Returns the values to use."""
    out = dict(values)
    names = {p.name for p in query.params}
    if "topic" in names and "topic" in out and out["topic"] != "*":
        known = [r["notation"].value for r in select(store, internal("param-topics"))]
        if out["topic"] not in known:
            raise QueryError(f"{query.name}: no topic {out['topic']!r} in the graph (topics: {', '.join(known) or 'none'}, "
                             "or * for every project; ontology/topics.ttl defines them)")
    if "corporateNumber" in names and "corporateNumber" in out:
        digits = clean_text(out["corporateNumber"]) or ""
        if not re.fullmatch(r"[0-9]{13}", digits):
            raise QueryError(f"{query.name}: 法人番号 {out['corporateNumber']!r} is not 13 digits")
        out["corporateNumber"] = digits
    if "project" in names and "project" in out and out["project"] != "*":
        out["project"] = _project_identifier(store, query, out["project"])
    return out


_PAGE_PROJECT_RE = re.compile(r"^(?:.*/)?(\d{4}-(?:rs-)?[a-z0-9%A-F-]+?-?\d+)/?$")


def _project_identifier(store: ox.Store, query: CannedQuery, value: str) -> str:
    """The ``dcterms:identifier`` of the project a value names: its 事業番号 as published or as
    kg spells it (``2022-官房-21-0021`` or ``2022-内閣-21-0021``), in any spelling the sheets
    use (``2022 官房 21 0021``), or its page name (``2022-cas-0021``)."""
    for candidate in number_spellings(value):
        found = select(store, internal("param-project"), identifier=candidate)
        if found:
            return found[0]["published"].value
    m = _PAGE_PROJECT_RE.match(value.strip())
    if m:  # as in the page URLs: the node's last path segment
        found = select(store, internal("param-project-page"), tail="/project/" + m.group(1).lower())
        if found:
            return found[0]["identifier"].value
    raise QueryError(f"{query.name}: no project {value!r} in the graph (give its 事業番号 as the other queries show it, "
                     "e.g. 2022-総務-21-0059 or 2024-RS-5120, or its page name, e.g. 2022-soumu-0059)")


# ----------------------------------------------------------------------------- output


def plain(term) -> str:
    """The lexical form (full IRI for IRIs); '' for unbound."""
    if term is None:
        return ""
    return term.value


def _is_number(term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in (_DECIMAL, _INTEGER, _DOUBLE)


def json_value(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt == _INTEGER:
            return int(term.value)
        if dt == _DECIMAL:
            d = Decimal(term.value)
            return int(d) if d == d.to_integral_value() else float(d)
        if dt == _BOOLEAN:
            return term.value == "true"
    return term.value


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def to_table(result: QueryResult) -> str:
    cols = result.columns
    cells = [[display.term(t) for t in row] for row in result.rows]
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
        "rows": [{c: json_value(t) for c, t in zip(result.columns, row, strict=False)} for row in result.rows],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


OUTPUT_FORMATS = {"table": to_table, "csv": to_csv, "json": to_json}
