#!/usr/bin/env bash
# The test half of `make test` (after ruff): pytest in parallel on the database DATABASE_URL names
# (SQLite in memory when unset). A run deselects the tests of a service it is not set up for:
# `postgres` tests unless DATABASE_URL is PostgreSQL, `redis` tests unless REDIS_URL is set.
# Under CI (CI set), a selected test whose service is missing fails instead of skipping; that
# includes the `browser` tests and Chromium (scripts/install-browser.sh installs it).
# Extra arguments go to pytest: `make test PYTEST_ARGS="-k schema -n 0"`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

deselect=()
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | pgsql://* | psql://*) database=PostgreSQL ;;
  *) database=SQLite; deselect+=("not postgres") ;;
esac
if [[ -z "${REDIS_URL:-}" ]]; then
  deselect+=("not redis")
fi
args=(-n "${PYTEST_WORKERS:-auto}")
if ((${#deselect[@]})); then
  marker=$(printf ' and %s' "${deselect[@]}")
  args+=(-m "${marker# and }")
fi

echo "pytest on ${database}${REDIS_URL:+ with Redis}${CI:+ (CI: missing services fail)}"
exec "$PY" -m pytest "${args[@]}" "$@"
