-- Articles still without search documents (written before search existed, or loaded by SQL):
-- start-up looks for them through this tiny index instead of scanning the archive.
CREATE INDEX articles_search_missing_idx ON articles (id)
    WHERE search = ''::tsvector OR search_title = ''::tsvector;
