-- Webhooks (API.md §10): where to send which events, and the secret their signatures use (kept as
-- given: HMAC needs it; it is never sent back after creation).
CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    url text NOT NULL,
    events text[] NOT NULL,
    description text,
    secret text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox: every message a committed change sends out (a webhook delivery, a CDN purge, a
-- search-engine push), written in the change's own transaction. A dispatcher in each process
-- claims due rows with a lease (FOR UPDATE SKIP LOCKED: one process per attempt), oldest first
-- per ordering key (a webhook and an article: in order per article).
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('webhook', 'purge', 'indexnow', 'baidu')),
    webhook_id uuid REFERENCES webhooks (id) ON DELETE CASCADE,
    event text NOT NULL,
    ordering_key text NOT NULL,
    payload jsonb NOT NULL,
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    lease_until timestamptz,
    last_status integer,
    last_error text,
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_order ON outbox (ordering_key, id) WHERE state = 'pending';
CREATE INDEX outbox_webhook ON outbox (webhook_id, id DESC);

-- Each attempt of a message: when, what came back, how long it took.
CREATE TABLE outbox_attempts (
    outbox_id uuid NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    number integer NOT NULL,
    at timestamptz NOT NULL,
    status integer,
    error text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (outbox_id, number)
);
