#!/usr/bin/env bash
# The rate-limit tests also count in a real Redis (TECHNIEKPOORT_RATELIMIT_STORAGE_URL=redis://...):
# Debian's redis-server, started by the tests themselves on a free port.
set -euo pipefail
if command -v redis-server >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Redis for the rate-limit tests (apt-get install redis-server)..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  exit 0
fi
echo "The rate-limit tests need Redis: run 'sudo apt-get install redis-server', then 'make test' again." >&2
exit 1
