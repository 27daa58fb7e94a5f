#!/usr/bin/env bash
# Headless Chromium through every page of tlsrpt-web on the fixture database: statuses, no console
# output, and the numbers of the domain pages against tlsrpt-report --format json for the same
# windows (tests/web/browser_pages.py). Screenshots: $TLSRPT_BUILD_DIR/web-screenshots/.
. "$(dirname "$0")/lib.sh"
. "$TLSRPT_SOURCE_DIR/tests/web/lib_web.sh"

if need_programs && need_chromium && make_fixture; then
    if python3 "$WEB_TESTS/browser_pages.py" --web "$WEB" --report "$REPORT" \
        --db "$WORK/fx/fixture.db" --shots "$SHOTS"; then
        ok "browser tour of every page"
    else
        not_ok "browser tour of every page (see the not ok lines above)"
    fi
fi
finish
