# Two commands a newcomer needs: `make lab` (the tutorial) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888
# `make present NOTEBOOK=notebooks/01_network_and_forward_pass.ipynb PROJECTOR=1`
NOTEBOOK ?= notebooks/00_start_here.ipynb
PRESENT_PORT ?= 8866
PROJECTOR ?=
# JupyterLab refuses to run as root without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab present test test-fast lint test-browser screenshots bench figures handout mutate clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps re-run pip only when the dependencies change.
$(VENV)/.lab: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook]'
	touch $@

$(VENV)/.present: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook,present]'
	touch $@

# axe-core (the accessibility engine the browser tests inject) comes from the npm registry, checked
# against its published sha512; no Node.js is needed.
$(VENV)/.test: pyproject.toml tests/tools/fetch_axe.py | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook,present,test]'
	$(PY) tests/tools/fetch_axe.py
	touch $@

# The repository is the root (the notebooks read ../img and ../examples); it opens at notebook 00.
lab: $(VENV)/.lab  ## open JupyterLab at notebooks/00_start_here.ipynb
	$(PY) -m jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=. --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

present: $(VENV)/.present  ## serve NOTEBOOK as a clean app with Voilà (PROJECTOR=1: large type, high contrast)
	$(PY) -m backprop_tutor present $(NOTEBOOK) --port $(PRESENT_PORT) \
		$(if $(filter 1 yes true,$(PROJECTOR)),--projector)

# Browser tests need Debian's Chromium (apt-get install chromium); without it they are skipped, loudly.
test: lint  ## lint, then run every test (unit, golden, property, notebooks, real browser)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test  ## ruff: lint and import order
	$(PY) -m ruff check .

test-fast: $(VENV)/.test  ## the inner loop: every test but the browser, notebook and wheel runs
	$(PY) -m pytest -m "not browser and not notebook and not wheel" $(PYTEST_ARGS)

test-browser: $(VENV)/.test  ## only the real-browser tests (JupyterLab, Voilà in headless Chromium)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

screenshots: $(VENV)/.test  ## re-take the README's screenshots in the browser and copy them to img/
	$(PY) -m pytest -m browser tests/test_browser.py \
		-k '(test_notebook_in_jupyterlab and (01_network or 03_backward or 05_training or 06_learning)) or predict_first'
	cp test-artifacts/browser/screenshot_*.png img/

# Mutation testing ([tool.mutmut] in pyproject.toml): slow (tens of minutes), not part of `make test` or CI.
# `make mutate MUTANTS='backprop_tutor.teaching.formatting*'` runs one module; results stay in mutants/ and a
# second run only re-tests what changed. `$(VENV)/bin/mutmut show NAME` prints one surviving mutant's diff.
MUTATE_CHILDREN ?= 2
MUTANTS ?=
mutate: $(VENV)/.test  ## mutation testing of the formulas, names and formats (mutmut), then its results
	$(VENV)/bin/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(VENV)/bin/mutmut export-cicd-stats
	$(VENV)/bin/mutmut results

bench: $(VENV)/.test  ## print the benchmark ratios
	$(PY) benchmarks/run.py

figures: $(VENV)/.lab  ## redraw the figures in img/
	$(PY) -m backprop_tutor figures img/

# pdflatex from Debian's TeX Live: apt-get install --no-install-recommends texlive-latex-base.
handout: $(VENV)/.lab  ## handout.pdf: Mazur's example on two pages, then the answer key
	$(PY) -m backprop_tutor handout --pdf

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info test-artifacts mutants handout.tex handout.pdf handout-network.pdf
