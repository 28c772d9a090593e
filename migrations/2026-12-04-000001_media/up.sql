-- Photos (API.md §11): uploaded images, stored without their metadata, with variants 320, 640
-- and 1280 px wide. The files live in the media store (the data dir or S3) under
-- `media/<id>/…`; a row describes them. `source_sha256` is the hash of the bytes as uploaded
-- (the same upload again is the same media), `sha256` that of the stored original.
CREATE TABLE media (
    id uuid PRIMARY KEY,
    sha256 text NOT NULL,
    source_sha256 text NOT NULL,
    mime text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    bytes bigint NOT NULL,
    caption text,
    credit text,
    alt text,
    -- [{width, height, mime, bytes, sha256}], narrowest first.
    variants jsonb NOT NULL DEFAULT '[]',
    uploaded_by uuid REFERENCES editors (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT media_sha256_key UNIQUE (sha256),
    CONSTRAINT media_source_sha256_key UNIQUE (source_sha256)
);
CREATE INDEX media_uploaded_by_idx ON media (uploaded_by);

-- An article's cover from the library (else `cover_url`, an image elsewhere).
ALTER TABLE articles ADD COLUMN cover_media_id uuid
    CONSTRAINT articles_cover_media_fkey REFERENCES media (id);
CREATE INDEX articles_cover_media_idx ON articles (cover_media_id);

-- Every media an article uses, its cover and the images of its body: a media in use cannot be
-- deleted (409 media_in_use, from this foreign key).
CREATE TABLE article_media (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    media_id uuid NOT NULL CONSTRAINT article_media_media_fkey REFERENCES media (id),
    PRIMARY KEY (article_id, media_id)
);
CREATE INDEX article_media_media_idx ON article_media (media_id);
