DROP TABLE integration_tokens;
ALTER TABLE editors DROP COLUMN service;
