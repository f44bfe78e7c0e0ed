"""The command line as a user meets it: short messages for expected mistakes, output as stored."""

import pytest

from clusterdata.cli import main


def test_show_prints_values_as_stored_and_says_what_it_leaves_out(capsys):
    assert main(["show", "pinghu_output", "--rows", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["2002", "22", "21.1", "13.8", "45"]
    assert len(out) == 5 and out[-1].startswith("... 3 more rows")


def test_show_refuses_a_row_count_below_one(capsys):
    with pytest.raises(SystemExit):
        main(["show", "pinghu_output", "--rows", "0"])
    assert "argument --rows: must be at least 1, not 0" in capsys.readouterr().err


def test_search_names_the_sources_for_an_unknown_one(capsys):
    assert main(["search", "FDI", "--source", "ning_2009"]) == 2
    assert capsys.readouterr().err.startswith("clusterdata: no source named 'ning_2009' in clusterdata; did you mean 'ning_2009_ict'?")


def test_search_refuses_a_year_that_is_not_one():
    import clusterdata

    with pytest.raises(ValueError) as error:
        clusterdata.search(year="about 2004")
    assert str(error.value) == "year must be a whole year such as 2004, not 'about 2004'"
    assert len(clusterdata.search(year="2004")) == len(clusterdata.search(year=2004)) > 0


def test_export_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "something").write_text("x")
    assert main(["export", str(tmp_path), "--format", "csv"]) == 2
    assert "is not empty: export writes a complete package" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["something"]


def test_validate_and_build_outside_a_checkout_say_so_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"clusterdata: no clusterdata repository at or above {tmp_path}")


def test_validate_takes_a_table_name(repo_copy, monkeypatch, capsys):
    monkeypatch.chdir(repo_copy)
    assert main(["validate", "ict_fdi"]) == 0
    assert capsys.readouterr().out.startswith("valid: ict_fdi, checked with the rest of the package: ")


def test_docs_without_the_chart_library_names_the_extra(tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_vl_convert(name, *args, **kwargs):
        if name == "vl_convert":
            raise ModuleNotFoundError("No module named 'vl_convert'", name="vl_convert")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vl_convert)
    assert main(["docs", str(tmp_path / "site")]) == 2
    assert capsys.readouterr().err == "clusterdata: docs needs vl_convert: pip install 'clusterdata[validate]'\n"
