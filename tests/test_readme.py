"""The README's quick start is exactly what CI runs."""

import re

from conftest import REPO


def test_ci_runs_the_readme_quick_start():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.+?)\n```", quick_start)
    assert len(commands) == 2
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci_lines, command


def test_the_readme_catalog_lists_every_table():
    import clusterdata

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in clusterdata.tables():
        assert f"| `{name}` |" in readme, name


def test_the_pull_request_workflow_runs_ci():
    workflow = (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert "pull_request" in workflow
    assert "run: bash .ci/run" in workflow
