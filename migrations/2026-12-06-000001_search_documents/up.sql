-- The search documents move to a table of their own. In `articles` every status change (a
-- non-HOT update: status and published_at are indexed) wrote every search key of the article
-- into the two GIN indexes again; here a document row changes only when the text does.
CREATE TABLE search_documents (
    article_id uuid PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    -- Title (weight A), summary (B) and body (C).
    document   tsvector NOT NULL,
    -- The title alone: title hits rank first, and the column's statistics (most common
    -- elements) tell common title words from rare ones.
    title      tsvector NOT NULL
);
ALTER TABLE search_documents ALTER COLUMN title SET STATISTICS 1000;
DO $$
BEGIN
    EXECUTE 'ALTER TABLE search_documents ALTER COLUMN document SET COMPRESSION lz4, '
         || 'ALTER COLUMN title SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'lz4 compression not available: %', SQLERRM;
END
$$;
INSERT INTO search_documents (article_id, document, title)
    SELECT id, search, search_title FROM articles
    WHERE search <> ''::tsvector AND search_title <> ''::tsvector;
CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
CREATE INDEX search_documents_title_idx ON search_documents USING gin (title);

-- Whether the article's documents are written: false for rows loaded by SQL, which start-up
-- finds through the tiny partial index and writes. Existing rows read as written (a column
-- added with a default costs no rewrite), those without documents are marked.
ALTER TABLE articles ADD COLUMN search_written boolean NOT NULL DEFAULT true;
UPDATE articles SET search_written = false WHERE search = ''::tsvector OR search_title = ''::tsvector;
ALTER TABLE articles ALTER COLUMN search_written SET DEFAULT false;
DROP INDEX articles_search_missing_idx;
CREATE INDEX articles_search_unwritten_idx ON articles (id) WHERE NOT search_written;
ALTER TABLE articles DROP COLUMN search, DROP COLUMN search_title;

-- Related stories' title tier reads the documents' table.
CREATE OR REPLACE FUNCTION related_candidates(p_id uuid, p_tags uuid[], p_section uuid,
                                              p_words tsquery[], p_limit int)
RETURNS TABLE (out_tier int, out_id uuid) LANGUAGE plpgsql STABLE AS $$
DECLARE
  q tsquery;
BEGIN
  -- Among the newest 500 of each tag: a tag of thousands costs what a small one does.
  RETURN QUERY
    SELECT 0, t.article_id FROM (
      SELECT c.article_id, count(*) AS shared, max(c.published_at) AS at
      FROM unnest(p_tags) AS tg (tag), LATERAL (
        SELECT article_id, published_at FROM article_tags
        WHERE tag_id = tg.tag AND published_at IS NOT NULL AND article_id <> p_id
        ORDER BY published_at DESC LIMIT 500) c
      GROUP BY c.article_id ORDER BY shared DESC, at DESC, c.article_id DESC LIMIT p_limit) t;
  IF cardinality(p_words) > 0 THEN
    q := p_words[1];
    FOR i IN 2 .. cardinality(p_words) LOOP
      q := q || p_words[i];
    END LOOP;
    RETURN QUERY
      SELECT 1, a.id FROM search_documents d JOIN articles a ON a.id = d.article_id
      WHERE d.title @@ q AND a.status = 'published' AND a.id <> p_id
      ORDER BY (SELECT count(*) FROM unnest(p_words) w WHERE d.title @@ w) DESC,
               a.published_at DESC, a.id DESC
      LIMIT p_limit * 2;
  END IF;
  RETURN QUERY
    SELECT 2, a.id FROM articles a
    WHERE a.status = 'published' AND a.section_id = p_section AND a.id <> p_id
    ORDER BY a.published_at DESC, a.id DESC LIMIT p_limit * 3;
END
$$;

ANALYZE search_documents;
