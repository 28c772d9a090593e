ALTER TABLE articles ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN search_title tsvector NOT NULL DEFAULT ''::tsvector;
ALTER TABLE articles ALTER COLUMN search_title SET STATISTICS 1000;
UPDATE articles a SET search = d.document, search_title = d.title
    FROM search_documents d WHERE d.article_id = a.id;
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_search_title_idx ON articles USING gin (search_title);
DROP INDEX articles_search_unwritten_idx;
ALTER TABLE articles DROP COLUMN search_written;
CREATE INDEX articles_search_missing_idx ON articles (id)
    WHERE search = ''::tsvector OR search_title = ''::tsvector;
CREATE OR REPLACE FUNCTION related_candidates(p_id uuid, p_tags uuid[], p_section uuid,
                                              p_words tsquery[], p_limit int)
RETURNS TABLE (out_tier int, out_id uuid) LANGUAGE plpgsql STABLE AS $$
DECLARE
  q tsquery;
BEGIN
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
      SELECT 1, a.id FROM articles a
      WHERE a.search_title @@ q AND a.status = 'published' AND a.id <> p_id
      ORDER BY (SELECT count(*) FROM unnest(p_words) w WHERE a.search_title @@ w) DESC,
               a.published_at DESC, a.id DESC
      LIMIT p_limit * 2;
  END IF;
  RETURN QUERY
    SELECT 2, a.id FROM articles a
    WHERE a.status = 'published' AND a.section_id = p_section AND a.id <> p_id
    ORDER BY a.published_at DESC, a.id DESC LIMIT p_limit * 3;
END
$$;
DROP TABLE search_documents;
