DROP TABLE outbox_attempts;
DROP TABLE outbox;
DROP TABLE webhooks;
