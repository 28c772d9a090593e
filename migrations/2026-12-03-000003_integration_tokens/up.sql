-- Integration tokens (API.md §10): a wire-ingest script or an app writes without a person's
-- password. Each acts through a service account of its own (`editors.service`), so revisions,
-- ownership and the audit log name it like any editor; the token itself is kept only as a
-- SHA-256 hash, refused at once once deleted (`deleted_at`) or expired.
ALTER TABLE editors ADD COLUMN service boolean NOT NULL DEFAULT false;

CREATE TABLE integration_tokens (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('editor', 'contributor')),
    token_hash text NOT NULL UNIQUE,
    editor_id uuid NOT NULL UNIQUE REFERENCES editors (id),
    created_by uuid REFERENCES editors (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    deleted_at timestamptz
);
CREATE INDEX integration_tokens_created_by ON integration_tokens (created_by);
