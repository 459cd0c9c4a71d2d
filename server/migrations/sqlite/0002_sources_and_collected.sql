-- Vendor tenants Hangar reads from. Secrets are never stored here: the spec holds
-- references to environment variables (or, for simulated demo sources, the simulator's
-- throwaway credentials).
CREATE TABLE sources (
    id                  TEXT PRIMARY KEY NOT NULL,
    vendor              TEXT NOT NULL,
    department          TEXT NOT NULL,
    spec                TEXT NOT NULL,      -- JSON SourceSpec
    simulated           INTEGER NOT NULL DEFAULT 0,
    paused              INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

-- Where each source's collector stands; moves in the same transaction as the rows it read.
CREATE TABLE collector_cursors (
    source_id   TEXT PRIMARY KEY NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    cursor      TEXT NOT NULL,              -- JSON, opaque to the server
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE runs (
    source_id     TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    vendor_key    TEXT NOT NULL,
    vendor        TEXT NOT NULL,
    process       TEXT NOT NULL,
    robot         TEXT,
    vm            TEXT,
    folder        TEXT,
    state         TEXT NOT NULL,
    raw_state     TEXT NOT NULL,
    created_at    TEXT,
    started_at    TEXT,
    ended_at      TEXT,
    updated_at    TEXT,
    error         TEXT,
    trigger_kind  TEXT,
    schedule_key  TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    PRIMARY KEY (source_id, vendor_key)
) STRICT;
CREATE INDEX runs_started_at ON runs (started_at);
CREATE INDEX runs_state ON runs (state) WHERE state NOT IN ('succeeded', 'failed', 'stopped');

CREATE TABLE robots (
    source_id    TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    vendor_key   TEXT NOT NULL,
    vendor       TEXT NOT NULL,
    name         TEXT NOT NULL,
    vm           TEXT,
    folder       TEXT,
    state        TEXT NOT NULL,
    raw_state    TEXT NOT NULL,
    unresponsive INTEGER NOT NULL,
    reported_at  TEXT,
    seen_at      TEXT NOT NULL,
    PRIMARY KEY (source_id, vendor_key)
) STRICT;

CREATE TABLE processes (
    source_id  TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    vendor_key TEXT NOT NULL,
    vendor     TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    TEXT,
    folder     TEXT,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (source_id, vendor_key)
) STRICT;

CREATE TABLE schedules (
    source_id   TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    vendor_key  TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    name        TEXT NOT NULL,
    process     TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    cron        TEXT,
    time_zone   TEXT,
    next_run_at TEXT,
    folder      TEXT,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (source_id, vendor_key)
) STRICT;

CREATE TABLE queue_items (
    source_id  TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    vendor_key TEXT NOT NULL,
    vendor     TEXT NOT NULL,
    queue      TEXT NOT NULL,
    folder     TEXT,
    state      TEXT NOT NULL,
    raw_state  TEXT NOT NULL,
    reference  TEXT,
    created_at TEXT,
    started_at TEXT,
    ended_at   TEXT,
    due_at     TEXT,
    error      TEXT,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (source_id, vendor_key)
) STRICT;
