-- Saved wall profiles: which screens a wall has and what each shows. The body is the
-- profile as JSON (validated by the server before it is stored).
CREATE TABLE wall_profiles (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
