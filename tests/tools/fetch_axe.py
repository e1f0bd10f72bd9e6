"""Fetch axe-core (the accessibility engine the browser tests inject) from the npm registry.

    python tests/tools/fetch_axe.py      # what `make test` and .ci/run do, once per venv

No Node.js is needed: the package's tarball is downloaded from registry.npmjs.org, checked
against the sha512 the registry publishes for this version (pinned here), and its one file
``axe.min.js`` is written under the venv (``<sys.prefix>/share/axe-core/<version>/``), where
tests/test_a11y.py finds it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# The registry's `dist.integrity` for axe-core 4.14.1.
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="


def axe_path(prefix: str | Path = sys.prefix) -> Path:
    """Where axe.min.js of the pinned version lives in the venv at ``prefix``."""
    return Path(prefix) / "share" / "axe-core" / VERSION / "axe.min.js"


def fetch(prefix: str | Path = sys.prefix) -> Path:
    """Download, verify and unpack axe.min.js (nothing is done if it is already there)."""
    target = axe_path(prefix)
    if target.is_file():
        return target
    with urllib.request.urlopen(URL, timeout=60) as response:
        tarball = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode("ascii")
    if digest != INTEGRITY:
        raise SystemExit(f"axe-core {VERSION}: the download's sha512 is not the registry's ({URL})")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        script = archive.extractfile("package/axe.min.js").read()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(script)
    return target


if __name__ == "__main__":
    print(fetch())
