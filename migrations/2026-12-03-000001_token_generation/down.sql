ALTER TABLE editors DROP COLUMN token_generation;
