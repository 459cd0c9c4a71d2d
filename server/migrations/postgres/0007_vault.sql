-- The credential vault. Only labels that are safe to list are plain columns; username,
-- password and notes exist only inside `secret_versions.sealed` (AES-256-GCM, see vault/).

-- The keyring every node unseals: KEK versions wrapped under the root key, and a verifier.
-- One row. `kek_version` (the current one) makes a rotation a check-and-set.
CREATE TABLE vault_keyring (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    state       TEXT NOT NULL,          -- JSON hangar_vault::KeyringState, opens nothing alone
    kek_version INTEGER NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- owner_user_id has no foreign key: users are engineer A's table and a secret must outlive
-- nothing but its owner's id, which its ciphertext is bound to.
CREATE TABLE secrets (
    id              UUID PRIMARY KEY,
    owner_user_id   UUID NOT NULL,
    owner_name      TEXT NOT NULL,
    name            TEXT NOT NULL,
    system          TEXT,
    url             TEXT,
    tags            JSONB NOT NULL,
    current_version INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    deleted_at      TIMESTAMPTZ
);
CREATE INDEX secrets_owner ON secrets (owner_user_id, name);

-- The newest versions of each secret (at most 10; older ones are deleted in the writing
-- transaction). `sealed` is hangar_vault::SealedSecret::to_bytes; kek_version repeats its
-- header so rotation can skip rows already rewrapped. Deliberately no index on kek_version:
-- rotation walks the primary key, and PostgreSQL combined such an index (matching most rows)
-- into every per-row lookup of the rewrap UPDATE.
CREATE TABLE secret_versions (
    secret_id   UUID NOT NULL REFERENCES secrets (id),
    version     INTEGER NOT NULL,
    kek_version INTEGER NOT NULL,
    sealed      BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (secret_id, version)
);

CREATE TABLE secret_grants (
    id          UUID PRIMARY KEY,
    secret_id   UUID NOT NULL REFERENCES secrets (id),
    grantee     TEXT NOT NULL,          -- robot:<source>/<robot> or process:<source>/<process>
    asset_name  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TIMESTAMPTZ
);
-- A robot asks by asset name: one live grant per (grantee, asset name).
CREATE UNIQUE INDEX secret_grants_live ON secret_grants (grantee, asset_name) WHERE revoked_at IS NULL;
CREATE INDEX secret_grants_secret ON secret_grants (secret_id);
