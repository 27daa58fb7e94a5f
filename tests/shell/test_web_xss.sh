#!/usr/bin/env bash
# Hostile report text (script, attribute-breaking, javascript: and SVG payloads in every string
# field) on every dashboard page in headless Chromium: nothing runs, nothing is injected, the text
# shows as text (tests/web/browser_xss.py). Screenshots: $TLSRPT_BUILD_DIR/web-screenshots/xss-*.
. "$(dirname "$0")/lib.sh"
. "$TLSRPT_SOURCE_DIR/tests/web/lib_web.sh"

if need_programs && need_chromium && make_fixture; then
    if python3 "$WEB_TESTS/browser_xss.py" --web "$WEB" --db "$WORK/fx/xss.db" --shots "$SHOTS"; then
        ok "no payload runs or is injected on any page"
    else
        not_ok "hostile report text (see the not ok lines above)"
    fi
fi
finish
