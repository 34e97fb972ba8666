"""The 国税庁 法人番号 register as published: 全件データ and 差分データ CSV files.

Layout (``docs`` of the project, ``nta-format.md``): 30 columns, no header, one row per
(法人番号, history record), the same for 全件 (one zip per prefecture, or the national
``00_zenkoku_all_YYYYMMDD.zip``) and 差分 (``diff_YYYYMMDD.csv``) files, in UTF-8
(CSV・Unicode) or CP932 (CSV・Shift-JIS). A file is recognised by its content, never by
its name: the first row has 30 columns, a 13-digit 法人番号 and a 処理区分 code.

Unlike the review-sheet layouts this one is **streamed**, not read whole: a national
全件 file is 5.8 M rows. The build passes the 法人番号 it wants (those that occur
elsewhere in the graph); a row is kept only when its number, read from the raw bytes
before any decoding, is one of them. Rows are then applied in 更新年月日 order by
:class:`Register` (最新履歴 marks the current record, a later record of the same
(変更年月日, 処理区分) replaces an earlier one — that is what a 訂正 is —, 処理区分 99
withdraws the number).
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..model import Diagnostic
from ..errors import RegisterFormatError  # raised here; every error class lives in kg/errors.py

NAME = "nta-register"
DESCRIPTION = "国税庁 法人番号 register: 全件データ and 差分データ CSV (30 columns, no header), UTF-8 or CP932, zipped or not"

COLUMNS = 30
PROCESSES = {
    "01": "新規", "11": "商号又は名称の変更", "12": "国内所在地の変更", "13": "国外所在地の変更",
    "21": "登記記録の閉鎖等", "22": "登記記録の復活等", "71": "吸収合併", "72": "吸収合併無効",
    "81": "商号の登記の抹消", "99": "削除",
}
CLOSE_CAUSES = {"01": "清算の結了等", "11": "合併による解散等", "21": "登記官による閉鎖", "31": "その他の清算の結了等"}
#: prefecture codes a complete register covers (01–47; 99 = 国外 is optional)
PREFECTURES = frozenset(f"{i:02d}" for i in range(1, 48))

_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}")
#: the 都道府県コード (column 14) of a raw row, without decoding it: 13 cells, quoted or not, before it
_PREFECTURE = re.compile(rb'(?:(?:"(?:[^"]|"")*"|[^,"]*),){13}(\d\d),')
_HEAD = 1 << 16
_CHUNK = 1 << 22


@dataclass(slots=True)
class RegisterRow:
    """One row of a register file (the columns ``nta-format.md`` names), with where it was read."""

    number: str
    process: str
    correction: bool
    updated: str
    changed: str
    name: str
    kind: str
    prefecture: str
    city: str
    street: str
    prefecture_code: str
    city_code: str
    postcode: str
    outside: str
    closed: str
    close_cause: str
    successor: str
    change_cause: str
    assigned: str
    latest: bool
    en_name: str
    en_prefecture: str
    en_city: str
    en_outside: str
    furigana: str
    hidden: bool
    source: int = 0  # index of its RegisterFile in the build's list
    line: int = 0

    @property
    def key(self) -> tuple[str, str]:
        """What a correction replaces: the record of the same change (date and kind)."""
        return (self.changed, self.process)


@dataclass
class RegisterFile:
    """One register CSV (a file, or a member ``file.zip!member.csv``) as read."""

    path: str
    sha256: str = ""
    encoding: str = ""
    rows: int = 0  # every row of the file
    kept: int = 0  # rows of wanted numbers
    update_dates: set[str] = field(default_factory=set)
    #: prefecture codes seen (until all 47 were)
    prefectures: set[str] = field(default_factory=set)

    @property
    def full(self) -> bool:
        """全件データ, told by content: its rows were published on many days (a 差分 file
        holds the records of one day)."""
        return len(self.update_dates) > 1

    @property
    def kind(self) -> str:
        return "全件データ" if self.full else "差分データ"


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))


def _decode_head(head: bytes) -> tuple[str, str] | None:
    """The text of the complete lines of ``head`` and its encoding (UTF-8, else CP932)."""
    cut = head.rfind(b"\n")
    head = head[: cut + 1] if cut >= 0 else head
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return head.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    return None


def _row_shape_ok(cells: list[str]) -> bool:
    return (
        len(cells) == COLUMNS
        and cells[0].isdigit()
        and re.fullmatch(r"\d{13}", cells[1]) is not None
        and cells[2] in PROCESSES
        and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[4]) is not None
    )


def sniff_bytes(head: bytes) -> bool:
    """Whether these first bytes are a register file: 30 columns, no header, a 13-digit
    法人番号, a 処理区分 code and an 更新年月日 in the first row."""
    decoded = _decode_head(head)
    if decoded is None:
        return False
    text = decoded[0].lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip("\r")
    if not first:
        return False
    try:
        return _row_shape_ok(_fields(first))
    except csv.Error:
        return False


def _members(z: zipfile.ZipFile) -> list[str]:
    return sorted(i.filename for i in z.infolist() if not i.is_dir() and i.filename.lower().endswith(".csv"))


def is_register_file(path: Path) -> bool:
    """Whether ``path`` (a CSV, or a zip whose first CSV member is one) is a register file."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as z:
                members = _members(z)
                if not members:
                    return False
                with z.open(members[0]) as f:
                    return sniff_bytes(f.read(_HEAD))
        if path.suffix.lower() not in (".csv", ".txt"):
            return False
        with path.open("rb") as f:
            return sniff_bytes(f.read(_HEAD))
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, KeyError):
        return False


def _raw_batches(stream, h, first: bytes = b"") -> Iterator[list[bytes]]:
    """The lines of a binary stream, a chunk's worth at a time, hashing every byte; ``first``
    is what was already read of it."""
    rest = b""
    while True:
        chunk, first = (first or stream.read(_CHUNK)), b""
        if not chunk:
            break
        h.update(chunk)
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[:cut].split(b"\n")
    if rest.strip():
        yield [rest]


def wanted_numbers(numbers: Iterable[str]) -> frozenset[bytes]:
    """法人番号 as :func:`read` compares them: the raw bytes of the column, before decoding."""
    return frozenset(n.encode("ascii") for n in numbers)


def read(path: Path, files: list[RegisterFile], wanted: frozenset[bytes] | None,
         diagnostics: list[Diagnostic], progress: Callable[[int], None] | None = None) -> Iterator[RegisterRow]:
    """The rows of wanted numbers (:func:`wanted_numbers`; all rows when ``wanted`` is None)
    of one register file or zip, streamed. Each file read is appended to ``files`` (rows point to it by index).
    A row that cannot be read is reported with its file and line and skipped; the other
    rows still count."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as z:
                for member in _members(z):
                    name = f"{path}!{member}"
                    try:
                        with z.open(member) as f:
                            yield from _read_stream(f, name, files, wanted, diagnostics, progress)
                    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                        diagnostics.append(Diagnostic(name, None, "error", f"corrupt zip member ({exc}); rows read before it are kept"))
        except (zipfile.BadZipFile, OSError) as exc:
            diagnostics.append(Diagnostic(str(path), None, "error", f"not a readable zip file ({exc})"))
        return
    try:
        with path.open("rb") as f:
            yield from _read_stream(f, str(path), files, wanted, diagnostics, progress)
    except OSError as exc:
        diagnostics.append(Diagnostic(str(path), None, "error", f"cannot read: {exc.strerror or exc}"))


def _read_stream(f, name: str, files: list[RegisterFile], wanted: frozenset[bytes] | None,
                 diagnostics: list[Diagnostic], progress) -> Iterator[RegisterRow]:
    head = f.read(_HEAD)
    decoded = _decode_head(head) if head else None
    info = RegisterFile(name, encoding=decoded[1] if decoded else "utf-8")
    files.append(info)
    index = len(files) - 1
    h = hashlib.sha256()
    encoding = info.encoding
    line_no = 0
    dates = info.update_dates
    prefectures = info.prefectures
    pending, pending_line = None, 0  # a row whose quoted cell holds a line break, so far
    for batch in _raw_batches(f, h, head):
        for raw in batch:
            line_no += 1
            if pending is not None:
                raw = pending + b"\n" + raw
            elif line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.count(b'"') & 1:  # inside a quoted cell: the row goes on
                if pending is None:
                    pending_line = line_no
                pending = raw
                continue
            row_line = line_no if pending is None else pending_line
            pending = None
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            if not raw or raw.isspace():
                continue
            info.rows += 1
            if progress and not info.rows % 500_000:
                progress(info.rows)
            if len(dates) < 2:  # one date: a 差分 file; two are enough to tell a 全件 file
                cells5 = raw.split(b",", 5)
                if len(cells5) > 4 and _DATE.fullmatch(cells5[4]):
                    dates.add(cells5[4].decode("ascii"))
            comma = raw.find(b",")
            number = raw[comma + 1 : comma + 14]
            if wanted is not None and number not in wanted:
                if len(prefectures) < len(PREFECTURES):  # which prefectures a 全件 file covers
                    m = _PREFECTURE.match(raw)
                    if m:
                        prefectures.add(m.group(1).decode("ascii"))
                continue
            row = _parse_raw(raw, encoding, name, row_line, diagnostics)
            if row is None:
                continue
            row.source, row.line = index, row_line
            info.kept += 1
            if row.prefecture_code:
                prefectures.add(row.prefecture_code)
            yield row
    if pending is not None:
        diagnostics.append(Diagnostic(name, pending_line, "error",
                                      "a quoted cell is not closed before the end of the file (truncated?); row skipped"))
    info.sha256 = h.hexdigest()


def _parse_raw(raw: bytes, encoding: str, name: str, line_no: int, diagnostics: list[Diagnostic]) -> RegisterRow | None:
    """One wanted row, decoded and read; None (and a diagnostic) when it cannot be."""
    try:
        cells = _fields(raw.decode(encoding))
    except UnicodeDecodeError as exc:
        diagnostics.append(Diagnostic(name, line_no, "error", f"row is not {encoding} text ({exc.reason}); row skipped"))
        return None
    except csv.Error as exc:
        diagnostics.append(Diagnostic(name, line_no, "error", f"row is not CSV ({exc}); row skipped"))
        return None
    try:
        return parse_row(cells)
    except RegisterFormatError as exc:
        diagnostics.append(Diagnostic(name, line_no, "error", f"{exc}; row skipped"))
        return None


def parse_row(cells: list[str]) -> RegisterRow:
    """A register row from its 30 cells; a row of another shape is a :class:`RegisterFormatError`."""
    if len(cells) != COLUMNS:
        raise RegisterFormatError(f"{len(cells)} columns, a register row has {COLUMNS}")
    c = [x.strip() for x in cells]
    if not re.fullmatch(r"\d{13}", c[1]):
        raise RegisterFormatError(f"法人番号 {c[1]!r} is not 13 digits")
    if c[2] not in PROCESSES:
        raise RegisterFormatError(f"処理区分 {c[2]!r} is not one of {', '.join(PROCESSES)}")
    for i, what in ((4, "更新年月日"), (5, "変更年月日"), (18, "登記記録の閉鎖等年月日"), (22, "法人番号指定年月日")):
        if c[i] and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", c[i]):
            raise RegisterFormatError(f"{what} {c[i]!r} is not a YYYY-MM-DD date")
    if not c[4]:
        raise RegisterFormatError("更新年月日 is empty")
    if c[20] and not re.fullmatch(r"\d{13}", c[20]):
        raise RegisterFormatError(f"承継先法人番号 {c[20]!r} is not 13 digits")
    return RegisterRow(
        number=c[1], process=c[2], correction=c[3] == "1", updated=c[4], changed=c[5], name=c[6], kind=c[8],
        prefecture=c[9], city=c[10], street=c[11], prefecture_code=c[13], city_code=c[14], postcode=c[15],
        outside=c[16], closed=c[18], close_cause=c[19], successor=c[20], change_cause=c[21], assigned=c[22],
        latest=c[23] == "1", en_name=c[24], en_prefecture=c[25], en_city=c[26], en_outside=c[27],
        furigana=c[28], hidden=c[29] == "1",
    )


@dataclass
class Corporation:
    """One 法人番号's register entry after every row was applied."""

    number: str
    #: (変更年月日, 処理区分) → the record as last published
    records: dict[tuple[str, str], RegisterRow] = field(default_factory=dict)
    withdrawn: RegisterRow | None = None  # 処理区分 99

    @cached_property
    def history(self) -> list[RegisterRow]:
        """The records in the order the changes took effect (taken once all rows are applied:
        :meth:`Register.apply` forgets it when it adds one)."""
        return sorted(self.records.values(), key=lambda r: (r.changed or r.assigned or "", r.updated, r.source, r.line))

    @property
    def current(self) -> RegisterRow | None:
        """The record flagged 最新履歴 (the most recent such, if several are), else the last change."""
        history = self.history
        flagged = [r for r in history if r.latest]
        return (flagged or history or [None])[-1]

    def at(self, date: str) -> RegisterRow | None:
        """The record in force on ``date`` (YYYY-MM-DD): the last change on or before it."""
        found = None
        for r in self.history:
            if (r.changed or r.assigned or "") <= date:
                found = r
        return found

    def names_between(self, start: str, end: str) -> list[RegisterRow]:
        """The records whose name was in force at some time between two dates."""
        first = self.at(start)
        out = [first] if first is not None else []
        out += [r for r in self.history if start < (r.changed or "") <= end and r is not first]
        return out

    @property
    def closure(self) -> RegisterRow | None:
        """The record that closed the registration (閉鎖等年月日 of the current record), if closed."""
        current = self.current
        return current if current is not None and current.closed else None


@dataclass
class Register:
    """Every kept row applied in 更新年月日 order (see the module doc)."""

    files: list[RegisterFile] = field(default_factory=list)
    corporations: dict[str, Corporation] = field(default_factory=dict)
    withdrawn: dict[str, RegisterRow] = field(default_factory=dict)

    def apply(self, rows: list[RegisterRow]) -> None:
        for row in sorted(rows, key=lambda r: (r.updated, r.source, r.line)):
            if row.process == "99":
                self.corporations.pop(row.number, None)
                self.withdrawn[row.number] = row
                continue
            self.withdrawn.pop(row.number, None)
            corp = self.corporations.setdefault(row.number, Corporation(row.number))
            corp.records[row.key] = row
            corp.__dict__.pop("history", None)

    @property
    def complete(self) -> bool:
        """Whether 全件 files covering every prefecture were given: only then is a number
        absent from the register known not to exist."""
        covered: set[str] = set()
        for f in self.files:
            if f.full:
                covered |= f.prefectures
        return PREFECTURES <= covered

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)
