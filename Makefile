# Set-up is part of every target: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SAMPLES := samples
REPORT_DIR := build

.PHONY: demo test bench profile install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "budget-audit needs Python >= 3.10")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/budget-audit check $(SAMPLES) --fail-on never --html $(REPORT_DIR)/report.html --docx $(REPORT_DIR)/opinion.docx
	@echo
	@echo "HTML report: $(abspath $(REPORT_DIR))/report.html"
	@echo "审核意见 / review opinion (Word): $(abspath $(REPORT_DIR))/opinion.docx"

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench.run

profile: $(STAMP)
	$(PY) -m bench.profile

clean:
	rm -rf $(VENV) $(REPORT_DIR) .pytest_cache *.egg-info
