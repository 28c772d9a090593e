DROP INDEX outbox_order;
DROP INDEX outbox_due;
ALTER TABLE outbox DROP COLUMN seq;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_order ON outbox (ordering_key, id) WHERE state = 'pending';
ALTER TABLE outbox RESET (fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
  autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
DROP INDEX outbox_webhook;
CREATE INDEX outbox_webhook ON outbox (webhook_id, id DESC);
