#!/usr/bin/env bash
# Idempotent set-up shared by `make demo` and `make test`.
# Installs what a bare Debian 12 machine lacks, then the project's Python and npm
# dependencies. Every step checks first, so a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# Several people (or make -j) may run this at once in one tree: one at a time,
# so two pip or npm installs never interleave. The lock is this script itself.
exec 9<"$0"
flock 9

say() { printf '==> %s\n' "$*"; }

# Root on a bare machine has no sudo; a normal user needs it for apt.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- System packages (Debian) -------------------------------------------------
# PostgreSQL: the tests start their own server from these binaries.
# Chromium: Playwright cannot download a browser here, so it drives Debian's.
# python3-venv / npm: a bare Debian image may lack them.
missing=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ! -d .venv ] && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
command -v npm >/dev/null 2>&1 || missing+=(npm)
# Scanned plans: Tesseract with its Vietnamese data reads them; poppler-utils renders
# PDF pages; DejaVu has the Vietnamese glyphs the tests draw their scans with.
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-vie)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    # Always update first: a stale package list can offer an older Chromium than
    # the one the pinned Playwright expects (1.64.1 <-> Chromium 156).
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python -------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    say "python3 -m venv .venv"
    python3 -m venv .venv
fi
# Versions come from constraints.txt (every package pinned, as package-lock.json pins
# npm's): a set-up next month installs what was tested today. The stamp is touched
# after a successful install; a newer pyproject.toml or constraints.txt reinstalls.
stamp=.venv/.planflow-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    say "pip install -c constraints.txt -e '.[test,serve]'"
    .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,serve]'
    touch "$stamp"
fi

# --- JavaScript bundles (prebuilt, no build step) -----------------------------
# node_modules/.package-lock.json is written by npm after each install.
if [ ! -f node_modules/.package-lock.json ] \
   || [ package.json -nt node_modules/.package-lock.json ] \
   || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    if [ -f package-lock.json ]; then
        say "npm ci"
        npm ci --no-audit --no-fund --loglevel=error
    else
        say "npm install"
        npm install --no-audit --no-fund --loglevel=error
    fi
fi
vendor=web/static/vendor
if [ ! -f "$vendor/.stamp" ] || [ node_modules/.package-lock.json -nt "$vendor/.stamp" ]; then
    say "copy bundles to $vendor"
    rm -rf "$vendor"
    mkdir -p "$vendor/bpmn-js" "$vendor/chart.js"
    cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js \
       node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$vendor/bpmn-js/"
    # diagram-js.css, bpmn-js.css, bpmn-font/ (the css refers to the font relatively)
    cp -r node_modules/bpmn-js/dist/assets "$vendor/bpmn-js/assets"
    cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chart.js/"
    touch "$vendor/.stamp"
fi

# --- Translations ---------------------------------------------------------------
# The .mo files are gitignored; compile them from the committed .po files.
# Only when a .po is newer than its .mo (or the .mo is missing).
stale_po=false
for po in web/translations/*/LC_MESSAGES/*.po; do
    [ -e "$po" ] || continue
    if [ "$po" -nt "${po%.po}.mo" ]; then stale_po=true; fi
done
if $stale_po; then
    say "pybabel compile"
    # Quiet on success, the whole output on failure.
    if ! out=$(.venv/bin/pybabel compile -d web/translations -f 2>&1); then
        printf '%s\n' "$out" >&2
        exit 1
    fi
fi

say "set-up done"
