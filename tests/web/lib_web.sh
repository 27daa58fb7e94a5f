# lib_web.sh - sourced by tests/shell/test_web*.sh after lib.sh: the programs, the fixture and
# Chromium. A missing piece is a failure, never a skip (CI must not pass without the browser).
WEB="$TLSRPT_BUILD_DIR/web/tlsrpt-web"
WEB_TESTS="$TLSRPT_SOURCE_DIR/tests/web"
SHOTS="$TLSRPT_BUILD_DIR/web-screenshots"
WEB_NOW=2026-03-15T12:00:00Z # webtest.py NOW: make_fixture.sh dates everything before it

# need_programs: every binary the dashboard tests run.
need_programs() {
    local p missing=0
    for p in "$WEB" "$REPORT" "$COLLECTOR" "$GEN"; do
        if [ ! -x "$p" ]; then
            not_ok "program missing: $p (build everything first)"
            missing=1
        fi
    done
    return $missing
}

# need_chromium: in CI, install it when missing (scripts/setup.sh reads debian-packages.txt).
need_chromium() {
    if ! command -v chromium >/dev/null 2>&1 && [ "${CI:-}" = true ]; then
        "$TLSRPT_SOURCE_DIR/scripts/setup.sh" >&2 || true
    fi
    if ! command -v chromium >/dev/null 2>&1; then
        not_ok "chromium is not installed: run scripts/setup.sh (Debian package chromium)"
        return 1
    fi
}

# make_fixture: $WORK/fx/fixture.db and $WORK/fx/xss.db.
make_fixture() {
    if bash "$WEB_TESTS/make_fixture.sh" "$TLSRPT_BUILD_DIR" "$TLSRPT_SOURCE_DIR" "$WORK/fx"; then
        ok "fixture databases built with tlsrpt-gen and tlsrpt-collector import"
    else
        not_ok "fixture databases could not be built"
        return 1
    fi
}
