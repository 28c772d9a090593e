-- The order of an ordering key's messages is the order their writes committed in, not the ids'
-- clocks: two processes (or two hosts whose clocks differ) write one article's messages one after
-- the other (the article's row lock orders them), and a sequence number taken inside each write
-- follows that order whatever the clocks say.
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX outbox_order;
DROP INDEX outbox_due;
CREATE INDEX outbox_order ON outbox (ordering_key, seq) WHERE state = 'pending';
CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE state = 'pending';
-- The delivery history is of webhooks only: purges and pushes need no entry in its index.
DROP INDEX outbox_webhook;
CREATE INDEX outbox_webhook ON outbox (webhook_id, id DESC) WHERE webhook_id IS NOT NULL;

-- A queue's table churns (each message is inserted, leased, finished): room on each page lets the
-- lease be a HOT update, and a vacuum and fresh statistics every few hundred changes keep the
-- partial indexes of pending rows short, whatever the month of history kept beside them.
ALTER TABLE outbox SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 500, autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 500);
