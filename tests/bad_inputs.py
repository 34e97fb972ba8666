"""A corpus of bad inputs, generated (not stored): each case writes its files into a
folder and says what ``kg build`` must do with them — the exit code, a message naming
file and line, and how much of the valid part survives. ``python tests/bad_inputs.py
DIR`` writes every case into DIR to try by hand; tests/test_bad_inputs.py runs them.

Built from the fixtures: a real JUDIGT! sheet (tests/fixtures/judgit, CC BY 4.0, see its
NOTICE) and the hand-written RS CSV 5-1 (tests/fixtures/rs)."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHEET = HERE / "fixtures" / "judgit" / "judgit-data" / "2018" / "個人情報保護委員会" / "0001.json"
OTHER_SHEET = HERE / "fixtures" / "judgit" / "judgit-data" / "2018" / "個人情報保護委員会" / "0003.json"
RS_ZIP = HERE / "fixtures" / "rs" / "2024" / "5-1_RS_2024_支出先_支出情報.zip"
RS_NAME = "5-1_RS_2024_支出先_支出情報.csv"


def rs_csv() -> bytes:
    with zipfile.ZipFile(RS_ZIP) as z:
        return z.read(z.infolist()[0])


@dataclass
class Case:
    id: str
    files: dict[str, bytes]  # relative path → bytes
    exit: int  # what kg build exits with
    messages: list[str]  # each printed, with file:line where there is a line
    #: the valid part, built alone, whose every triple must survive (relative path → bytes)
    survivors: dict[str, bytes] = field(default_factory=dict)
    #: the number of documents built
    documents: int = 0
    args: tuple[str, ...] = ()
    #: paths given to kg build (default: the case folder)
    inputs: tuple[str, ...] = (".",)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _corrupt_member(data: bytes, member: str) -> bytes:
    """The zip with the compressed bytes of ``member`` scrambled past its first few."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 8, start + min(info.compress_size, 40)):
        out[i] ^= 0x5A
    return bytes(out)


def cases() -> list[Case]:
    sheet, other = SHEET.read_bytes(), OTHER_SHEET.read_bytes()
    csv = rs_csv()
    rows = csv.split(b"\r\n") if b"\r\n" in csv else csv.split(b"\n")
    end = b"\r\n" if b"\r\n" in csv else b"\n"
    out = []

    pair = _zip({"judgit-data/2018/個人情報保護委員会/0001.json": sheet,
                 "judgit-data/2018/個人情報保護委員会/0003.json": other})
    out.append(Case(
        "corrupt-zip-member", {"year.zip": _corrupt_member(pair, "judgit-data/2018/個人情報保護委員会/0003.json")},
        exit=1, messages=["year.zip!judgit-data/2018/個人情報保護委員会/0003.json: error: corrupt zip member"],
        survivors={"0001.json": sheet}, documents=1))

    out.append(Case(
        "truncated-zip", {"year.zip": pair[: len(pair) // 2], "0001.json": sheet},
        exit=1, messages=["year.zip: error: not a readable zip file"], survivors={"0001.json": sheet}, documents=1))

    # a CSV cut inside a row: the rows before it are kept, the cut row is reported and left out
    cut_at = len(end.join(rows[:3])) + len(end) + 25
    out.append(Case(
        "csv-cut-inside-a-row", {RS_NAME: csv[:cut_at]},
        exit=0, messages=[f"{RS_NAME}:4: warning: the file ends inside this row"],
        survivors={RS_NAME: end.join(rows[:3]) + end}, documents=1))

    # cut in the middle of a UTF-8 character, right after a row's line end
    body = end.join(rows[:3]) + end
    out.append(Case(
        "csv-cut-inside-a-character", {RS_NAME: body + "事".encode()[:2]},
        exit=0, messages=[f"{RS_NAME}:4: warning: the file ends in the middle of a character"],
        survivors={RS_NAME: body}, documents=1))

    cut_sheet = sheet[: len(sheet) // 2]
    try:
        json.loads(cut_sheet)
    except json.JSONDecodeError as exc:
        cut_line = exc.lineno
    out.append(Case(
        "json-cut", {"0001.json": cut_sheet, "0003.json": other},
        exit=1, messages=[f"0001.json:{cut_line}: error: not valid JSON", "the file ends there: it looks cut short"],
        survivors={"0003.json": other}, documents=1))

    # a 100 MB member of zeros in a zip of 100 kB: refused, the other member read
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("judgit-data/2018/個人情報保護委員会/0001.json", sheet)
        with z.open("judgit-data/2018/x/bomb.json", "w") as f:
            chunk = b" " * (1 << 20)
            for _ in range(100):
                f.write(chunk)
    out.append(Case(
        "zip-bomb", {"bomb.zip": zeros.getvalue()},
        exit=1, messages=["bomb.zip!judgit-data/2018/x/bomb.json: error: zip member inflates to 104,857,600 bytes"],
        survivors={"0001.json": sheet}, documents=1))

    # an amount of 23 digits: that value dropped, its row and the document kept
    huge = sheet.replace(b'"\xe6\x94\xaf\xe5\x87\xba\xe9\xa1\x8d": 585.0', b'"\xe6\x94\xaf\xe5\x87\xba\xe9\xa1\x8d": 12345678901234567890123')
    assert huge != sheet
    line = huge[: huge.index(b"12345678901234567890123")].count(b"\n") + 1
    out.append(Case(
        "judgit-huge-amount", {"0001.json": huge},
        exit=0, messages=[f"0001.json:{line}: warning: /支出先/0/支出額: the number 12345678901234567890123 is beyond"],
        documents=1))

    rs_huge = csv.replace(b",53900000.0,", b",53900000000000000000000000.0,")
    assert rs_huge != csv
    out.append(Case(
        "rs-huge-amount", {RS_NAME: rs_huge},
        exit=0, messages=[f"{RS_NAME}:3: warning: 支出先の合計支出額: a number of 26 digits, beyond any amount in a budget"],
        documents=1))

    out.append(Case(
        "binary-garbage", {"garbage.csv": bytes(range(256)) * 40, "0001.json": sheet},
        exit=1, messages=["garbage.csv:1: error: binary file"], survivors={"0001.json": sheet}, documents=1))

    out.append(Case(
        "not-utf8-nor-sjis", {"latin.csv": "Größe,Maß\n".encode("latin-1") * 5, "0001.json": sheet},
        exit=1, messages=["latin.csv:1: error: not UTF-8 text"], survivors={"0001.json": sheet}, documents=1))

    out.append(Case(
        "nothing-usable", {"empty.csv": b""}, exit=2, messages=["empty.csv: error: file is empty", "nothing built"]))

    out.append(Case(
        "device", {}, exit=2, messages=["/dev/zero: error: not a regular file"], inputs=("/dev/zero",)))
    return out


def write(case: Case, folder: Path) -> None:
    for rel, data in case.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-inputs")
    for c in cases():
        write(c, root / c.id)
        print(root / c.id)
