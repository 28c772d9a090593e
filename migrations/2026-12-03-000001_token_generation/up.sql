-- Access tokens carry the generation of their account's sessions; an event that ends every
-- session (password change, admin reset, deactivation, logout everywhere) bumps it, and tokens
-- of an older generation are refused at once, in every process.
ALTER TABLE editors ADD COLUMN token_generation integer NOT NULL DEFAULT 0;
