#!/usr/bin/env bash
# Installs the pinned front-end libraries from the npm registry and copies the
# files the pages load into app/static/vendor/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
vendor=app/static/vendor
mkdir -p "$vendor/leaflet/images"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp node_modules/@picocss/pico/css/pico.min.css "$vendor/pico.min.css"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"

# The icons the pages use (app/templates/_macros/ui.html names them), as one
# small sprite of <symbol>s: the whole set's sprite is half a megabyte.
ICONS="archive arrow-right bell book-open building-2 calendar calendar-check chart-column
  check chevron-left chevron-right circle-alert circle-check clipboard-list clock hourglass
  house inbox info languages list list-todo log-out mail map map-pin menu school search
  sliders-horizontal star triangle-alert undo-2 users x"
# Four of them also as files, for the messages' CSS masks (app.css).
mkdir -p "$vendor/icons"
for name in circle-check circle-alert triangle-alert info; do
  cp "node_modules/lucide-static/icons/$name.svg" "$vendor/icons/"
done
node - "$vendor/icons.svg" $ICONS <<'JS'
const fs = require("fs");
const [out, ...names] = process.argv.slice(2);
const symbols = names.map((name) => {
  const svg = fs.readFileSync(`node_modules/lucide-static/icons/${name}.svg`, "utf8");
  const body = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>"));
  return `<symbol id="${name}" viewBox="0 0 24 24">${body.trim()}</symbol>`;
});
fs.writeFileSync(out, '<svg xmlns="http://www.w3.org/2000/svg"><!-- lucide-static, ISC -->'
  + symbols.join("") + "</svg>\n");
JS
