-- The title's own search document: title hits rank first, and a separate column gives the
-- planner exact statistics for them (weights inside one tsvector are invisible to it).
ALTER TABLE articles ADD COLUMN search_title tsvector NOT NULL DEFAULT ''::tsvector;
CREATE INDEX articles_search_title_idx ON articles USING gin (search_title);
