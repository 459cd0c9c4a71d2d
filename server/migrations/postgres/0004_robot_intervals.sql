-- Each robot's states over time: one row per stretch in one state. The open stretch has no end.
CREATE TABLE robot_intervals (
    source_id   TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    robot_key   TEXT NOT NULL,
    state       TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ
);
CREATE INDEX robot_intervals_open ON robot_intervals (source_id, robot_key) WHERE ended_at IS NULL;
CREATE INDEX robot_intervals_started ON robot_intervals (started_at);
