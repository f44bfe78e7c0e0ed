"""cite(): how to cite a table: its source, and this dataset, as text and as BibTeX."""

from __future__ import annotations

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
    text = f"{authors} ({year}). {package['title']}. Dataset, version {__version__}."
    bibtex = bibtex_entry("misc", f"clusterdata_{__version__.replace('.', '_')}", {
        "author": authors, "title": package["title"], "year": year, "version": __version__,
        "note": "Dataset; Python package and Frictionless Data Package",
    })
    return text, bibtex


def source_citation(source: dict) -> tuple[str, str]:
    kind = BIBTEX_TYPES[source["kind"]]
    fields = {"author": source["authors"].replace("; ", " and "), "title": source["title"], "year": source["year"]}
    fields["journal" if kind == "article" else "howpublished"] = source["published_in"] or None
    fields["url"] = source["url"] or None
    return source["citation"], bibtex_entry(kind, source["source_id"], fields)


def cite(name: str) -> Citation:
    """The citation of table `name`: its source (where it has one) and this dataset."""
    from ._load import arrow_table

    resource = _catalog.resource(name)
    parts, entries = [], []
    cited = {s["title"] for s in resource.get("sources", [])}
    for source in arrow_table("sources").to_pylist():
        if source["citation"] in cited:
            text, bibtex = source_citation(source)
            parts.append(f"Source: {text}")
            entries.append(bibtex)
    text, bibtex = dataset_citation()
    parts.append(f"Dataset: {text} Table {name!r}.")
    entries.append(bibtex)
    return Citation("\n".join(parts), "\n\n".join(entries) + "\n")
