#!/usr/bin/env bash
# Installs the pinned front-end libraries from the npm registry and copies the
# files the pages load into app/static/vendor/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
mkdir -p app/static/vendor
cp node_modules/htmx.org/dist/htmx.min.js app/static/vendor/htmx.min.js
cp node_modules/@picocss/pico/css/pico.min.css app/static/vendor/pico.min.css
