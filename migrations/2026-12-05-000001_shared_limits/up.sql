-- Rate limits and login throttling counted once for every process on the database (API.md §12):
-- each limited request is one upsert of its client's window, each login failure one row per key
-- (email, address). UNLOGGED: no WAL, not sent to replicas, emptied by a crash — counters of the
-- last minutes lose nothing worth keeping.
CREATE UNLOGGED TABLE rate_windows (
    key text PRIMARY KEY,
    started timestamptz NOT NULL,
    hits integer NOT NULL
) WITH (fillfactor = 50);

CREATE UNLOGGED TABLE login_failures (
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
