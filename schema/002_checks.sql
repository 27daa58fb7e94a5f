-- 002_checks.sql: results of tlsrpt-check --store (live DNS, policy file and MX certificate checks).
-- One row per domain per run, so the history is kept; the analyzer reads the newest row per domain
-- (checker/check_store.h tlsrpt_check_latest). Times are unix seconds UTC.
CREATE TABLE checks (
    id               INTEGER PRIMARY KEY,
    domain           TEXT    NOT NULL,          -- policy domain, lower-case A-label, no trailing dot
    checked_at       INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    verdict          TEXT    NOT NULL CHECK (verdict IN ('ok', 'warnings', 'errors')),
    errors           INTEGER NOT NULL,
    warnings         INTEGER NOT NULL,
    infos            INTEGER NOT NULL,
    sts_id           TEXT,                      -- id of the one valid _mta-sts record, else NULL
    sts_mode         TEXT,                      -- mode of the fetched policy, else NULL
    sts_max_age      INTEGER,                   -- max_age of the fetched policy, else NULL
    policy_cert_days INTEGER,                   -- days until the policy host's certificate expires
    mx_cert_days     INTEGER,                   -- fewest days left over all MX certificates seen
    result           TEXT    NOT NULL           -- the whole result as printed by --format json
);
CREATE INDEX checks_domain_time ON checks(domain, checked_at);

CREATE TABLE check_findings (
    id        INTEGER PRIMARY KEY,
    check_id  INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,                 -- order within the check
    severity  TEXT    NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    code      TEXT    NOT NULL,                 -- stable code, e.g. 'mx-cert-expired' (docs/checker.md)
    object    TEXT    NOT NULL,                 -- what it concerns: a DNS name, URL or 'host (address)'
    message   TEXT    NOT NULL,
    fix       TEXT    NOT NULL,
    UNIQUE (check_id, idx)
);
CREATE INDEX check_findings_code ON check_findings(code);
