#!/bin/sh
# The dashboard's front-end assets: GOV.UK Frontend from npm (pinned by
# package-lock.json) into web/vendor/assets, where serve finds them.  The CSS
# is compiled from the package's Sass (web/sass/govuk-frontend.scss, by the
# npm package sass) with Arial, so the GDS Transport font, which is for
# GOV.UK alone, is neither shipped nor loaded; no GOV.UK image is copied.
set -eu
if [ ! -f node_modules/govuk-frontend/package.json ] ||
	[ ! -x node_modules/.bin/sass ] ||
	[ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
src=node_modules/govuk-frontend/dist/govuk
out=web/vendor/assets
mkdir -p "$out"
rm -rf "$out/fonts" "$out/images" # GOV.UK's own, shipped before 6
css=$out/govuk-frontend.min.css
if [ ! -f "$css" ] || [ web/sass/govuk-frontend.scss -nt "$css" ] ||
	[ node_modules/.package-lock.json -nt "$css" ] ||
	grep -q "GDS Transport" "$css"; then
	node_modules/.bin/sass --load-path=node_modules --style=compressed \
		--no-source-map --quiet-deps web/sass/govuk-frontend.scss "$css.tmp"
	mv "$css.tmp" "$css"
fi
cp "$src/govuk-frontend.min.js" "$out/govuk-frontend.min.js.tmp"
mv "$out/govuk-frontend.min.js.tmp" "$out/govuk-frontend.min.js"
