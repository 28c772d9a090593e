ALTER TABLE articles ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;
UPDATE articles a SET search = d.document FROM search_documents d WHERE d.article_id = a.id;
CREATE INDEX articles_search_idx ON articles USING gin (search);
DROP INDEX articles_search_unwritten_idx;
ALTER TABLE articles DROP COLUMN search_written;
CREATE INDEX articles_search_missing_idx ON articles (id)
    WHERE search = ''::tsvector OR search_title = ''::tsvector;
DROP TABLE search_documents;
