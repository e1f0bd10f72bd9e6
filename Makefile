# Two commands a newcomer needs: `make lab` (the tutorial) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8888

.PHONY: lab test bench figures clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps re-run pip only when the dependencies change.
$(VENV)/.lab: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook]'
	touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook,test]'
	touch $@

lab: $(VENV)/.lab  ## open JupyterLab on notebooks/
	$(PY) -m jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

test: $(VENV)/.test  ## run every test (unit, golden, property, notebooks)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test  ## print the benchmark ratios
	$(PY) benchmarks/run.py

figures: $(VENV)/.lab  ## redraw the figures in img/
	$(PY) -m backprop_tutor figures img/

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
