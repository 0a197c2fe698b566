#!/bin/sh
# Rebuild the committed front-end assets in static/ from node_modules.
# Run through `npm run build` after `npm ci`.
set -eu

cd "$(dirname "$0")/.."

govuk=node_modules/govuk-frontend/dist/govuk

rm -rf static/assets
rm -f static/css/application.css  # the other stylesheets in static/css are written by hand
rm -f static/js/govuk-frontend.min.js static/js/accessible-autocomplete.min.js*
mkdir -p static/css static/js

# GOV.UK Frontend 5.x still uses @import internally; its deprecation warnings
# are silenced until the council moves to a release built on @use.
sass \
  --load-path=node_modules/govuk-frontend/dist \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --silence-deprecation=import \
  frontend/application.scss static/css/application.css

cp "$govuk/govuk-frontend.min.js" static/js/govuk-frontend.min.js
# GOV.UK's accessible autocomplete, which turns long drop-downs (owners) into a searchable box.
# With its source map, which the script names and collectstatic insists on finding.
cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
  node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js.map static/js/
cp node_modules/accessible-autocomplete/LICENSE.txt static/LICENCE-accessible-autocomplete.txt

# Copy only the images the compiled CSS refers to (none at present: see
# app-image-url in application.scss). The favicons, touch icons and manifest
# show the crown and belong to GOV.UK, so they are left out, as are the
# GDS Transport fonts.
for path in $(grep -o 'url([^)]*)' static/css/application.css | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' -e 's/["'\'']$//' | sort -u); do
  case "$path" in
    /static/assets/images/*)
      mkdir -p static/assets/images
      cp "$govuk/assets/images/${path#/static/assets/images/}" static/assets/images/
      ;;
    *)
      echo "build.sh: unexpected url() in application.css: $path" >&2
      exit 1
      ;;
  esac
done

echo "Built static/ from govuk-frontend $(node -p 'require("govuk-frontend/package.json").version')" \
  "and accessible-autocomplete $(node -p 'require("accessible-autocomplete/package.json").version')."
