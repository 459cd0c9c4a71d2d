-- Identity: local users, browser sessions, API tokens, and the append-only audit log.

CREATE TABLE users (
    id                  UUID PRIMARY KEY,
    username            TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL,
    department          TEXT,
    password_hash       TEXT NOT NULL,      -- Argon2id PHC string
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL
);
-- Unique regardless of case: "Ann" and "ann" are one person.
CREATE UNIQUE INDEX users_username_ci ON users (LOWER(username));

-- The id is the SHA-256 of the cookie value: a leaked table gives no usable cookie.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    -- A wall screen's session made from a read-only token: it lives and dies with the token.
    token_id     UUID,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,             -- first 8 characters, shown in lists
    token_hash   TEXT NOT NULL UNIQUE,      -- SHA-256 hex of the whole token
    scopes       TEXT NOT NULL,             -- JSON array of scope names
    robot        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id            BIGSERIAL PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    actor_user_id UUID,
    actor_name    TEXT NOT NULL,
    via           TEXT NOT NULL,            -- session | token | cli | system
    ip            TEXT,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    outcome       TEXT NOT NULL,            -- ok | denied | failed
    detail        TEXT NOT NULL             -- JSON; never a secret
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);

-- Append-only: history cannot be rewritten through the application's connection.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
