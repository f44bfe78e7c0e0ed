"""cite(): how to cite a table: its source, and this dataset, as text and as BibTeX."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import __version__, _catalog

BIBTEX_TYPES = {"journal_article": "article", "magazine_article": "article", "slides": "misc", "opinion_article": "misc"}


@dataclass(frozen=True)
class Citation:
    text: str
    bibtex: str

    def __str__(self) -> str:
        return self.text


def bibtex_entry(kind: str, key: str, fields: dict) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    return f"@{kind}{{{key},\n{body}\n}}"


def dataset_citation() -> tuple[str, str]:
    package = _catalog.descriptor()
    year = (package.get("created") or "")[:4]
    authors = " and ".join(c["title"] for c in package.get("contributors", []))
    url = package.get("homepage") or package.get("repository")  # declared once, in schemas/_package.toml
    where = f" {url}" if url else " No published location yet."
    text = f"{authors} ({year}). {package['title']}. Dataset, version {__version__}.{where}"
    bibtex = bibtex_entry("misc", f"clusterdata_{__version__.replace('.', '_')}", {
        "author": authors, "title": package["title"], "year": year, "version": __version__, "url": url,
        "note": "Dataset; Python package and Frictionless Data Package" + ("" if url else "; no published location yet"),
    })
    return text, bibtex


def bibtex_authors(authors: str) -> str:
    """'Huang, Xianhai; Yang, Gaoju' -> 'Huang, Xianhai and Yang, Gaoju'; a name without a comma is an organisation, braced."""
    return " and ".join(name if "," in name else "{" + name + "}" for name in authors.split("; "))


def source_citation(source: dict, uncertain_year: bool) -> tuple[str, str]:
    kind = BIBTEX_TYPES[source["kind"]]
    fields = {"author": bibtex_authors(source["authors"]), "title": source["title"], "year": source["year"]}
    journal = re.fullmatch(r"(.+?) (\d+)\((\d+)\), pp\. (\d+)-(\d+)", source["published_in"] or "")
    if kind == "article" and journal:
        name, volume, number, first, last = journal.groups()
        fields.update(journal=name, volume=volume, number=number, pages=f"{first}--{last}")
    else:
        fields["journal" if kind == "article" else "howpublished"] = source["published_in"] or None
    fields["url"] = source["url"] or None
    if uncertain_year:
        fields["note"] = "The source prints no date; the year is a probable reading (see clusterdata's annotations)"
    return source["citation"], bibtex_entry(kind, source["source_id"], fields)


def cite(name: str) -> Citation:
    """The citation of table `name`: its source (where it has one) and this dataset."""
    from ._load import arrow_table

    resource = _catalog.resource(name)
    parts, entries = [], []
    cited = {s["title"] for s in resource.get("sources", [])}
    columns = [f["name"] for f in resource["schema"]["fields"]]
    if not cited and "source_id" in columns and name != "sources":  # statistics: every source its rows come from
        ids = set(arrow_table(name).column("source_id").to_pylist())
        cited = {s["citation"] for s in arrow_table("sources").to_pylist() if s["source_id"] in ids}
    uncertain = {row["row_key"].removeprefix("source_id=") for row in arrow_table("annotations").to_pylist()
                 if row["table_name"] == "sources" and row["column_name"] == "year" and row["kind"] == "uncertain_reading"}
    for source in arrow_table("sources").to_pylist():
        if source["citation"] in cited:
            text, bibtex = source_citation(source, source["source_id"] in uncertain)
            parts.append(f"Source: {text}")
            entries.append(bibtex)
    text, bibtex = dataset_citation()
    parts.append(f"Dataset: {text} Table {name!r}.")
    entries.append(bibtex)
    return Citation("\n".join(parts), "\n\n".join(entries) + "\n")
