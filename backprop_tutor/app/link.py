"""``backprop-tutor link --hub URL --repo URL [--branch B]``: the nbgitpuller link for a JupyterHub.

    backprop-tutor link --hub https://hub.example.edu --repo https://github.com/OWNER/REPO

prints the link a teacher hands out: clicking it logs the student into the hub, and nbgitpuller
clones (first time) or merges (later; the student's edits win) the repository into the home
folder, then opens notebook 00 in JupyterLab. The format is nbgitpuller's own link generator's:
``HUB/hub/user-redirect/git-pull?repo=REPO&urlpath=lab/tree/REPO_DIR/notebooks/00_start_here.ipynb&branch=B``,
where REPO_DIR, the folder nbgitpuller clones into, is the repository's name.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse

from .lessons import FIRST_NOTEBOOK

__all__ = ["DEFAULT_BRANCH", "main", "nbgitpuller_link"]

PROG = "backprop-tutor link"
DEFAULT_BRANCH = "main"
# A hub address pasted from the browser may already be inside the hub: https://hub/hub/home,
# https://hub/user/alice/lab. The link starts at the hub's base URL, before these.
_HUB_PAGES = ("hub", "user")


def _web_address(text: str, option: str, example: str) -> urllib.parse.SplitResult:
    url = urllib.parse.urlsplit(text.strip())
    if url.scheme not in ("http", "https") or not url.hostname or any(c.isspace() for c in text.strip()):
        raise ValueError(f"{option}: expected a web address such as {example}, got {text!r}")
    return url


def hub_base(hub: str) -> str:
    """The hub's base URL with a trailing slash: ``https://hub.example.edu/`` (or ``.../jupyter/``
    for a hub under a path), whatever page of the hub was pasted."""
    url = _web_address(hub, "--hub", "https://hub.example.edu")
    segments = [s for s in url.path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment in _HUB_PAGES:
            segments = segments[:index]
            break
    path = "/" + "".join(f"{s}/" for s in segments)
    return urllib.parse.urlunsplit((url.scheme, url.netloc, path, "", ""))


def repo_folder(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into: its last path segment without ``.git``."""
    url = _web_address(repo, "--repo", "https://github.com/OWNER/REPO")
    segments = [s for s in url.path.split("/") if s]
    if url.query or url.fragment or not segments or (url.hostname == "github.com" and len(segments) != 2):
        raise ValueError(f"--repo: expected the repository's own address, such as https://github.com/OWNER/REPO, "
                         f"got {repo!r}")
    name = segments[-1].removesuffix(".git")
    if not name:
        raise ValueError(f"--repo: no repository name in {repo!r}")
    return name


def nbgitpuller_link(hub: str, repo: str, branch: str = DEFAULT_BRANCH, notebook: str = FIRST_NOTEBOOK) -> str:
    """The nbgitpuller link that pulls ``repo`` (at ``branch``) into the student's home on ``hub``
    and opens ``notebook`` (a path inside the repository) in JupyterLab.

    A bad address raises ValueError naming the option (``--hub: ...``, ``--repo: ...``, ``--branch: ...``).
    """
    base = hub_base(hub)
    folder = repo_folder(repo)
    branch = branch.strip()
    if not branch or any(c.isspace() for c in branch):
        raise ValueError(f"--branch: expected a branch name such as {DEFAULT_BRANCH}, got {branch!r}")
    query = urllib.parse.urlencode({"repo": repo.strip(), "urlpath": f"lab/tree/{folder}/{notebook}",
                                    "branch": branch})
    return f"{base}hub/user-redirect/git-pull?{query}"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line naming the option, as the main command line does; --help shows the usage.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Print the nbgitpuller link that puts the lessons into every "
                                            "student's home folder on a JupyterHub and opens notebook 00.")
    parser.add_argument("--hub", required=True, metavar="URL", help="the JupyterHub's address, e.g. "
                                                                    "https://hub.example.edu")
    parser.add_argument("--repo", required=True, metavar="URL", help="the tutorial's git repository, e.g. "
                                                                     "https://github.com/OWNER/REPO")
    parser.add_argument("--branch", default=DEFAULT_BRANCH, help="the branch to pull (default: %(default)s)")
    return parser


def main(argv=None) -> int:
    """Print the link; exit status 2 with one line naming the option for a bad address."""
    options = _parser().parse_args(argv)
    try:
        link = nbgitpuller_link(options.hub, options.repo, options.branch)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
