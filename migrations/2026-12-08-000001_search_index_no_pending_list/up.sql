-- The two search indexes take each new entry into the GIN tree at once instead of into a
-- pending list. With the list (PostgreSQL's default, flushed only by VACUUM or ANALYZE or when
-- it reaches 4 MB), every search and every related-stories lookup reads the whole list: after
-- a burst of 13 000 stories at 100 000 articles the title index held 300 pages of it, and an
-- article page (whose related stories search titles) went from 950 to 330 per second until
-- autovacuum came by. Writes measured no slower without it (bench/RESULTS.md).
ALTER INDEX articles_search_title_idx SET (fastupdate = off);
ALTER INDEX search_documents_document_idx SET (fastupdate = off);
-- What a list already holds moves into the tree now.
SELECT gin_clean_pending_list('articles_search_title_idx'::regclass);
SELECT gin_clean_pending_list('search_documents_document_idx'::regclass);
