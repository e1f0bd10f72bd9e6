"""Packaging: environment.yml matches pyproject.toml, example files ship, the public API is
documented, and the model layers stay free of matplotlib and ipywidgets."""

import ast
import inspect
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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
    assert {"seed.json", "mazur.json"} <= set(top)
    assert top == packaged
    assert set(packaged) == {f"{name}.json" for name in PRESETS}


@pytest.mark.parametrize("name", ["seed", "mazur"])
def test_example_files_load(name):
    """examples/seed.json and examples/mazur.json load, and equal their presets."""
    example = load_example(REPO / "examples" / f"{name}.json")
    assert example.name == name
    assert example == preset(name)


def test_package_data_ships_the_examples(pyproject):
    """pyproject.toml ships backprop_tutor/examples/*.json with the package."""
    assert "examples/*.json" in pyproject["tool"]["setuptools"]["package-data"]["backprop_tutor"]


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
    """Importing engine, walkthrough and render in a fresh interpreter loads neither matplotlib nor ipywidgets."""
    code = (
        "import sys\n"
        "import backprop_tutor.core.symbolic, backprop_tutor.core.bridge, backprop_tutor.core.spec\n"
        "import backprop_tutor.core.engine, backprop_tutor.teaching.walkthrough, backprop_tutor.teaching.render\n"
        "loaded = sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def _imported_modules(path):
    """Top-level names of every module a source file imports; relative imports as '.name'."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize("module", ["symbolic", "bridge", "engine", "spec", "walkthrough"])
def test_model_modules_never_import_views(module):
    """No import of matplotlib or ipywidgets appears anywhere in the model modules' source."""
    assert not _imported_modules(PACKAGE / f"{module}.py") & {"matplotlib", "ipywidgets"}


def test_spec_imports_only_the_standard_library():
    """spec.py (the network description) imports the standard library only."""
    imported = _imported_modules(PACKAGE / "spec.py")
    assert imported
    outside = sorted(name for name in imported if name.startswith(".") or name not in sys.stdlib_module_names)
    assert not outside
