"""cite(): how to cite tables: their sources and this dataset, as text, BibTeX, RIS and CSL-JSON.

Each work is one Reference; the three machine formats are rendered from it, so a rule (who is an
organisation, where a journal's volume goes) lives in one place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import __version__, _catalog
from ._model import Package

# kind in the sources table -> (BibTeX entry type, RIS type, CSL type)
TYPES = {"journal_article": ("article", "JOUR", "article-journal"), "magazine_article": ("article", "MGZN", "article-magazine"),
         "slides": ("misc", "SLIDE", "speech"), "opinion_article": ("misc", "GEN", "article"), "dataset": ("misc", "DATA", "dataset")}
FORMATS = ("text", "bibtex", "ris", "csl-json")
# LaTeX's special characters as text; braces as commands, since BibTeX counts every brace, escaped or not.
LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
         "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
NO_ADDRESS = "no published location yet"


@dataclass(frozen=True)
class Reference:
    """One citable work. An author with a comma is a person ("Family, Given"), without one an organisation."""

    key: str
    kind: str
    authors: tuple[str, ...]
    title: str
    year: str
    container: str | None = None  # journal, or where it was published
    volume: str | None = None
    number: str | None = None
    pages: tuple[str, str] | None = None
    url: str | None = None
    note: str | None = None
    version: str | None = None
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Citation:
    text: str
    bibtex: str
    ris: str = ""
    csl_json: str = ""

    def __str__(self) -> str:
        return self.text

    def as_format(self, fmt: str) -> str:
        """The citation in `fmt`: one of text, bibtex, ris, csl-json."""
        return {"text": self.text, "bibtex": self.bibtex, "ris": self.ris, "csl-json": self.csl_json}[fmt]


def latex(text: str) -> str:
    return "".join(LATEX.get(c, c) for c in text)


def web_address(url: str | None) -> str | None:
    """An http(s) address as it is, else nothing (a link of another scheme is never emitted)."""
    return url if url and re.fullmatch(r"https?://[^\s{}\\\"<>]+", url) else None


def bibtex(ref: Reference) -> str:
    kind = TYPES[ref.kind][0]
    fields = {"author": " and ".join(latex(a) if "," in a else "{" + latex(a) + "}" for a in ref.authors),
              "title": "{" + latex(ref.title) + "}",  # as printed: no style may lower "ICT" or "China"
              "year": ref.year}
    container = latex(ref.container) if ref.container else None
    if kind == "article":
        fields.update(journal=container, volume=ref.volume, number=ref.number)
    else:
        fields["howpublished"] = container
    if ref.pages:
        fields["pages"] = "--".join(ref.pages)
    fields.update(version=ref.version, url=ref.url, note=latex(ref.note) if ref.note else None)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    return f"@{kind}{{{ref.key},\n{body}\n}}"


def ris(ref: Reference) -> str:
    tags = [("TY", TYPES[ref.kind][1])] + [("AU", a) for a in ref.authors] + [("TI", ref.title), ("PY", ref.year)]
    tags += [("JO" if TYPES[ref.kind][0] == "article" else "PB", ref.container), ("VL", ref.volume), ("IS", ref.number)]
    if ref.pages:
        tags += [("SP", ref.pages[0]), ("EP", ref.pages[1])]
    tags += [("ET", ref.version), ("UR", ref.url), ("N1", ref.note), ("ID", ref.key)]
    return "\n".join(f"{tag}  - {value}" for tag, value in tags if value) + "\nER  - \n"


def csl(ref: Reference) -> dict:
    def name(author: str) -> dict:
        family, _, given = author.partition(", ")
        return {"family": family, "given": given} if given else {"literal": author}

    item = {"id": ref.key, "type": TYPES[ref.kind][2], "author": [name(a) for a in ref.authors], "title": ref.title,
            "issued": {"date-parts": [[int(ref.year)]]} if ref.year else None, "container-title": ref.container,
            "volume": ref.volume, "issue": ref.number, "page": "-".join(ref.pages) if ref.pages else None,
            "version": ref.version, "URL": ref.url, "note": ref.note}
    return {k: v for k, v in item.items() if v}


def dataset_text(package: Package, version: str) -> str:
    """How the dataset is cited in words (cite() and the data dictionary's JSON-LD say it alike)."""
    year = (package.created or "")[:4]
    authors = " and ".join(c.title for c in package.contributors)
    address = web_address(package.homepage or package.repository)  # declared once, in schemas/_package.toml
    return f"{authors} ({year}). {package.title}. Dataset, version {version}. " + (f"{address}." if address else f"{NO_ADDRESS.capitalize()}.")


def dataset_reference() -> Reference:
    package = _catalog.package()
    year = (package.created or "")[:4]
    authors = tuple(c.title for c in package.contributors)
    address = web_address(package.homepage or package.repository)
    text = dataset_text(package, __version__)
    return Reference(f"clusterdata_{__version__.replace('.', '_')}", "dataset", authors, package.title, year,
                     container=f"Dataset, version {__version__}: Python package clusterdata and Frictionless Data Package",
                     url=address, note=None if address else f"{NO_ADDRESS.capitalize()}: cite the version", version=__version__, text=text)


def source_reference(source: dict, uncertain_year: bool) -> Reference:
    pages = volume = number = None
    container = source["published_in"]
    journal = re.fullmatch(r"(.+?) (\d+)\((\d+)\), pp\. (\d+)-(\d+)", container or "")
    if TYPES[source["kind"]][0] == "article" and journal:
        container, volume, number, first, last = journal.groups()
        pages = (first, last)
    note = "The source prints no date; the year is a probable reading (see clusterdata's annotations)" if uncertain_year else None
    return Reference(source["source_id"], source["kind"], tuple(source["authors"].split("; ")), source["title"],
                     str(source["year"]), container, volume, number, pages, web_address(source["url"]), note,
                     text=source["citation"])


def cite(*names: str) -> Citation:
    """The citation of one or more tables: each source once, and this dataset once."""
    from ._load import arrow_table

    cited, sources = set(), arrow_table("sources").to_pylist()
    for name in names:
        described = _catalog.table(name)
        titles = {s.title for s in described.sources}
        if not titles and "source_id" in described.columns and name != "sources":  # statistics: every source its rows come from
            ids = set(arrow_table(name).column("source_id").to_pylist())
            titles = {s["citation"] for s in sources if s["source_id"] in ids}
        cited |= titles
    uncertain = {row["row_key"].removeprefix("source_id=") for row in arrow_table("annotations").to_pylist()
                 if row["table_name"] == "sources" and row["column_name"] == "year" and row["kind"] == "uncertain_reading"}
    references = [source_reference(s, s["source_id"] in uncertain) for s in sources if s["citation"] in cited]
    dataset = dataset_reference()
    tables = ", ".join(repr(n) for n in names)
    text = "\n".join([f"Source: {r.text}" for r in references]
                     + [f"Dataset: {dataset.text} Table{'s' if len(names) > 1 else ''} {tables}."])
    references.append(dataset)
    return Citation(text, "\n\n".join(map(bibtex, references)) + "\n", "\n".join(map(ris, references)),
                    json.dumps([csl(r) for r in references], indent=2, ensure_ascii=False) + "\n")
