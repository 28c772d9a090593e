-- The body's search document moves to a table of its own. In `articles` every status change (a
-- non-HOT update: status and published_at are indexed) wrote every key of the document — a
-- thousand or more for a county story — into its GIN index again; here the row changes only
-- when the text does. The title's document (a few dozen keys) stays in `articles`: relevance's
-- first tier walks the articles newest first and checks it on the row itself.
CREATE TABLE search_documents (
    article_id uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    -- Title (weight A), summary (B) and body (C).
    document   tsvector NOT NULL
);
DO $$
BEGIN
    EXECUTE 'ALTER TABLE search_documents ALTER COLUMN document SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'lz4 compression not available: %', SQLERRM;
END
$$;
INSERT INTO search_documents (article_id, document)
    SELECT id, search FROM articles WHERE search <> ''::tsvector AND search_title <> ''::tsvector;
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);

-- Whether the article's documents are written: false for rows loaded by SQL, which start-up
-- finds through the tiny partial index and writes. Existing rows read as written (a column
-- added with a default costs no rewrite); those without documents are marked.
ALTER TABLE articles ADD COLUMN search_written boolean NOT NULL DEFAULT true;
UPDATE articles SET search_written = false WHERE search = ''::tsvector OR search_title = ''::tsvector;
ALTER TABLE articles ALTER COLUMN search_written SET DEFAULT false;
DROP INDEX articles_search_missing_idx;
CREATE INDEX articles_search_unwritten_idx ON articles (id) WHERE NOT search_written;
ALTER TABLE articles DROP COLUMN search;

ANALYZE search_documents;
