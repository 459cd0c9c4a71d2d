-- Anomalies: at most one active (open or acknowledged) per dedup key; a recurrence after
-- resolution is a new row.
CREATE TABLE anomalies (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    source_id       TEXT,
    department      TEXT,
    process         TEXT,
    robot           TEXT,
    vm              TEXT,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    count           INTEGER NOT NULL,
    last_occurrence TEXT NOT NULL,
    state           TEXT NOT NULL,
    ack_by          TEXT,
    ack_at          TEXT,
    ack_note        TEXT,
    resolved_at     TEXT,
    resolved_by     TEXT
) STRICT;
CREATE UNIQUE INDEX anomalies_one_active_per_key ON anomalies (dedup_key) WHERE state <> 'resolved';
CREATE INDEX anomalies_state_seen ON anomalies (state, last_seen);

-- Who did what to an anomaly, and when; never updated, never deleted.
CREATE TABLE anomaly_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    anomaly_id INTEGER NOT NULL REFERENCES anomalies (id),
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT,
    note       TEXT
) STRICT;
CREATE INDEX anomaly_log_anomaly ON anomaly_log (anomaly_id);

-- Rollups for fast reads, maintained when a run finishes (exactly once per run).
CREATE TABLE process_daily (
    source_id     TEXT NOT NULL,
    process       TEXT NOT NULL,
    day           TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    runs          INTEGER NOT NULL,
    succeeded     INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    stopped       INTEGER NOT NULL,
    duration_secs REAL NOT NULL,          -- total over runs with both start and end
    PRIMARY KEY (source_id, process, day)
) STRICT;

CREATE TABLE robot_hourly (
    source_id TEXT NOT NULL,
    robot     TEXT NOT NULL,
    hour      TEXT NOT NULL,              -- YYYY-MM-DDTHH (UTC)
    busy_secs REAL NOT NULL,
    PRIMARY KEY (source_id, robot, hour)
) STRICT;

CREATE INDEX runs_source_process_ended ON runs (source_id, process, ended_at);
CREATE INDEX runs_ended_at ON runs (ended_at);

-- A finished run is added to the rollups once: the write that claims it (flipping this flag
-- with UPDATE … RETURNING) is the one that counts it, even with several nodes writing.
ALTER TABLE runs ADD COLUMN rolled_up INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_to_roll_up ON runs (source_id)
    WHERE NOT rolled_up AND state IN ('succeeded', 'failed', 'stopped');
