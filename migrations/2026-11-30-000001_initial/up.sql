-- newsdesk: the whole schema of the content API.
-- Designed up front for the workflow (publish_at, revisions, audit), feeds and search issues.

CREATE TABLE editors (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    role          text NOT NULL CHECK (role IN ('admin', 'editor', 'contributor')),
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails are compared case-insensitively.
CREATE UNIQUE INDEX editors_email_key ON editors (lower(email));
CREATE INDEX editors_created_at_idx ON editors (created_at, id);

-- Refresh tokens: only a SHA-256 of the token is stored. A login starts a family; each
-- refresh marks its token used and issues a child. Re-use of a used token revokes the family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    editor_id   uuid NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_editor_idx ON refresh_tokens (editor_id);

CREATE TABLE sections (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT sections_slug_key UNIQUE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    description text,
    parent_id   uuid REFERENCES sections (id) ON DELETE RESTRICT,
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX sections_parent_idx ON sections (parent_id);
CREATE INDEX sections_order_idx ON sections (position, name, id);

CREATE TABLE tags (
    id         uuid PRIMARY KEY,
    slug       text NOT NULL CONSTRAINT tags_slug_key UNIQUE,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tags_order_idx ON tags (name, id);

CREATE TABLE correspondents (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT correspondents_slug_key UNIQUE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    affiliation text,
    bio         text,
    -- Private fields: never sent to anonymous callers, never filterable or sortable.
    email       text,
    phone       text,
    notes       text,
    editor_id   uuid REFERENCES editors (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX correspondents_editor_idx ON correspondents (editor_id);
CREATE INDEX correspondents_order_idx ON correspondents (name, id);

CREATE TABLE articles (
    id              uuid PRIMARY KEY,
    slug            text NOT NULL CONSTRAINT articles_slug_key UNIQUE,
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    subtitle        text,
    summary         text NOT NULL,
    -- True when the summary was derived from the body (re-derived when the body changes).
    summary_derived boolean NOT NULL DEFAULT true,
    body_html       text NOT NULL,
    section_id      uuid NOT NULL REFERENCES sections (id) ON DELETE RESTRICT,
    editor_id       uuid REFERENCES editors (id) ON DELETE SET NULL,
    -- The staff account that created the article: a contributor's ownership.
    created_by      uuid REFERENCES editors (id) ON DELETE SET NULL,
    source          text,
    cover_url       text,
    cover_caption   text,
    cover_credit    text,
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'archived')),
    publish_at      timestamptz,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    char_count      integer NOT NULL DEFAULT 0,
    -- Search document (title weighted A, summary B, body C); filled in the same transaction.
    search          tsvector NOT NULL DEFAULT ''::tsvector,
    CHECK (status <> 'scheduled' OR publish_at IS NOT NULL),
    CHECK (status <> 'published' OR published_at IS NOT NULL)
);
-- Public lists: published, newest first, optionally per section.
CREATE INDEX articles_published_idx ON articles (published_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX articles_section_published_idx ON articles (section_id, published_at DESC, id DESC) WHERE status = 'published';
-- Staff lists (every status) in both orders.
CREATE INDEX articles_status_published_idx ON articles (status, published_at DESC, id DESC);
CREATE INDEX articles_all_published_idx ON articles (published_at DESC, id DESC);
CREATE INDEX articles_updated_idx ON articles (updated_at DESC, id DESC);
CREATE INDEX articles_section_idx ON articles (section_id);
CREATE INDEX articles_editor_idx ON articles (editor_id);
CREATE INDEX articles_created_by_idx ON articles (created_by, published_at DESC, id DESC);
-- The scheduler's queue.
CREATE INDEX articles_scheduled_idx ON articles (publish_at) WHERE status = 'scheduled';
CREATE INDEX articles_search_idx ON articles USING gin (search);

CREATE TABLE article_bylines (
    article_id       uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position         smallint NOT NULL,
    correspondent_id uuid NOT NULL REFERENCES correspondents (id) ON DELETE RESTRICT,
    role             text NOT NULL
                     CHECK (role IN ('reporter', 'correspondent', 'photographer', 'author', 'translator')),
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_bylines_correspondent_idx ON article_bylines (correspondent_id, article_id);

CREATE TABLE article_tags (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id     uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position   smallint NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id);

-- Old slugs of published articles answer 301 to the current one.
CREATE TABLE article_slug_redirects (
    slug       text PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_slug_redirects_article_idx ON article_slug_redirects (article_id);

-- One row per successful write of an article: number = the article's version after the write.
CREATE TABLE article_revisions (
    article_id uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number     integer NOT NULL,
    editor_id  uuid REFERENCES editors (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    action     text NOT NULL,
    note       text,
    changed    text[] NOT NULL DEFAULT '{}',
    snapshot   jsonb NOT NULL,
    PRIMARY KEY (article_id, number)
);
CREATE INDEX article_revisions_editor_idx ON article_revisions (editor_id);

-- Who did what, for admins.
CREATE TABLE audit_log (
    id          uuid PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    editor_id   uuid REFERENCES editors (id) ON DELETE SET NULL,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   uuid,
    article_id  uuid REFERENCES articles (id) ON DELETE SET NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_editor_idx ON audit_log (editor_id, at DESC, id DESC);
CREATE INDEX audit_log_article_idx ON audit_log (article_id, at DESC, id DESC);
