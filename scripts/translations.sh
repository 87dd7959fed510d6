#!/usr/bin/env bash
# Re-extract the translatable messages of app/ and merge them into the catalogs.
#
#   scripts/translations.sh            extract, then init (first time) or update nl and en
#
# msgids are English. Dutch (nl) is the default locale and must translate every
# msgid (tests/test_translations.py checks it); English (en) keeps empty msgstrs
# and so falls back to the msgid. Compiling the .mo files is `make translations`.
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
if [ ! -x "$PYBABEL" ]; then
  PYBABEL="$(command -v pybabel)"
fi

CATALOGS=app/translations
POT="$CATALOGS/messages.pot"

# babel.cfg's patterns are relative to "." and only match files under app/;
# node_modules and the dot-directories (.venv, .git) are not even walked.
"$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext \
  --ignore-dirs ".* ._ node_modules instance migrations bench tests" \
  --no-location --sort-output \
  --project Techniekpoort --copyright-holder Techniekpoort \
  -o "$POT" .

for locale in nl en; do
  if [ -f "$CATALOGS/$locale/LC_MESSAGES/messages.po" ]; then
    "$PYBABEL" update -i "$POT" -d "$CATALOGS" -l "$locale" --no-fuzzy-matching --ignore-obsolete
  else
    "$PYBABEL" init -i "$POT" -d "$CATALOGS" -l "$locale"
  fi
done
