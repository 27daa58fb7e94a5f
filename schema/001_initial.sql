-- 001_initial.sql: the first schema. Applied once, inside a transaction, when PRAGMA user_version < 1.
-- Times are unix seconds UTC. JSON arrays are stored as TEXT made by jansson.
-- CHECKs spell value lists as OR chains: SQLite evaluates `x IN (a, b, c)` in a CHECK by building a
-- temporary index on every row written, which costs more than the rest of the insert.

-- Every input exactly as it arrived (the report file / mail part / HTTP body), kept for reprocessing.
CREATE TABLE raw_inputs (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT    NOT NULL UNIQUE,        -- of the bytes as received: exact resends collapse here
    size        INTEGER NOT NULL,               -- bytes as received
    encoding    TEXT    NOT NULL CHECK (encoding = 'identity' OR encoding = 'deflate'),
    data        BLOB    NOT NULL,               -- the bytes, zlib-deflated unless already compressed
    format      TEXT    NOT NULL,               -- sniffed: json, gzip, zip, unknown
    first_seen  INTEGER NOT NULL
);

-- Every arrival of an input (a file read, a mail part, an HTTP POST), duplicates included.
CREATE TABLE receipts (
    id          INTEGER PRIMARY KEY,
    raw_id      INTEGER NOT NULL REFERENCES raw_inputs(id),
    kind        TEXT    NOT NULL CHECK (kind = 'file' OR kind = 'mail' OR kind = 'http'),
    reference   TEXT,                           -- file path, Message-ID, client address
    meta        TEXT,                           -- JSON object: mail headers, HTTP client/User-Agent/TLS
    received_at INTEGER NOT NULL,
    outcome     TEXT    NOT NULL
                CHECK (outcome = 'imported' OR outcome = 'duplicate' OR outcome = 'rejected')
);
CREATE INDEX receipts_raw ON receipts(raw_id);

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    raw_id            INTEGER NOT NULL REFERENCES raw_inputs(id),
    receipt_id        INTEGER REFERENCES receipts(id),  -- the first arrival
    dedupe_key        TEXT    NOT NULL UNIQUE,  -- sha256 of reporter, report-id, range, sorted domains
    reporter          TEXT    NOT NULL,         -- contact-info domain, else organization, lower-cased
    organization_name TEXT,
    contact_info      TEXT,
    report_id         TEXT    NOT NULL,
    start_time        INTEGER NOT NULL,
    end_time          INTEGER NOT NULL,         -- exclusive
    start_raw         TEXT,
    end_raw           TEXT,
    flags             INTEGER NOT NULL DEFAULT 0,  -- enum tlsrpt_flag bits: normalisations applied
    duplicates        INTEGER NOT NULL DEFAULT 0,  -- resends seen after the first
    imported_at       INTEGER NOT NULL
);
CREATE INDEX reports_start ON reports(start_time);
CREATE INDEX reports_raw ON reports(raw_id);

CREATE TABLE policies (
    id               INTEGER PRIMARY KEY,
    report           INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    idx              INTEGER NOT NULL,          -- position in policies[]
    policy_type      TEXT    NOT NULL,
    policy_domain    TEXT    NOT NULL,
    policy_strings   TEXT,                      -- JSON array of strings; "[]" when none
    mx_hosts         TEXT,                      -- JSON array of strings; "[]" when none
    sts_mode         TEXT,
    sts_max_age      INTEGER,
    mx_patterns      TEXT,                      -- JSON array of strings; "[]" when none
    successful       INTEGER NOT NULL,
    failed           INTEGER NOT NULL,
    start_time       INTEGER NOT NULL,          -- copied from reports for the window index
    reporter         TEXT    NOT NULL,          -- copied from reports for per-organisation grouping
    UNIQUE (report, idx)
);
CREATE INDEX policies_domain_start ON policies(policy_domain, start_time);
CREATE INDEX policies_start ON policies(start_time);

CREATE TABLE failure_details (
    id                     INTEGER PRIMARY KEY,
    policy                 INTEGER NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    idx                    INTEGER NOT NULL,
    result_type            TEXT    NOT NULL,
    sending_mta_ip         TEXT,
    receiving_mx_hostname  TEXT,
    receiving_mx_helo      TEXT,
    receiving_ip           TEXT,
    failed_session_count   INTEGER NOT NULL,
    additional_information TEXT,
    failure_reason_code    TEXT
);
CREATE INDEX failure_details_policy ON failure_details(policy);

-- Inputs that did not decode or parse: kept with the reason so `reprocess` can bring them in later.
CREATE TABLE rejects (
    id          INTEGER PRIMARY KEY,
    raw_id      INTEGER NOT NULL UNIQUE REFERENCES raw_inputs(id),
    receipt_id  INTEGER REFERENCES receipts(id),
    rejected_at INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,     -- arrivals of these same bytes
    code        TEXT    NOT NULL,               -- tlsrpt_errcode_name()
    path        TEXT,                           -- JSON path, when the parser gave one
    reason      TEXT    NOT NULL,
    resolved_report INTEGER REFERENCES reports(id),  -- set by reprocess once it parses
    resolved_at INTEGER
);
CREATE INDEX rejects_time ON rejects(rejected_at);
-- Deleting a report (reprocess merging two that are one) looks up the rejects pointing at it.
CREATE INDEX rejects_resolved ON rejects(resolved_report) WHERE resolved_report IS NOT NULL;
