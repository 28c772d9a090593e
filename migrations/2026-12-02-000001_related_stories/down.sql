DROP FUNCTION related_candidates(uuid, uuid[], uuid, tsquery[], int);
ALTER TABLE articles ALTER COLUMN search_title SET STATISTICS -1;
DROP INDEX article_tags_published_idx;
ALTER TABLE article_tags DROP COLUMN published_at;
