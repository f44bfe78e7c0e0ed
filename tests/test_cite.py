"""Citations as LaTeX users (bibtex + pdflatex), reference managers (RIS) and CSL processors read them."""

import json
import re
import shutil
import subprocess

import pytest

import clusterdata
from clusterdata._cite import Reference, bibtex
from clusterdata.cli import main

NAMES = clusterdata.tables()
STYLES = ["plain", "apalike"]
DOCUMENT = r"""\documentclass{article}
\usepackage{url}
\begin{document}
Cited: \nocite{*}
\bibliographystyle{%s}
\bibliography{refs}
\end{document}
"""

DATASET_KEY = f"clusterdata_{clusterdata.__version__.replace('.', '_')}"  # the dataset's BibTeX key names its version


SPECIALS = r"R&D 50% $1 #1 a_b {x} ~ ^ back\slash"
SPECIAL_ENTRY = bibtex(Reference("test_key", "dataset", ("Org & Co",), SPECIALS, "2020", container=SPECIALS, note=SPECIALS))
# Every bibliography the tests compile: (its .bib, its style), by a name that is also its folder.
JOBS = {**{f"{name}-{style}": (clusterdata.cite(name).bibtex, style) for name in NAMES for style in STYLES},
        **{f"all-{style}": (clusterdata.cite(*NAMES).bibtex, style) for style in STYLES},
        "specials-plain": (SPECIAL_ENTRY + "\n", "plain")}


def run(command: list[str], folder) -> None:
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (command, str(folder), result.stdout[-3000:])


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """Each job of JOBS through pdflatex, bibtex, pdflatex on DOCUMENT (citing every entry); its .bbl and bibtex's log.

    The passes are those of one document per job, shared where their work is the same: the first pdflatex
    (which writes only the .aux: \\citation{*}, the style, refs) runs once per style and its .aux serves every
    job of that style; bibtex runs for each job in its own folder; the second pdflatex, which typesets the
    .bbl, runs once over every job's .bbl in turn (each \\input as \\bibliography{refs} inputs it).
    """
    if not (shutil.which("pdflatex") and shutil.which("bibtex")):
        pytest.skip("pdflatex and bibtex are not installed (.ci/run installs texlive-latex-base and texlive-binaries)")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"]
    root = tmp_path_factory.mktemp("latex")
    for style in STYLES:
        (root / f"first-{style}").mkdir()
        (root / f"first-{style}" / "doc.tex").write_text(DOCUMENT % style, encoding="utf-8")
        run([*latex, "doc.tex"], root / f"first-{style}")
    found = {}
    for job, (bib, style) in JOBS.items():
        folder = root / job
        folder.mkdir()
        shutil.copy(root / f"first-{style}" / "doc.aux", folder)
        (folder / "refs.bib").write_text(bib, encoding="utf-8")
        run(["bibtex", "doc"], folder)
        found[job] = ((folder / "doc.bbl").read_text(), (folder / "doc.blg").read_text())
    body = "".join(f"\\input{{{job}/doc.bbl}}\n" for job in JOBS)
    (root / "second.tex").write_text("\\documentclass{article}\n\\usepackage{url}\n\\begin{document}\nCited: "
                                     + body + "\\end{document}\n", encoding="utf-8")
    run([*latex, "second.tex"], root)
    log = (root / "second.log").read_text(errors="replace")
    assert not re.search(r"^! ", log, re.M), log[-3000:]
    typeset = log.replace("\n", "")  # TeX breaks its log's lines at 79 characters
    assert [job for job in JOBS if f"(./{job}/doc.bbl" not in typeset] == []  # every .bbl was read
    assert (root / "second.pdf").stat().st_size > 1000
    return found


def compile_latex(compiled, job: str) -> tuple[str, str]:
    """The job's .bbl and bibtex's log, which holds no error and no warning."""
    bbl, blg = compiled[job]
    assert "error message" not in blg and "Repeated entry" not in blg and "Warning--" not in blg, blg
    return bbl, blg


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", NAMES)
def test_every_tables_bibtex_compiles(compiled, name, style):
    bbl, _ = compile_latex(compiled, f"{name}-{style}")
    assert bbl.count(r"\bibitem") == len(re.findall(r"^@", clusterdata.cite(name).bibtex, re.M))
    assert "{The clusterdata contributors}" in bbl and "contributors, T" not in bbl


@pytest.mark.parametrize("style", STYLES)
def test_all_tables_cited_together_give_each_entry_once(compiled, style):
    bbl, _ = compile_latex(compiled, f"all-{style}")
    keys = re.findall(r"\\bibitem(?:\[[^\]]*\])?\{(\w+)\}", bbl)
    assert sorted(keys) == sorted(["huang_yang_pinghu", "ning_2009_ict", "ross_capacity_cooperation",
                                   "economist_2023_hefei", "saxenian_2010_smes", DATASET_KEY])
    flat = " ".join(bbl.split())
    assert "Leadership in the World ICT Industry" in flat and "High-Tech industries" in flat  # titles keep their case
    assert r"The Economist, Finance \& economics" in flat
    if style == "plain":
        assert "Lutao Ning." in flat and "Xianhai Huang and Gaoju Yang." in flat
    else:
        assert "Ning, L. (2009)." in flat and "[{The Economist}, 2023]" in flat


def test_every_latex_special_character_is_escaped(compiled):
    assert SPECIAL_ENTRY == (
        "@misc{test_key,\n"
        r"  author = {{Org \& Co}}," "\n"
        r"  title = {{R\&D 50\% \$1 \#1 a\_b \textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{} back\textbackslash{}slash}}," "\n"
        "  year = {2020},\n"
        r"  howpublished = {R\&D 50\% \$1 \#1 a\_b \textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{} back\textbackslash{}slash}," "\n"
        r"  note = {R\&D 50\% \$1 \#1 a\_b \textbraceleft{}x\textbraceright{} \textasciitilde{} \textasciicircum{} back\textbackslash{}slash}" "\n"
        "}")
    bbl, _ = compile_latex(compiled, "specials-plain")
    assert r"R\&D 50\% \$1" in " ".join(bbl.split())


def test_a_link_that_is_not_http_is_never_emitted():
    from clusterdata._cite import web_address

    assert [web_address(u) for u in ["https://a.org/x?y=1%20", "http://b.org", "javascript:alert(1)", "file:///etc/passwd",
                                     "https://a.org/}{", None]] == ["https://a.org/x?y=1%20", "http://b.org", None, None, None, None]


def test_ris_parses_with_rispy():
    rispy = pytest.importorskip("rispy", reason="the RIS test needs rispy (the `test` extra)")
    entries = rispy.loads(clusterdata.cite("ict_fdi", "hefei_state_investments", "pinghu_output").ris)
    assert [(e["type_of_reference"], e["id"]) for e in entries] == [
        ("SLIDE", "huang_yang_pinghu"), ("JOUR", "ning_2009_ict"), ("MGZN", "economist_2023_hefei"), ("DATA", DATASET_KEY)]
    ning = entries[1]
    assert (ning["authors"], ning["journal_name"], ning["volume"], ning["number"], ning["start_page"], ning["end_page"], ning["year"]) == (
        ["Ning, Lutao"], "Pacific Affairs", "82", "1", "67", "91", "2009")
    assert entries[3]["authors"] == ["The clusterdata contributors"] and entries[3]["edition"] == clusterdata.__version__


def test_csl_json_renders_with_citeproc():
    citeproc = pytest.importorskip("citeproc", reason="the CSL-JSON test needs citeproc-py (the `test` extra)")
    from citeproc.source.json import CiteProcJSON

    items = json.loads(clusterdata.cite("ict_fdi", "us_car_value_added").csl_json)
    assert [i["id"] for i in items] == ["ning_2009_ict", "ross_capacity_cooperation", DATASET_KEY]
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(i["id"]) for i in items]))
    assert [str(entry) for entry in bibliography.bibliography()] == [
        "Ning, L. (2009) “China's Leadership in the World ICT Industry: A Successful Story of Its \"Attracting-In\" and "
        "\"Walking-Out\" Strategy for the Development of High-Tech industries?”, Pacific Affairs, 82(1), "
        "pp. 67–91. Available at: http://pacificaffairs.ubc.ca/recent/v82no1.html.",
        "Ross, J. (2015) “International Production Capacity Cooperation – a New Stage in China’s Globalization”.",
        "The clusterdata contributors (2026) “clusterdata: China's technology clusters, ICT industry and global value chains”, "
        f"Dataset, version {clusterdata.__version__}: Python package clusterdata and Frictionless Data Package."]


def test_cli_formats(capsys):
    assert main(["cite", "ict_fdi", "--format", "ris"]) == 0
    assert capsys.readouterr().out == clusterdata.cite("ict_fdi").ris
    assert main(["cite", "ict_fdi", "ipad_suppliers", "--format", "csl-json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(clusterdata.cite("ict_fdi", "ipad_suppliers").csl_json)
    assert main(["cite", "ict_fdi", "--bibtex"]) == 0
    assert capsys.readouterr().out == clusterdata.cite("ict_fdi").bibtex
