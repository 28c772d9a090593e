DROP INDEX articles_search_title_idx;
ALTER TABLE articles DROP COLUMN search_title;
