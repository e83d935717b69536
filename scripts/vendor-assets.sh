#!/usr/bin/env bash
# Refresh the front-end files vendored into src/openrd/static/vendor/, and the
# test-only axe-core copy in src/openrd/core/testing/vendor/ (not served).
#
# The copies are committed, so running the site or its tests needs no Node.
# Run this only after changing a version in package.json / package-lock.json:
#
#     scripts/vendor-assets.sh
#
# It installs exactly what package-lock.json pins (npm ci), then copies the
# built files and their licences. Source-map comments are removed because the
# maps are not vendored and whitenoise's manifest storage fails on a missing
# map during collectstatic. Safe to run repeatedly.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/openrd/static/vendor"
# Test-only files: outside the static folders, so the site never serves them.
TEST_DEST="$ROOT/src/openrd/core/testing/vendor"
cd "$ROOT"

npm ci --ignore-scripts --no-audit --no-fund

# copy SRC DST [ROOT_DIR]: copy one file (into $DEST unless ROOT_DIR is
# given), dropping any sourceMappingURL comment line.
copy() {
    local src="node_modules/$1" dst="${3:-$DEST}/$2"
    if [ ! -f "$src" ]; then
        echo "missing: $src" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$dst")"
    sed -E '/^[[:space:]]*(\/\/|\/\*)[#@] sourceMappingURL=/d' "$src" > "$dst.tmp"
    mv "$dst.tmp" "$dst"
    echo "copied $src -> ${dst#"$ROOT"/}"
}

copy @digital-go-jp/design-tokens/dist/tokens.css design-tokens/tokens.css
copy @digital-go-jp/design-tokens/LICENSE         design-tokens/LICENSE
copy htmx.org/dist/htmx.min.js                    htmx/htmx.min.js
copy htmx.org/LICENSE                             htmx/LICENSE
copy axe-core/axe.min.js                          axe-core/axe.min.js "$TEST_DEST"
copy axe-core/LICENSE                             axe-core/LICENSE    "$TEST_DEST"

if grep -rl 'sourceMappingURL' "$DEST" "$TEST_DEST" >/dev/null; then
    echo "error: a vendored file still references a source map" >&2
    exit 1
fi

echo "versions: design-tokens $(node -p "require('./node_modules/@digital-go-jp/design-tokens/package.json').version")," \
     "htmx $(node -p "require('./node_modules/htmx.org/package.json').version")," \
     "axe-core $(node -p "require('./node_modules/axe-core/package.json').version")"
