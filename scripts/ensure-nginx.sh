#!/usr/bin/env bash
# The one-machine recipe's test (tests/monitoring/test_cluster.py) runs the
# app servers behind Debian's nginx, started by the test itself as an
# ordinary process (no service, no root needed to run it).
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing nginx for the operations tests (apt-get install nginx)..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  # Debian starts the service where it can; the tests run their own.
  command -v service >/dev/null && service nginx stop >/dev/null 2>&1 || true
  exit 0
fi
echo "The operations tests need nginx: run 'sudo apt-get install nginx', then 'make test' again." >&2
exit 1
