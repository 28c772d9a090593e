DO $$
BEGIN
    EXECUTE 'ALTER TABLE articles ALTER COLUMN body_html SET COMPRESSION default, '
         || 'ALTER COLUMN search SET COMPRESSION default, '
         || 'ALTER COLUMN search_title SET COMPRESSION default';
    EXECUTE 'ALTER TABLE article_revisions ALTER COLUMN snapshot SET COMPRESSION default';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '%', SQLERRM;
END
$$;
