-- Every running hangar process registers here and heartbeats, so any node (and the wall)
-- can tell which nodes are up.
CREATE TABLE nodes (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    listen       TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX nodes_last_seen_at ON nodes (last_seen_at);
