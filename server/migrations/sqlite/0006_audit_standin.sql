-- STAND-IN for engineer A's identity migration (issue #6): only the audit log the vault
-- writes to. Dropped at merge in favour of A's 0006.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor_user_id BLOB,
    actor_name    TEXT,
    via           TEXT,
    ip            TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
