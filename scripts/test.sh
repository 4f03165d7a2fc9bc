#!/usr/bin/env bash
# The whole test suite: quality gates, then the tests on SQLite (the embedded default, with browser
# tests and coverage) and again on the real PostgreSQL server. Run it as `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export SIFA_MODE=development
V=.venv/bin
PG_URL=${SIFA_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/sifa}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "ruff"
$V/ruff check .
step "migrations are up to date (makemigrations --check)"
$V/python -m sifa.cli manage makemigrations --check --dry-run
step "OpenAPI schema has not drifted from docs/openapi.yaml"
mkdir -p var
$V/python -m sifa.cli manage spectacular --file var/openapi.yaml --validate --fail-on-warn
diff -u docs/openapi.yaml var/openapi.yaml || { echo "schema drift: run 'make schema' and commit docs/openapi.yaml"; exit 1; }
step "mypy"
$V/mypy sifa
step "tests on SQLite (embedded default), browser tests, coverage"
$V/python -m pytest -n 2 --create-db --cov --cov-report=term:skip-covered --cov-report=xml:var/coverage.xml "$@"
step "tests on PostgreSQL ($PG_URL)"
SIFA_DATABASE_URL=$PG_URL $V/python -m pytest -n 2 --create-db -m "not browser" "$@"
