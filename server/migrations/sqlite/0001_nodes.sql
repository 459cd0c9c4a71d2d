-- Every running hangar process registers here and heartbeats, so any node (and the wall)
-- can tell which nodes are up.
CREATE TABLE nodes (
    id           BLOB PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    listen       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;

CREATE INDEX nodes_last_seen_at ON nodes (last_seen_at);
