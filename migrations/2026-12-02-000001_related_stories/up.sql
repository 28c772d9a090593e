-- Related stories rank the articles sharing tags by how many they share, newest first: the
-- publication time beside each tag (NULL while the article is not published) lets that be read
-- from this narrow table and one index, without visiting every candidate article.
ALTER TABLE article_tags ADD COLUMN published_at timestamptz;
UPDATE article_tags t SET published_at = a.published_at
  FROM articles a WHERE a.id = t.article_id AND a.status = 'published';
CREATE INDEX article_tags_published_idx ON article_tags (tag_id, published_at DESC, article_id)
  WHERE published_at IS NOT NULL;
-- Rarer title words are told apart with a longer list of the commonest ones.
ALTER TABLE articles ALTER COLUMN search_title SET STATISTICS 1000;

-- The candidates of related stories, tier by tier (0 tags, 1 title words, 2 section), each
-- ordered and bounded by its own index; a function so that each session plans them once.
CREATE FUNCTION related_candidates(p_id uuid, p_tags uuid[], p_section uuid, p_words tsquery[],
                                   p_limit int)
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

ANALYZE articles (search_title);
