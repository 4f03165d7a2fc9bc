# The two commands a newcomer needs are `make demo` and `make test` (see README.md).
.PHONY: setup demo test lint lock schema
VENV := .venv/bin

setup:
	@bash scripts/setup.sh

demo: setup
	$(VENV)/sifa demo

test: setup
	@bash scripts/test.sh

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check . || true

# Regenerate the lock after editing requirements/*.in (pins every transitive package).
lock:
	$(VENV)/pip install -q -r requirements/dev.in
	$(VENV)/pip freeze --exclude-editable | grep -v '^sifa' > requirements/lock.txt

schema:
	SIFA_MODE=development $(VENV)/python -m sifa.cli manage spectacular --file docs/openapi.yaml --validate
