#!/usr/bin/env bash
# The production layout on one machine (docs/OPERATIONS.md): migrate, then
# two app servers behind nginx and two schedulers, through honcho and
# deploy/Procfile. Stop it with Ctrl-C (or SIGTERM): honcho stops them all.
#
#   TECHNIEKPOORT_DATABASE_URL=postgresql+psycopg://... scripts/cluster.sh
#
# PORT (default 8080) is nginx's; WEB_1_PORT and WEB_2_PORT (8081, 8082) the
# app servers'; CLUSTER_DIR (instance/cluster) holds nginx's files and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PORT="${PORT:-8080}" WEB_1_PORT="${WEB_1_PORT:-8081}" WEB_2_PORT="${WEB_2_PORT:-8082}"
export CLUSTER_DIR="$(realpath -m "${CLUSTER_DIR:-instance/cluster}")"
export TECHNIEKPOORT_BASE_URL="${TECHNIEKPOORT_BASE_URL:-http://127.0.0.1:${PORT}}"
export TECHNIEKPOORT_TRUSTED_PROXIES="${TECHNIEKPOORT_TRUSTED_PROXIES:-1}"
# Both app servers and both schedulers run here, so one folder of samples.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${CLUSTER_DIR}/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR"
mkdir -p "$CLUSTER_DIR" "$PROMETHEUS_MULTIPROC_DIR"
$BIN/python - <<'PY'
import os
from pathlib import Path
from string import Template

conf = Template(Path("deploy/nginx.conf").read_text()).substitute(os.environ)
Path(os.environ["CLUSTER_DIR"], "nginx.conf").write_text(conf)
PY
$BIN/flask --app wsgi db upgrade
echo "Techniekpoort behind nginx: ${TECHNIEKPOORT_BASE_URL}"
exec $BIN/honcho -f deploy/Procfile -d . start
