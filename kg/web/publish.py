"""``kg publish DIR``: the graph as a static linked-data site any web server can host.

What is written (all paths relative to DIR):

* ``id/…/index.html`` and ``id/…/index.ttl`` — one page and one Turtle file per resource
  (``def/…`` likewise for our code lists); the folder is the IRI's path, so hosting DIR at
  the base IRI's host makes every IRI dereference;
* ``class/<prefix-Name>/index.html`` — an index per class;
* ``index.html`` — the home page, with counts per class;
* ``void.ttl`` — a VoID and DCAT description: title, licence, sources, triples, classes,
  the dump, and the endpoint when one is given;
* ``dump/graph.nt.gz`` — the whole graph as sorted N-Triples (gzip without a time stamp).

The same input gives byte-identical files. The site is written next to DIR and then
swapped in, so a failed run leaves the previous site as it was.
"""

from __future__ import annotations

import gzip
import json
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import pyoxigraph as ox

from .. import nt
from ..assets import ontology_store
from ..files import replacing_folder
from ..iris import KG
from ..store import default_triples
from .site import DEFAULT, Site, class_slug
from .views import Pages

#: licence of the published graph (the sources are under 政府標準利用規約 2.0, compatible with CC BY 4.0)
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_LICENSE = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
DEFAULT_SOURCES = ("https://rssystem.go.jp/",)
#: written by kg publish into every site: the list of files it wrote. Only a folder holding
#: it is replaced; files it does not list (a CNAME, .git/) are carried into the new site.
MARKER = ".kg-publish.json"
MAX_SEGMENT_BYTES = 200  # longer file names (after decoding) are shortened with a hash


@dataclass
class Published:
    resources: int
    classes: int
    triples: int
    files: int
    folder: Path
    case_clashes: int = 0  # pages whose folder differs from another's only in case
    lost: bool = False  # ... and this file system kept one page of each such pair

    def summary(self) -> str:
        note = ""
        if self.case_clashes and self.lost:
            note = (f"; warning: {self.case_clashes:,} pages share a folder with another whose name differs only in "
                    "case (kg:Project and kg:project; blocks A and a), and this file system kept one of each: "
                    "publish on a case-sensitive file system (Linux) to keep them all")
        elif self.case_clashes:
            note = (f"; {self.case_clashes:,} pages differ from another only in case (kg:Project and kg:project; "
                    "blocks A and a): copy the site only to case-sensitive file systems")
        return (f"{self.resources:,} resource pages, {self.classes} class indexes, {self.triples:,} triples "
                f"in the dump; {self.files:,} files → {self.folder}{note}")


def case_clashes(paths: list[str]) -> list[tuple[str, str]]:
    """Pairs of page folders that differ only in case (a sheet with more than 26 fund-flow
    blocks has blocks ``A`` and ``a``): one folder on macOS or Windows file systems."""
    first: dict[str, str] = {}
    out = []
    for p in paths:
        key = p.casefold()
        if key in first and first[key] != p:
            out.append((first[key], p))
        first.setdefault(key, p)
    return out


def case_insensitive(folder: Path) -> bool:
    """Whether ``folder``'s file system takes ``a`` and ``A`` for the same name."""
    probe = folder / ".kg-case-probe"
    probe.write_bytes(b"")
    try:
        return (folder / ".KG-CASE-PROBE").exists()
    finally:
        probe.unlink()


def static_path(path: str) -> str:
    """The folder of a page on disk: each segment percent-decoded (static servers decode the
    URL before looking up the file); a segment too long for a file name becomes a hash."""
    out = []
    for seg in path.split("/"):
        dec = unquote(seg)
        if "/" in dec or dec in ("", ".", ".."):  # decoding would change the folder: keep it encoded
            dec = seg
        if len(dec.encode("utf-8")) > MAX_SEGMENT_BYTES:
            dec = "~" + hashlib.sha1(dec.encode("utf-8")).hexdigest()
        out.append(dec)
    return "/".join(out)


def resources(site: Site) -> list[str]:
    """Every IRI under the site's roots that is the subject of a triple of the graph or of
    our ontology, sorted."""
    seen = set()
    for store in (site.store, ontology_store()):
        for q in store.quads_for_pattern(None, None, None, DEFAULT):
            s = q.subject
            if isinstance(s, ox.NamedNode) and s.value not in seen and site.path_for(s.value):
                seen.add(s.value)
    return sorted(seen)


def void_turtle(site: Site, endpoint: str | None, dump: str | None, license: str = DEFAULT_LICENSE,
                sources: tuple[str, ...] = DEFAULT_SOURCES, triples: int | None = None) -> bytes:
    """VoID + DCAT description of the dataset, as Turtle."""
    root = site.base
    classes = site.classes()
    docs = site.instances(str(KG.SourceDocument))
    lines = [
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{root}> a void:Dataset , dcat:Dataset ;",
        f"    dcterms:title {_lit(site.title)} ,",
        '        "国の支出の知識グラフ（行政事業レビューシート・事前分析表）"@ja ;',
        '    dcterms:description "Projects, ministries, policies, laws, corporations (by 法人番号) and contracts of '
        'Japanese government spending, from the 行政事業レビューシート and 事前分析表."@en ;',
        f"    dcterms:license <{license}> ;",
        f"    dcterms:rights {_lit('Sources: 行政事業レビュー (' + ', '.join(sources) + ') under 政府標準利用規約（第2.0版）, compatible with CC BY 4.0: ' + SOURCE_LICENSE)} ;",
    ]
    lines += [f"    dcterms:source <{s}> ;" for s in sources]
    lines += [f"    dcterms:source <{d}> ;" for d in docs]
    lines += [
        f"    void:uriSpace {_lit(root)} ;",
        f"    void:vocabulary <{KG}> ;",
        f"    void:triples {triples if triples is not None else default_triples(site.store)} ;",
        f"    void:classes {len(classes)} ;",
    ]
    if endpoint:
        lines.append(f"    void:sparqlEndpoint <{endpoint}> ;")
    if dump:
        lines += [
            f"    void:dataDump <{dump}> ;",
            "    dcat:distribution [ a dcat:Distribution ;",
            f"        dcat:downloadURL <{dump}> ;",
            '        dcat:mediaType "application/n-triples" ;',
            '        dcat:compressFormat "application/gzip" ;',
            f"        dcterms:license <{license}> ] ;",
        ]
    for cls, n in classes:
        lines.append(f"    void:classPartition [ void:class <{cls}> ; void:entities {n} ] ;")
    lines[-1] = lines[-1][:-1] + "."
    return ("\n".join(lines) + "\n").encode("utf-8")


def search_page(site: Site) -> str:
    """The static site's search: ``index.json`` (every name, spelling and number of the
    nodes search finds, normalised as kg serve's /search does) searched in the browser."""
    from .views import static_search_page

    return static_search_page(site)


def _files_not_ours(folder: Path) -> list[str]:
    """What a republish must keep: the files of ``folder`` that its :data:`MARKER` does not
    list. A folder that is not empty and holds no marker was not written by kg publish:
    refused, nothing is touched."""
    if not folder.exists():
        return []
    if not folder.is_dir() or folder.is_symlink():
        raise FileExistsError(f"{folder}: exists and is not a folder; choose a new or empty folder")
    entries = list(folder.iterdir())
    if not entries:
        return []
    marker = folder / MARKER
    try:
        listed = set(json.loads(marker.read_text(encoding="utf-8"))["files"])
    except FileNotFoundError:
        raise FileExistsError(f"{folder}: exists and was not written by 'kg publish' (no {MARKER}); "
                              "choose an empty or new folder") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise FileExistsError(f"{marker}: not a kg publish marker ({exc}); move the folder away") from None
    out = []
    for top, dirs, names in os.walk(folder):  # symlinked folders are not entered
        for name in names + [d for d in dirs if (Path(top) / d).is_symlink()]:
            rel = str((Path(top) / name).relative_to(folder))
            if rel not in listed and rel != MARKER:
                out.append(rel)
    return sorted(out)


def _carry(old: Path, work: Path, theirs: list[str], ours: set[str]) -> None:
    """Copy the files kg publish did not write from the old site into the new one (copied,
    not moved: a failure before the swap leaves the old site whole); a file of theirs where
    the new site writes one is refused."""
    clash = [rel for rel in theirs if rel in ours]
    if clash:
        raise FileExistsError(f"{old}: {clash[0]} was not written by kg publish and the new site writes it; "
                              "move it away first")
    for rel in theirs:
        target = work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(old / rel, target, follow_symlinks=False)


def _lit(text: str) -> str:
    """A plain literal in Turtle syntax (pyoxigraph does the escaping)."""
    return str(ox.Literal(text))


def publish(store: ox.Store, folder: Path, base: str, title: str = "jp-spending-kg", license: str = DEFAULT_LICENSE,
            sources: tuple[str, ...] = DEFAULT_SOURCES, endpoint: str | None = None,
            progress: Callable[[int, int], None] | None = None, only: list[str] | None = None) -> Published:
    """Write the site. ``only``: class IRIs whose instances get pages (and indexes); links
    to anything else are plain text. The dump and void.ttl always cover the whole graph."""
    folder = Path(folder)
    theirs = _files_not_ours(folder)
    with replacing_folder(folder) as work:
        inside = work.resolve()

        def place(rel: str) -> Path:
            """The folder of a page: checked to lie inside the site whatever its IRI said."""
            where = (work / rel).resolve()
            if where != inside and inside not in where.parents:
                raise ValueError(f"{rel!r} would be written outside {folder}: refused")
            return where

        site = Pages(store, base=base, title=title, endpoint=None, page_path=static_path)
        files = 0
        iris = resources(site)
        if only:  # the chosen classes, and the ontology's terms (always small)
            wanted = set(only)
            terms = {q.subject.value for q in ontology_store().quads_for_pattern(None, None, None)}
            iris = [i for i in iris if i in terms or wanted.intersection(site.types(i))]
            site.published, site.indexed = set(iris), wanted
        paths = [static_path(site.path_for(iri)) for iri in iris]
        clashes = case_clashes(paths)
        lost = bool(clashes) and case_insensitive(work)
        for i, (iri, path) in enumerate(zip(iris, paths, strict=False), 1):
            where = place(path)
            where.mkdir(parents=True, exist_ok=True)
            (where / "index.html").write_text(site.page(iri), encoding="utf-8")
            (where / "index.ttl").write_bytes(site.data(iri, "text/turtle"))
            files += 2
            if progress and (i % 1000 == 0 or i == len(iris)):
                progress(i, len(iris))
        classes = site.classes()
        for cls, n in classes:
            # a large class of a store folder is read page by page in the order the build wrote
            members = None if site.ranked(cls) and site.published is None else site.members(cls)
            pages = max(1, -(-n // site.INDEX_PAGE)) if members is None else site.index_pages(members)
            for page in range(1, pages + 1):
                where = place("class/" + class_slug(cls) + ("" if page == 1 else f"/{page}"))
                where.mkdir(parents=True, exist_ok=True)
                (where / "index.html").write_text(site.class_page(cls, page, members), encoding="utf-8")
                files += 1
        (work / "search").mkdir()
        index = site.search_index()
        (work / "search" / "index.json").write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                                                    encoding="utf-8")
        (work / "search" / "index.html").write_text(search_page(site), encoding="utf-8")
        files += 2
        (work / "dump").mkdir()
        with (work / "dump" / "graph.nt.gz").open("wb") as raw, \
                gzip.GzipFile(filename="graph.nt", mode="wb", fileobj=raw, mtime=0) as gz:
            triples = nt.write_sorted_spilling((f"{q.subject} {q.predicate} {q.object} ."
                                                for q in store.quads_for_pattern(None, None, None, DEFAULT)), gz)
        (work / "index.html").write_text(site.home(downloads=True), encoding="utf-8")
        site.indexed = None  # void.ttl describes every class of the graph
        (work / "void.ttl").write_bytes(void_turtle(site, endpoint, "dump/graph.nt.gz", license, sources, triples))
        files += 3
        ours = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
        _carry(folder, work, theirs, set(ours))
        (work / MARKER).write_text(json.dumps({"written by": "kg publish", "files": ours}, ensure_ascii=False, indent=0),
                                   encoding="utf-8")
    return Published(len(iris), len(classes), triples, files, folder, len(clashes), lost)
