"""What an instructor and a Binder user rely on: citation, licence, launch links, runnable notebooks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
import yaml

from manchuria.book import REPO_ROOT, toc_notebooks

CONFIG = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))


def test_citation_cff_validates_against_the_cff_schema():
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(
        (REPO_ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json").read_text(encoding="utf-8")
    )
    errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(citation)]
    assert errors == []
    assert citation["repository-code"] == CONFIG["repository"]["url"], "the repository URL is set in one place"


def test_licence_covers_text_data_and_code_and_the_footer_says_so(site):
    licence = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "MIT License" in licence
    page = (site / "book" / "occupation.html").read_text(encoding="utf-8")
    assert "CC BY 4.0" in page and "MIT" in page


def test_binder_configuration_sits_at_the_repository_root():
    assert not (REPO_ROOT / "binder").exists(), "a binder/ folder would hide the root configuration"
    assert (REPO_ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    assert "-e ." in (REPO_ROOT / "requirements.txt").read_text().splitlines()[0]
    assert os.access(REPO_ROOT / "postBuild", os.X_OK)


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.stem)
def test_launch_button_opens_the_notebook_twin(site, notebook):
    page = (site / notebook.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    links = re.findall(r'href="(https://mybinder\.org/[^"]+)"', page)
    assert links, "the page has a Binder launch button"
    assert all(link.endswith(f"book/{notebook.stem}.ipynb") for link in links), links


def _cells_without_ids(notebook: Path) -> list[dict]:
    cells = nbformat.read(notebook, as_version=4).cells
    return [{key: value for key, value in cell.items() if key != "id"} for cell in cells]  # ids are random


@pytest.mark.build
def test_binder_set_up_writes_the_notebooks_the_book_build_wrote(site, tmp_path):
    """As Binder would, short of Docker: a clean copy, then postBuild, which executes each notebook
    once for its glued values and writes the twins. They are the build's twins, cell for cell, and
    tests/test_jupyterlab.py runs every cell of those in JupyterLab."""
    copy = tmp_path / "repo"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", "postBuild"], cwd=copy, env=env, check=True, capture_output=True)
    twins = sorted((copy / "book").glob("*.ipynb"))
    assert [twin.stem for twin in twins] == sorted(notebook.stem for notebook in toc_notebooks())
    for twin in twins:
        assert _cells_without_ids(twin) == _cells_without_ids(REPO_ROOT / "book" / twin.name), twin.name


def test_landing_page_cites_the_chapter_as_citation_cff_does(site):
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    page = (site / "book" / "index.html").read_text(encoding="utf-8")
    assert "Cite this chapter" in page
    assert citation["authors"][0]["name"] in page and citation["version"] in page
    assert citation["title"].split(":")[0] in page
    assert citation["repository-code"] in page


DATA_CALL = re.compile(r"""(?:load_(\w+)\(|(?:value|glue_values|glue_every_row)\(\s*["'](\w+)["'])""")
EXPLORER_CALL = re.compile(r"explorers\.(\w+)\(")
DECLARED = re.compile(r"^:::\{data-downloads\} (.+)$", re.MULTILINE)


def data_used(source: str) -> list[str]:
    """The data resources a notebook's code reads, in the order the package lists them."""
    from manchuria import data
    from manchuria.explorers import EXPLORER_DATA

    names = {name for pair in DATA_CALL.findall(source) for name in pair if name}
    for explorer in EXPLORER_CALL.findall(source):
        names |= set(EXPLORER_DATA.get(explorer, ()))
    listed = [item["name"] for item in data.read_package()["resources"]]
    return [name for name in listed if name in names]


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.stem)
def test_every_page_declares_the_data_its_code_reads(notebook):
    """A page's data-downloads directive names exactly the files its code loads (no more, no fewer)."""
    source = notebook.read_text(encoding="utf-8")
    (declared,) = DECLARED.findall(source)
    assert sorted(declared.split()) == sorted(data_used(source))


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.stem)
def test_every_page_offers_the_data_it_uses(site, notebook):
    resources = data_used(notebook.read_text(encoding="utf-8"))
    page = (site / notebook.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    for resource in resources:
        assert re.search(rf'href="[^"]*_downloads/[0-9a-f]+/{resource}\.csv"', page), resource
    assert (site / "_sources" / notebook.relative_to(REPO_ROOT).with_suffix(".ipynb")).exists(), "the notebook download"


def test_data_used_reads_loaders_values_and_explorers():
    code = 'data.load_forces()\ndata.value("figures", "x", "value_low")\nglue_values("arms", "value")\nexplorers.who_held()'
    assert data_used(code) == ["places", "arms", "forces", "control", "figures"]
