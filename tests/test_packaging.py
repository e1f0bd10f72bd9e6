"""Packaging: environment.yml matches pyproject.toml, example files ship, the public API is
documented, imports go down the layers, and no file names a path outside the repository."""

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

import backprop_tutor
from backprop_tutor import PRESETS, load_example, preset

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "backprop_tutor"

# A conda MatchSpec as environment files write it: an optional channel, a package name, then an
# optional version constraint: "python>=3.10", "numpy 1.24.*", "sympy>=1.12,<2", "pip".
_VERSION = r"[0-9][0-9A-Za-z_.*+!]*"
_CONSTRAINT = rf"(?:(?:==|!=|>=|<=|~=|>|<|=)?\s*{_VERSION})"
MATCH_SPEC = re.compile(
    rf"^(?:[A-Za-z0-9_.\-]+::)?"             # channel::
    rf"(?P<name>[a-z0-9_][a-z0-9_.\-]*)"       # conda names are lower case
    rf"(?:\s*(?P<version>{_CONSTRAINT}(?:\s*[,|]\s*{_CONSTRAINT})*))?$"
)
# The name at the start of a PEP 508 requirement.
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)")


def _normalise(name):
    """PEP 503 normalised name: PyYAML and pyyaml, ipy_widgets and ipy-widgets compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def environment():
    with open(REPO / "environment.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def pyproject():
    with open(REPO / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def _conda_specs(environment):
    return [dep for dep in environment["dependencies"] if isinstance(dep, str)]


# --- environment.yml ------------------------------------------------------------------------

def test_environment_yml_parses(environment):
    """environment.yml is a YAML mapping with a name, channels and dependencies."""
    assert isinstance(environment, dict)
    assert isinstance(environment.get("name"), str) and environment["name"]
    assert isinstance(environment.get("dependencies"), list) and environment["dependencies"]


def test_environment_uses_conda_forge(environment):
    """The channel is conda-forge."""
    assert "conda-forge" in environment["channels"]


def test_match_spec_regex_itself():
    """The MatchSpec regex accepts conda's spellings and rejects pip's."""
    for good in ("python>=3.10", "numpy", "numpy 1.24.*", "sympy>=1.12,<2", "conda-forge::pip", "python=3.11"):
        assert MATCH_SPEC.match(good), good
    for bad in ("-e .", "NumPy>=1", "numpy>=", "numpy[extra]>=1", "git+https://x/y.git", ""):
        assert not MATCH_SPEC.match(bad), bad


def test_environment_dependencies_are_match_specs(environment):
    """Every conda dependency is a package name with an optional version constraint."""
    for dep in environment["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, dep
            continue
        assert isinstance(dep, str) and MATCH_SPEC.match(dep), dep


def test_environment_names_every_runtime_dependency(environment, pyproject):
    """Each run-time dependency of pyproject.toml is in environment.yml, with the same constraint."""
    conda = {}
    for spec in _conda_specs(environment):
        match = MATCH_SPEC.match(spec)
        conda[_normalise(match["name"])] = (match["version"] or "").replace(" ", "")
    runtime = pyproject["project"]["dependencies"]
    assert runtime
    for requirement in runtime:
        name = REQUIREMENT_NAME.match(requirement).group(1)
        assert _normalise(name) in conda, f"{name} is missing from environment.yml"
        constraint = requirement[len(name):].split(";")[0].replace(" ", "")
        assert conda[_normalise(name)] == constraint, requirement


def test_environment_python_matches_requires_python(environment, pyproject):
    """environment.yml asks for the Python pyproject.toml requires."""
    specs = {MATCH_SPEC.match(s)["name"]: (MATCH_SPEC.match(s)["version"] or "") for s in _conda_specs(environment)}
    assert specs.get("python") == pyproject["project"]["requires-python"]


def test_environment_installs_the_package_with_pip(environment):
    """environment.yml installs pip, then this package with ``pip install -e .``."""
    assert "pip" in [MATCH_SPEC.match(s)["name"] for s in _conda_specs(environment)]
    pip_sections = [dep["pip"] for dep in environment["dependencies"] if isinstance(dep, dict)]
    assert len(pip_sections) == 1
    assert "-e ." in [line.strip() for line in pip_sections[0]]


# --- example files ------------------------------------------------------------------------------

def test_example_files_are_the_packaged_ones():
    """examples/*.json are byte-for-byte the files shipped in backprop_tutor/examples/."""
    top = {p.name: p.read_bytes() for p in (REPO / "examples").glob("*.json")}
    packaged = {p.name: p.read_bytes() for p in (PACKAGE / "examples").glob("*.json")}
    assert {"mazur.json", "mazur_article.json"} <= set(top)
    assert top == packaged
    assert set(packaged) == {f"{name}.json" for name in PRESETS}


@pytest.mark.parametrize("name", ["mazur", "mazur_article"])
def test_example_files_load(name):
    """examples/mazur.json and examples/mazur_article.json load, and equal their presets."""
    example = load_example(REPO / "examples" / f"{name}.json")
    assert example.name.startswith("Mazur's")   # a student reads the name; the file name is the key
    assert example == preset(name)


def test_package_data_ships_the_examples(pyproject):
    """pyproject.toml ships backprop_tutor/examples/*.json with the package."""
    assert "examples/*.json" in pyproject["tool"]["setuptools"]["package-data"]["backprop_tutor"]


# --- metadata of a published package --------------------------------------------------------------

def test_metadata_people_expect(pyproject):
    """Classifiers (Jupyter, education), project URLs, the MIT license file, the console script."""
    project = pyproject["project"]
    classifiers = project["classifiers"]
    assert {"Framework :: Jupyter", "Topic :: Education", "Intended Audience :: Education"} <= set(classifiers)
    assert len(classifiers) == len(set(classifiers)) and all(" :: " in c for c in classifiers)
    # setuptools >= 77 refuses a License classifier beside an SPDX license expression.
    assert project["license"] == "MIT" and not [c for c in classifiers if c.startswith("License ::")]
    assert project["license-files"] == ["LICENSE"]
    license_text = (REPO / "LICENSE").read_text("utf-8")
    assert license_text.startswith("MIT License") and "Copyright (c)" in license_text
    assert "the backprop_tutor authors" in license_text
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"])
    assert all(url.startswith("https://") for url in project["urls"].values())
    assert project["scripts"] == {"backprop-tutor": "backprop_tutor.app.cli:main"}


def test_the_version_is_written_once(pyproject):
    """pyproject.toml holds the version; the package reads it from the installed metadata, and the
    changelog's newest release is that version."""
    version = pyproject["project"]["version"]
    assert backprop_tutor.__version__ == version
    init = (PACKAGE / "__init__.py").read_text("utf-8")
    assert 'version("backprop_tutor")' in init and version not in init
    releases = re.findall(r"^## \[([^\]]+)\]", (REPO / "CHANGELOG.md").read_text("utf-8"), re.MULTILINE)
    assert releases and releases[0] == version


def test_the_wheel_is_built_with_the_lessons(pyproject):
    """setup.py's build hook is the build_py command; MANIFEST.in puts its sources in the sdist."""
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]
    assert "cmdclass={\"build_py\": BuildPyWithLessons}" in (REPO / "setup.py").read_text("utf-8")
    manifest = (REPO / "MANIFEST.in").read_text("utf-8").splitlines()
    for line in ("include notebooks/[0-9][0-9]_*.ipynb", "include img/*.png", "include examples/*.json"):
        assert line in manifest
    # tests/test_wheel.py builds it with `python -m build --no-isolation`: the test extra has both.
    test_extra = [REQUIREMENT_NAME.match(r).group(1) for r in pyproject["project"]["optional-dependencies"]["test"]]
    assert {"build", "setuptools"} <= set(test_extra)


# --- public API ---------------------------------------------------------------------------------

def test_all_names_exist():
    """Every name in backprop_tutor.__all__ exists, once."""
    assert len(backprop_tutor.__all__) == len(set(backprop_tutor.__all__))
    missing = [name for name in backprop_tutor.__all__ if not hasattr(backprop_tutor, name)]
    assert not missing


def _own_docstring(obj):
    doc = obj.__doc__ or ""
    if inspect.isclass(obj) and doc.startswith(f"{obj.__name__}("):
        return ""  # dataclasses invent "Name(field, ...)" when there is no docstring
    return doc.strip()


def test_public_functions_and_classes_have_docstrings():
    """Every public function and class in __all__ has its own docstring."""
    undocumented = []
    for name in backprop_tutor.__all__:
        obj = getattr(backprop_tutor, name)
        if inspect.isclass(obj) or inspect.isroutine(obj) or hasattr(obj, "__wrapped__"):
            if not _own_docstring(obj):
                undocumented.append(name)
    assert not undocumented


# --- layering -----------------------------------------------------------------------------------

def test_model_layers_do_not_load_matplotlib_or_ipywidgets():
    """Importing every core and teaching module in a fresh interpreter loads none of the view libraries."""
    modules = [_module_name(path) for layer in ("core", "teaching") for path in sorted((PACKAGE / layer).rglob("*.py"))]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in {sorted(VIEW_LIBRARIES)!r} if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


# The layers, bottom first: a module may import only what is below it. ``(package)`` is
# backprop_tutor/__init__.py, the public API over core and teaching (it loads views lazily).
LAYERS = ("core", "teaching", "views", "(package)", "app", "__main__")
# The order inside a layer, bottom first; modules on one level may not import each other.
# A layer without an entry (views, app) has no order inside it. A sub-package takes its level
# in its layer, and an entry of its own ("teaching.mistakes") orders its modules the same way.
INSIDE = {
    "core": (("checks", "quantities", "inplace_code"), ("registry", "budget"), ("parameters",), ("spec",),
             ("example_files", "symbolic"), ("bridge", "layer_forms"), ("loop_code",), ("layer_code",),
             ("engine",), ("sweeping",), ("__init__",)),
    "teaching": (("formatting", "notation", "random_examples"), ("walkthrough", "landscape", "sympy_steps", "compare"),
                 ("touches", "render", "matrix_form"), ("grading", "matrix_text"), ("exercises", "mistakes"),
                 ("sheets",), ("handout",), ("__init__",)),
    "teaching.mistakes": (("catalogue",), ("rules",), ("variants",), ("checker", "gallery"), ("__init__",)),
}
# Libraries only the views may use.
VIEW_LIBRARIES = frozenset({"matplotlib", "ipywidgets", "IPython", "traitlets", "PIL"})
# Modules that import the standard library and each other only.
STANDARD_LIBRARY_ONLY = ("checks", "quantities", "parameters")


def _module_name(path: Path) -> str:
    """backprop_tutor/core/spec.py -> backprop_tutor.core.spec; a package's __init__.py -> the package."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_modules() -> dict:
    """Dotted name -> path of every module under backprop_tutor/."""
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(module: str, source: str, is_package: bool, known) -> list:
    """(absolute name, line) of everything a module's source imports, relative imports resolved.

    ``from . import registry`` names the submodule where one exists (``known``), else the package.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = ".".join(base[: len(base) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in known else target, node.lineno))
    return found


def _position(module: str) -> tuple:
    """(layer rank, ranks inside it, the layer) of a backprop_tutor module.

    The ranks are the module's level in its layer, then (for a module of an ordered sub-package)
    its level in the sub-package: teaching.mistakes.checker is (1, (3, 3), "teaching"). A layer
    with no order inside it gives ().
    """
    parts = module.split(".")
    if len(parts) == 1:
        return (LAYERS.index("(package)"), (), "(package)")
    layer = parts[1]
    if layer not in LAYERS:
        raise KeyError(f"{module} is in no layer of {LAYERS}: add it to the layer order in this test")
    ranks, prefix, rest = [], layer, parts[2:]
    while prefix in INSIDE:
        name = rest[0] if rest else "__init__"
        rank = next((rank for rank, level in enumerate(INSIDE[prefix]) if name in level), None)
        if rank is None:
            raise KeyError(f"{module} has no place in the order of {prefix}: add it to INSIDE in this test")
        ranks.append(rank)
        if not rest:
            break
        prefix, rest = f"{prefix}.{name}", rest[1:]
    return (LAYERS.index(layer), tuple(ranks), layer)


def layering_violations(module: str, source: str, is_package: bool = False, known=()) -> list:
    """Each import in ``source`` of a backprop_tutor module that is not below ``module``, as a sentence."""
    known = set(known) | {module}
    here = _position(module)
    problems = []
    for name, line in _imports(module, source, is_package, known):
        if name.split(".")[0] != "backprop_tutor" or name == module:
            continue
        there = _position(name)
        if there[0] != here[0]:
            if there[0] > here[0]:
                problems.append(f"{module} (line {line}) imports {name}, which is above it")
            continue
        # One layer: compare level by level, the layer's first, then the sub-package's.
        for mine, theirs in zip(here[1], there[1]):
            if theirs != mine:
                if theirs > mine:
                    problems.append(f"{module} (line {line}) imports {name}, which is above it")
                break
        else:
            if here[1]:  # the same level as far as both are ordered (an unordered layer has no levels)
                problems.append(f"{module} (line {line}) imports {name}, which is beside it (same level)")
    return problems


def test_layering_checker_catches_an_upward_import():
    """The checker itself: an upward, a sideways and a cross-layer import are caught; downward ones pass."""
    known = set(_package_modules())
    bad = ("from ..views.diagram import NetworkDiagram\n"
           "from .engine import train\n"
           "from . import quantities\n"
           "import backprop_tutor.app.cli\n"
           "from .. import __version__\n")
    problems = layering_violations("backprop_tutor.core.checks", bad, known=known)
    assert problems == [
        "backprop_tutor.core.checks (line 1) imports backprop_tutor.views.diagram, which is above it",
        "backprop_tutor.core.checks (line 2) imports backprop_tutor.core.engine, which is above it",
        "backprop_tutor.core.checks (line 3) imports backprop_tutor.core.quantities, which is beside it (same level)",
        "backprop_tutor.core.checks (line 4) imports backprop_tutor.app.cli, which is above it",
        "backprop_tutor.core.checks (line 5) imports backprop_tutor, which is above it",
    ]
    assert layering_violations("backprop_tutor.teaching.notation", "from .walkthrough import Step\n", known=known) \
        == ["backprop_tutor.teaching.notation (line 1) imports backprop_tutor.teaching.walkthrough, which is above it"]
    assert layering_violations("backprop_tutor.views.widgets.editor", "import backprop_tutor.app.cli\n",
                               known=known) != []
    good = ("from . import registry\nfrom .checks import SpecError\nfrom ..teaching import notation\n"
            "from .symbolic import derive\nimport numpy\n")
    assert layering_violations("backprop_tutor.core.bridge", good.replace("..teaching", ".spec"), known=known) == []
    assert layering_violations("backprop_tutor.views.widgets.editor", "from ...core import checks\nfrom ..diagram "
                               "import NetworkDiagram\nfrom .base import View\n", known=known) == []
    assert layering_violations("backprop_tutor.app.cli", "from .. import __version__\n"
                               "from ..views.figures import main\n", known=known) == []


def test_layering_checker_orders_a_sub_package():
    """Inside teaching.mistakes the modules have their own order; from outside it is one level of teaching."""
    known = set(_package_modules())
    checker = "backprop_tutor.teaching.mistakes.checker"
    assert layering_violations(checker, "from .catalogue import MISTAKES\nfrom .variants import forms\n"
                               "from ..formatting import fmt\nfrom ...core import checks\n", known=known) == []
    assert layering_violations(checker, "from .gallery import mistake_table\nfrom . import check_backprop\n"
                               "from ..sheets import x\nfrom ..exercises import y\n", known=known) == [
        f"{checker} (line 1) imports backprop_tutor.teaching.mistakes.gallery, which is beside it (same level)",
        f"{checker} (line 2) imports backprop_tutor.teaching.mistakes, which is above it",
        f"{checker} (line 3) imports backprop_tutor.teaching.sheets, which is above it",
        f"{checker} (line 4) imports backprop_tutor.teaching.exercises, which is beside it (same level)",
    ]
    assert layering_violations("backprop_tutor.teaching.mistakes.catalogue", "from .rules import FORMS\n",
                               known=known) != []
    assert layering_violations("backprop_tutor.teaching.exercises", "from .mistakes.rules import FORMS\n",
                               known=known) != []
    assert layering_violations("backprop_tutor.teaching.sheets", "from .mistakes.checker import check_backprop\n",
                               known=known) == []
    assert layering_violations("backprop_tutor.teaching.mistakes", "from .checker import check_backprop\n",
                               True, known) == []


def test_imports_go_down_the_layers():
    """Every import of a backprop_tutor module goes down: app -> views -> teaching -> core, and down
    the order inside core and teaching (``layering_violations`` says which import goes up)."""
    modules = _package_modules()
    assert {"backprop_tutor.core.engine", "backprop_tutor.teaching.render", "backprop_tutor.app.cli"} <= set(modules)
    problems = []
    for module, path in modules.items():
        problems += layering_violations(module, path.read_text("utf-8"), path.name == "__init__.py", modules)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("layer", ["core", "teaching"])
def test_core_and_teaching_never_import_view_libraries(layer):
    """No core or teaching module imports matplotlib, ipywidgets, IPython, traitlets or PIL, anywhere in it."""
    modules = _package_modules()
    problems = []
    for module, path in modules.items():
        if module.split(".")[1:2] != [layer]:
            continue
        for name, line in _imports(module, path.read_text("utf-8"), path.name == "__init__.py", modules):
            if name.split(".")[0] in VIEW_LIBRARIES:
                problems.append(f"{module} (line {line}) imports {name}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", STANDARD_LIBRARY_ONLY)
def test_base_modules_import_only_the_standard_library(name):
    """checks, quantities and parameters import the standard library and each other only."""
    modules = _package_modules()
    module = f"backprop_tutor.core.{name}"
    allowed = {f"backprop_tutor.core.{other}" for other in STANDARD_LIBRARY_ONLY}
    imported = _imports(module, modules[module].read_text("utf-8"), False, modules)
    outside = [f"line {line}: {target}" for target, line in imported
               if target not in allowed and target.split(".")[0] not in sys.stdlib_module_names]
    assert not outside, f"{module} imports " + ", ".join(outside)


# --- no path outside the repository -------------------------------------------------------------

# Absolute paths of one machine: the repository must name its files relative to itself.
_OUTSIDE = ["/work/", "/home/", "/root/", "/Users/", "/mnt/",  # path-scan: the pattern list
            "/tmp/", "/opt/", "/var/", "/etc/", "/usr/",  # path-scan: the pattern list
            "../shared", "C:\\"]  # path-scan: the pattern list
OUTSIDE_PATH = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(p) for p in _OUTSIDE) + ")")
# Paths that are the same on every machine the project supports.
ALLOWED_PATHS = ("/usr/bin/chromium", "/usr/bin/env", "/dev/")  # path-scan: the pattern list
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
SELF_MARKER = "# path-scan: the pattern list"


def outside_paths(text: str) -> list:
    """(line number, line) of each line naming an absolute path outside the repository (URLs are fine)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if SELF_MARKER in line:
            continue
        cleaned = URL.sub("", line)
        for allowed in ALLOWED_PATHS:
            cleaned = cleaned.replace(allowed, "")
        if OUTSIDE_PATH.search(cleaned):
            found.append((number, line.strip()))
    return found


def test_path_scanner_itself():
    """The scanner flags a machine's paths and leaves URLs, Chromium, the shebang and relative paths alone."""
    flagged = "\n".join(["see " + "/wo" + "rk/shared/seed/notebook.txt", "open('" + "/ho" + "me/me/x')",
                         "data in .." + "/shared/seed", "cd " + "/ro" + "ot/repo"])
    assert [n for n, _ in outside_paths(flagged)] == [1, 2, 3, 4]
    fine = "\n".join(["https://example.org/home/user/page", "#!/usr/bin/env bash", "/usr/bin/chromium --headless",
                      "cat /dev/null", "notebooks/work/x.ipynb", "../examples/seed.json", "~/.config is fine",
                      "see ./tmp/out"])
    assert outside_paths(fine) == []


def _repository_text_files():
    """Every file git tracks, plus new files not ignored yet (so a path cannot slip in before a commit)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, timeout=60)
    if listed.returncode != 0:
        pytest.skip(f"not a git checkout: {listed.stderr.decode(errors='replace').strip()}")
    for name in sorted(set(filter(None, listed.stdout.decode().split("\0")))):
        path = REPO / name
        if not path.is_file():
            continue  # deleted in the working tree
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary (images)
        try:
            yield name, data.decode("utf-8")
        except UnicodeDecodeError:
            continue


def test_no_file_names_a_path_outside_the_repository():
    """No tracked file (code, docs, notebooks, config) names an absolute path of one machine, such as a
    home folder or a shared folder beside the checkout: file:line of each one."""
    problems, scanned = [], 0
    for name, text in _repository_text_files():
        scanned += 1
        problems += [f"{name}:{number}: {line[:120]}" for number, line in outside_paths(text)]
    assert scanned > 20
    assert not problems, "\n".join(problems)
