// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    article_bylines (article_id, position) {
        article_id -> Uuid,
        position -> Int2,
        correspondent_id -> Uuid,
        role -> Text,
    }
}

diesel::table! {
    article_media (article_id, media_id) {
        article_id -> Uuid,
        media_id -> Uuid,
    }
}

diesel::table! {
    article_revisions (article_id, number) {
        article_id -> Uuid,
        number -> Int4,
        editor_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        action -> Text,
        note -> Nullable<Text>,
        changed -> Array<Nullable<Text>>,
        snapshot -> Jsonb,
    }
}

diesel::table! {
    article_slug_redirects (slug) {
        slug -> Text,
        article_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> Uuid,
        tag_id -> Uuid,
        position -> Int2,
        published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    articles (id) {
        id -> Uuid,
        slug -> Text,
        title -> Text,
        subtitle -> Nullable<Text>,
        summary -> Text,
        summary_derived -> Bool,
        body_html -> Text,
        section_id -> Uuid,
        editor_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        source -> Nullable<Text>,
        cover_url -> Nullable<Text>,
        cover_caption -> Nullable<Text>,
        cover_credit -> Nullable<Text>,
        status -> Text,
        publish_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        char_count -> Int4,
        search_title -> Tsvector,
        cover_media_id -> Nullable<Uuid>,
        search_written -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        at -> Timestamptz,
        editor_id -> Nullable<Uuid>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Uuid>,
        article_id -> Nullable<Uuid>,
        detail -> Jsonb,
    }
}

diesel::table! {
    correspondents (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        affiliation -> Nullable<Text>,
        bio -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        notes -> Nullable<Text>,
        editor_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    editors (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        token_generation -> Int4,
        service -> Bool,
    }
}

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int4>,
        content_type -> Nullable<Text>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    import_dropped_indexes (name) {
        name -> Text,
        definition -> Text,
    }
}

diesel::table! {
    integration_tokens (id) {
        id -> Uuid,
        name -> Text,
        role -> Text,
        token_hash -> Text,
        editor_id -> Uuid,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_failures (key, at) {
        key -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    media (id) {
        id -> Uuid,
        sha256 -> Text,
        source_sha256 -> Text,
        mime -> Text,
        width -> Int4,
        height -> Int4,
        bytes -> Int8,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        alt -> Nullable<Text>,
        variants -> Jsonb,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        kind -> Text,
        webhook_id -> Nullable<Uuid>,
        event -> Text,
        ordering_key -> Text,
        payload -> Jsonb,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        seq -> Int8,
    }
}

diesel::table! {
    outbox_attempts (outbox_id, number) {
        outbox_id -> Uuid,
        number -> Int4,
        at -> Timestamptz,
        status -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
    }
}

diesel::table! {
    rate_windows (key) {
        key -> Text,
        started -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        editor_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    search_documents (article_id) {
        article_id -> Uuid,
        document -> Tsvector,
    }
}

diesel::table! {
    sections (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Uuid>,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    tags (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        events -> Array<Text>,
        description -> Nullable<Text>,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(article_bylines -> articles (article_id));
diesel::joinable!(article_bylines -> correspondents (correspondent_id));
diesel::joinable!(article_media -> articles (article_id));
diesel::joinable!(article_media -> media (media_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_revisions -> editors (editor_id));
diesel::joinable!(article_slug_redirects -> articles (article_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));
diesel::joinable!(articles -> media (cover_media_id));
diesel::joinable!(articles -> sections (section_id));
diesel::joinable!(audit_log -> articles (article_id));
diesel::joinable!(audit_log -> editors (editor_id));
diesel::joinable!(correspondents -> editors (editor_id));
diesel::joinable!(media -> editors (uploaded_by));
diesel::joinable!(outbox -> webhooks (webhook_id));
diesel::joinable!(outbox_attempts -> outbox (outbox_id));
diesel::joinable!(refresh_tokens -> editors (editor_id));
diesel::joinable!(search_documents -> articles (article_id));

diesel::allow_tables_to_appear_in_same_query!(
    article_bylines,
    article_media,
    article_revisions,
    article_slug_redirects,
    article_tags,
    articles,
    audit_log,
    correspondents,
    editors,
    idempotency_keys,
    import_dropped_indexes,
    integration_tokens,
    login_failures,
    media,
    outbox,
    outbox_attempts,
    rate_windows,
    refresh_tokens,
    search_documents,
    sections,
    tags,
    webhooks,
);
