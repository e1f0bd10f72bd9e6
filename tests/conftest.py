"""Shared test set-up: the ``browser`` marker and when its tests run, skip or fail; the notebooks,
each executed once per session for every test that reads its outputs.

Browser tests (tests/test_browser.py) drive Debian's Chromium through Playwright for Python.
They never download a browser: Chromium comes from ``apt-get install chromium`` (or the path
in BACKPROP_TUTOR_CHROMIUM). Without one they are skipped, loudly — unless
BACKPROP_TUTOR_REQUIRE_BROWSER=1 (set by .ci/run), where a browser test that does not run is
a failure, whatever the reason it would have been skipped.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ENV = "BACKPROP_TUTOR_CHROMIUM"
REQUIRE_ENV = "BACKPROP_TUTOR_REQUIRE_BROWSER"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = "install it with `sudo apt-get install chromium` (Debian/Ubuntu) and run `make test` again"


def chromium_path() -> str:
    """The Chromium executable the browser tests launch."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def browser_required() -> bool:
    """True where a browser test that does not run is a failure (CI)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes")


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        return f"no Chromium at {path} ({INSTALL_HINT}; or set {CHROMIUM_ENV})"
    for module, extra in (("playwright", "test"), ("jupyterlab", "notebook"), ("voila", "present")):
        if importlib.util.find_spec(module) is None:
            return f"Python package {module!r} is missing (pip install -e '.[{extra}]', or `make test`)"
    return None


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives JupyterLab and Voilà in headless Chromium (skipped without Chromium; "
        f"required when {REQUIRE_ENV}=1)",
    )
    config._browser_skips = []


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is None:
        return
    reason = browser_unavailable()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"BROWSER TEST SKIPPED: {reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if item.get_closest_marker("browser") is None or not report.skipped:
        return
    if browser_required():
        # A skip from anywhere (a fixture, importorskip, a skip marker) is a failure in CI.
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_ENV}=1: browser test {item.nodeid} was skipped ({reason})"
    else:
        item.config._browser_skips.append(item.nodeid)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = getattr(config, "_browser_skips", [])
    if not skipped:
        return
    terminalreporter.write_sep("!", f"{len(skipped)} BROWSER TESTS SKIPPED", red=True, bold=True)
    terminalreporter.write_line(f"Reason: {browser_unavailable() or 'see the skip reasons above'}", red=True)
    terminalreporter.write_line("The notebooks and the presentation mode were NOT checked in a real browser.",
                                red=True)


# --- the notebooks, executed once ----------------------------------------------------------------
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT = 120  # seconds per cell
KERNEL = "python3"  # the kernel installed with the package's environment


@pytest.fixture(scope="session")
def executed_notebook():
    """``run(path)`` -> (the executed notebook, the error of the cell that raised or None).

    Each notebook is executed once per test session, whichever test asks first; the others
    (tests/test_notebooks.py, tests/test_student_text.py) read the same outputs.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    done: dict = {}

    def run(path: Path):
        path = Path(path)
        if path not in done:
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                                    resources={"metadata": {"path": str(path.parent)}})
            try:
                client.execute()
                error = None
            except CellExecutionError as exc:
                error = exc
            done[path] = (nb, error)
        return done[path]

    return run


# --- mutation testing (`make mutate`) ------------------------------------------------------------
# mutmut sets MUTANT_UNDER_TEST in every run it makes: "stats" while it records which tests reach
# which function, then the name of each mutant (backprop_tutor.core.symbolic.x__backward__mutmut_3).
# The derivation, the compiled network, the mistake variants and the name table are cached per
# network, so a test would reuse what an earlier test built with another (or no) mutant active:
# mutmut would neither see which tests reach a function nor let a mutant change what they check.
# They are cleared before every test while it records, and while a mutant of a module they are
# built from is active; a mutant of the engine, the renderer or the formatter changes nothing they
# hold, so those keep them (the difference between minutes and an hour).
MUTATION_ENV = "MUTANT_UNDER_TEST"
_CACHED_FROM = ("backprop_tutor.core.registry.", "backprop_tutor.core.symbolic.", "backprop_tutor.core.bridge.",
                "backprop_tutor.teaching.notation.")


@pytest.fixture(autouse=True)
def _fresh_caches_under_mutation():
    mutant = os.environ.get(MUTATION_ENV)
    if mutant is not None:
        from sympy.core import cache as sympy_cache

        from backprop_tutor.core.bridge import clear_caches
        from backprop_tutor.teaching import exercises
        from backprop_tutor.teaching.mistakes import variants
        from backprop_tutor.teaching.notation import _name_table

        exercises._rate_run.cache_clear()   # training runs: the engine's mutants change them too
        if mutant == "stats" or mutant.startswith(_CACHED_FROM):
            clear_caches()
            sympy_cache.clear_cache()   # SymPy's own: a derivative taken once is not taken again
            variants._variants.cache_clear()
            _name_table.cache_clear()
    yield
