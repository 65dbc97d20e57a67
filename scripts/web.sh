#!/bin/sh
# The dashboard's front-end assets: GOV.UK Frontend from npm (pinned by
# package-lock.json), copied into web/vendor/assets where serve finds them.
set -eu
if [ ! -f node_modules/govuk-frontend/package.json ] ||
	[ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
src=node_modules/govuk-frontend/dist/govuk
mkdir -p web/vendor/assets
cp -R "$src/assets/fonts" "$src/assets/images" web/vendor/assets/
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" web/vendor/assets/
