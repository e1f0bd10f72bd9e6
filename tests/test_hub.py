"""University JupyterHub: ``backprop-tutor link`` prints nbgitpuller's link (checked by parsing it),
a bad address gets one line naming its option, and the README's hub section shows the link the
command prints and lists the same packages as environment.yml.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import yaml

from backprop_tutor.app.cli import main
from backprop_tutor.app.link import nbgitpuller_link

REPO = Path(__file__).resolve().parents[1]
FIRST = "notebooks/00_start_here.ipynb"


def run(args, capsys):
    try:
        code = main(["link", *args])
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def parse(link: str):
    """(scheme, host, path, {parameter: value}) of a link; every parameter appears once."""
    url = urllib.parse.urlsplit(link)
    pairs = urllib.parse.parse_qsl(url.query, strict_parsing=True)
    assert len(pairs) == len(dict(pairs)), link
    return url.scheme, url.netloc, url.path, dict(pairs)


# --- the link --------------------------------------------------------------------------------------

def test_link_opens_notebook_00_of_the_pulled_repository(capsys):
    code, out, err = run(["--hub", "https://hub.example.edu", "--repo", "https://github.com/OWNER/REPO"], capsys)
    assert code == 0 and err == "" and out.count("\n") == 1
    scheme, host, path, query = parse(out.strip())
    assert (scheme, host, path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    assert query == {"repo": "https://github.com/OWNER/REPO", "branch": "main",
                     "urlpath": f"lab/tree/REPO/{FIRST}"}
    assert (REPO / FIRST).is_file(), "the link opens a notebook the repository has"


@pytest.mark.parametrize("hub, base", [
    ("https://hub.example.edu/", "/"),
    ("https://hub.example.edu/hub/home", "/"),                    # pasted from the hub's home page
    ("https://hub.example.edu/user/alice/lab/tree/x.ipynb", "/"),  # pasted from a running server
    ("https://uni.example.edu/jupyter/", "/jupyter/"),             # a hub under a path
    ("https://uni.example.edu/jupyter/hub/login?next=%2F", "/jupyter/"),
    ("http://localhost:8000", "/"),
])
def test_link_starts_at_the_hubs_base_url(hub, base):
    scheme, host, path, _ = parse(nbgitpuller_link(hub, "https://github.com/OWNER/REPO"))
    assert path == f"{base}hub/user-redirect/git-pull"
    assert f"{scheme}://{host}" == urllib.parse.urlunsplit(urllib.parse.urlsplit(hub)[:2] + ("", "", ""))


@pytest.mark.parametrize("repo, folder", [
    ("https://github.com/OWNER/REPO.git", "REPO"),
    ("https://github.com/OWNER/REPO/", "REPO"),
    ("https://gitlab.example.edu/course/ml/backprop_tutor.git", "backprop_tutor"),
])
def test_link_opens_the_folder_nbgitpuller_clones_into(repo, folder, capsys):
    code, out, _ = run(["--hub", "https://hub.example.edu", "--repo", repo, "--branch", "spring-2026"], capsys)
    assert code == 0
    query = parse(out.strip())[3]
    assert query == {"repo": repo, "branch": "spring-2026", "urlpath": f"lab/tree/{folder}/{FIRST}"}


@pytest.mark.parametrize("args, option", [
    (["--hub", "hub.example.edu", "--repo", "https://github.com/OWNER/REPO"], "--hub"),
    (["--hub", "ftp://hub.example.edu", "--repo", "https://github.com/OWNER/REPO"], "--hub"),
    (["--hub", "https://", "--repo", "https://github.com/OWNER/REPO"], "--hub"),
    (["--hub", "https://hub.example.edu", "--repo", "OWNER/REPO"], "--repo"),
    (["--hub", "https://hub.example.edu", "--repo", "https://github.com/OWNER/REPO/tree/main/notebooks"], "--repo"),
    (["--hub", "https://hub.example.edu", "--repo", "https://github.com/OWNER"], "--repo"),
    (["--hub", "https://hub.example.edu", "--repo", "https://github.com/OWNER/REPO", "--branch", " "], "--branch"),
    (["--hub", "https://hub.example.edu", "--repo", "https://github.com/OWNER/REPO", "--branch", "a b"], "--branch"),
    (["--repo", "https://github.com/OWNER/REPO"], "--hub"),
    (["--hub", "https://hub.example.edu"], "--repo"),
])
def test_a_bad_address_is_one_line_naming_the_option(args, option, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("backprop-tutor link: error:") and option in err, err


def test_link_through_the_console_script():
    script = Path(sys.executable).with_name("backprop-tutor")
    result = subprocess.run([str(script), "link", "--hub", "https://hub.example.edu", "--repo",
                             "https://github.com/OWNER/REPO"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == nbgitpuller_link("https://hub.example.edu", "https://github.com/OWNER/REPO")


# --- the README's hub section ----------------------------------------------------------------------

def _hub_section() -> str:
    readme = (REPO / "README.md").read_text("utf-8")
    start = readme.index("### On a JupyterHub")
    end = readme.find("\n## ", start)
    return readme[start:end if end > 0 else None]


def test_the_readme_shows_the_link_the_command_prints():
    section = _hub_section()
    command = re.search(r"^backprop-tutor link (.+)$", section, re.MULTILINE)
    assert command, "the hub section shows no `backprop-tutor link` command"
    args = shlex.split(command.group(1))
    options = dict(zip(args[::2], args[1::2]))
    expected = nbgitpuller_link(options["--hub"], options["--repo"], options.get("--branch", "main"))
    assert expected in section.splitlines()


def test_the_readme_lists_the_packages_of_environment_yml():
    """The hub image's packages in the README are environment.yml's, with the same constraints
    (Python and pip aside: the image has them)."""
    section = _hub_section()
    line = re.search(r"^(?:mamba|conda) install (.+)$", section, re.MULTILINE)
    assert line, "the hub section lists no packages (a `mamba install ...` line)"
    words = shlex.split(line.group(1))
    listed, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in ("-c", "--channel"):
            skip = True
        elif not word.startswith("-"):
            listed.append(word.replace(" ", ""))
    with open(REPO / "environment.yml", encoding="utf-8") as handle:
        environment = yaml.safe_load(handle)
    specs = [dep.replace(" ", "") for dep in environment["dependencies"] if isinstance(dep, str)]
    expected = [spec for spec in specs if re.match(r"[a-z0-9_.-]+", spec)[0] not in ("python", "pip")]
    assert listed == expected
    assert "nbgitpuller" in listed, "the hub's image needs nbgitpuller for the link"
    assert re.search(r"^pip install git\+https://github\.com/\S+$", section, re.MULTILINE), \
        "the hub section does not install the tutorial itself"
