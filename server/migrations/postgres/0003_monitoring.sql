-- Anomalies: at most one active (open or acknowledged) per dedup key; a recurrence after
-- resolution is a new row.
CREATE TABLE anomalies (
    id              BIGSERIAL PRIMARY KEY,
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
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL,
    count           BIGINT NOT NULL,
    last_occurrence TEXT NOT NULL,
    state           TEXT NOT NULL,
    ack_by          TEXT,
    ack_at          TIMESTAMPTZ,
    ack_note        TEXT,
    resolved_at     TIMESTAMPTZ,
    resolved_by     TEXT
);
CREATE UNIQUE INDEX anomalies_one_active_per_key ON anomalies (dedup_key) WHERE state <> 'resolved';
CREATE INDEX anomalies_state_seen ON anomalies (state, last_seen);

-- Who did what to an anomaly, and when; never updated, never deleted.
CREATE TABLE anomaly_log (
    id         BIGSERIAL PRIMARY KEY,
    anomaly_id BIGINT NOT NULL REFERENCES anomalies (id),
    at         TIMESTAMPTZ NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT,
    note       TEXT
);
CREATE INDEX anomaly_log_anomaly ON anomaly_log (anomaly_id);

-- Rollups for fast reads, maintained when a run finishes (exactly once per run).
CREATE TABLE process_daily (
    source_id     TEXT NOT NULL,
    process       TEXT NOT NULL,
    day           TEXT NOT NULL,          -- YYYY-MM-DD (UTC)
    runs          BIGINT NOT NULL,
    succeeded     BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    stopped       BIGINT NOT NULL,
    duration_secs DOUBLE PRECISION NOT NULL,          -- total over runs with both start and end
    PRIMARY KEY (source_id, process, day)
);

CREATE TABLE robot_hourly (
    source_id TEXT NOT NULL,
    robot     TEXT NOT NULL,
    hour      TEXT NOT NULL,              -- YYYY-MM-DDTHH (UTC)
    busy_secs DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (source_id, robot, hour)
);

CREATE INDEX runs_source_process_ended ON runs (source_id, process, ended_at);
CREATE INDEX runs_ended_at ON runs (ended_at);

-- A finished run is added to the rollups once: the write that claims it (flipping this flag
-- with UPDATE … RETURNING) is the one that counts it, even with several nodes writing.
ALTER TABLE runs ADD COLUMN rolled_up BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX runs_to_roll_up ON runs (source_id)
    WHERE NOT rolled_up AND state IN ('succeeded', 'failed', 'stopped');
