#!/usr/bin/env bash
# make run: migrate, load the demo into an empty database, then serve with
# gunicorn beside exactly one scheduler process (docs/INTEROPERABILITY.md, rules 12-13).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-5000}"
# Links in mails and feeds point here; the app refuses to start without it.
export TECHNIEKPOORT_BASE_URL="${TECHNIEKPOORT_BASE_URL:-http://127.0.0.1:${PORT}}"
# One folder for the samples of every process here, so /metrics adds them up
# (app/monitoring/metrics.py); last run's are stale.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-instance/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
$BIN/flask --app wsgi db upgrade
$BIN/flask --app wsgi demo load --if-empty
$BIN/flask --app wsgi scheduler run &
scheduler=$!
trap 'kill $scheduler 2>/dev/null; wait $scheduler 2>/dev/null' EXIT INT TERM
echo "Techniekpoort: http://127.0.0.1:${PORT}"
$BIN/gunicorn --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-2}" --threads 4 \
  --access-logfile - wsgi:app
