-- Identity: local users, browser sessions, API tokens, and the append-only audit log.

CREATE TABLE users (
    id                  BLOB PRIMARY KEY NOT NULL,
    -- Unique regardless of case: "Ann" and "ann" are one person.
    username            TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL,
    department          TEXT,
    password_hash       TEXT NOT NULL,      -- Argon2id PHC string
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
) STRICT;

-- The id is the SHA-256 of the cookie value: a leaked table gives no usable cookie.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    -- A wall screen's session made from a read-only token: it lives and dies with the token.
    token_id     BLOB,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT,
    user_agent   TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,             -- first 8 characters, shown in lists
    token_hash   TEXT NOT NULL UNIQUE,      -- SHA-256 hex of the whole token
    scopes       TEXT NOT NULL,             -- JSON array of scope names
    robot        TEXT,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor_user_id BLOB,
    actor_name    TEXT NOT NULL,
    via           TEXT NOT NULL,            -- session | token | cli | system
    ip            TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    outcome       TEXT NOT NULL,            -- ok | denied | failed
    detail        TEXT NOT NULL             -- JSON; never a secret
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- Append-only: history cannot be rewritten through the application's connection.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
