"""Binder: repo2docker accepts the repository, and the README's badge opens notebook 00.

repo2docker is run with --no-build --no-run: it picks a buildpack and writes the Dockerfile it
would build, which needs neither a Docker daemon nor the network. Building the image (conda
solving environment.yml) is what mybinder.org does; it cannot be checked here.
(environment.yml itself — YAML, conda match specs, every run-time dependency — is checked in
tests/test_packaging.py.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BADGE = re.compile(r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
                   r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)")


def _repo2docker():
    local = Path(sys.executable).with_name("jupyter-repo2docker")
    return str(local) if local.exists() else shutil.which("jupyter-repo2docker")


def test_repo2docker_accepts_the_repository(tmp_path):
    """repo2docker picks its conda buildpack for environment.yml and writes a Dockerfile, without Docker."""
    executable = _repo2docker()
    # It is in the test extra that `make test` installs: missing is a failure, not a skip.
    assert executable, "jupyter-repo2docker is not installed: pip install -e '.[test]'"
    result = subprocess.run([executable, "--no-build", "--no-run", str(ROOT)], check=False, capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    log, dockerfile = result.stderr, result.stdout
    assert "Building conda environment" in log, log
    assert dockerfile.lstrip().startswith("FROM "), dockerfile[:200]
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in dockerfile
    assert not any(tmp_path.iterdir()), "repo2docker --no-build wrote files"


def test_readme_has_a_binder_badge_that_opens_notebook_00():
    readme = (ROOT / "README.md").read_text("utf-8")
    links = BADGE.findall(readme)
    assert links, "README.md has no Binder badge"
    for link in links:
        url = urllib.parse.urlsplit(link)
        parts = url.path.split("/")
        assert parts[:3] == ["", "v2", "gh"] and len(parts) == 6 and all(parts[3:5]) and parts[5] == "HEAD", link
        labpath = urllib.parse.parse_qs(url.query)["labpath"][0]
        assert labpath == "notebooks/00_start_here.ipynb" and (ROOT / labpath).is_file(), link
