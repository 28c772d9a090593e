DROP TABLE article_media;
ALTER TABLE articles DROP COLUMN cover_media_id;
DROP TABLE media;
