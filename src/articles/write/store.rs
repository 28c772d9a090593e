//! The statements of article writes, on the caller's connection inside its transaction: the
//! row, its byline and tags, the search documents, old slugs, the revision and the audit entry.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::draft::{snapshot_of, Draft};
use super::Written;
use crate::articles::model::Article;
use crate::articles::queries;
use crate::articles::workflow::Status;
use crate::directory::Names;
use crate::error::AppError;
use crate::schema::{
    article_bylines, article_revisions, article_slug_redirects, article_tags, articles,
};
use crate::search;
use crate::text;
use crate::{audit, media};

diesel::define_sql_function! {
    /// `unnest(array)`: a row per element.
    fn unnest<T: diesel::sql_types::SingleValue>(array: diesel::sql_types::Array<T>) -> T;
}

/// Inserts the new article `id` at version 1, created by `by`, with its search documents, its
/// byline and tags.
pub fn insert(conn: &mut PgConnection, id: Uuid, d: &Draft, by: Uuid) -> QueryResult<Article> {
    let now = Utc::now();
    let plain = text::plain_text(&d.s.body_html);
    let a: Article = diesel::insert_into(articles::table)
        .values((
            articles::id.eq(id),
            d.fields(),
            articles::created_by.eq(by),
            articles::status.eq(Status::Draft.as_str()),
            articles::created_at.eq(now),
            articles::updated_at.eq(now),
            articles::version.eq(1),
            articles::search_title.eq(search::title_document(&d.s.title)),
            articles::search_written.eq(true),
        ))
        .returning(Article::as_returning())
        .get_result(conn)?;
    search::store(conn, id, &d.s.title, &d.s.summary, &plain)?;
    relations(conn, id, d, true, None)?;
    let used = d.media_used();
    if !used.is_empty() {
        media::queries::set_used(conn, id, &used)?;
    }
    Ok(a)
}

/// Stores the edited fields of `d` as the article's next version after `current` (with the
/// title's search document); the byline and tags when they changed, the whole text's search
/// document when the text did.
pub fn update(
    conn: &mut PgConnection,
    current: &Article,
    before: &Draft,
    d: &Draft,
    changed: &[&str],
) -> QueryResult<Article> {
    let a: Article = diesel::update(articles::table.find(current.id))
        .set((
            d.fields(),
            articles::search_title.eq(search::title_document(&d.s.title)),
            articles::version.eq(current.version + 1),
            articles::updated_at.eq(Utc::now()),
        ))
        .returning(Article::as_returning())
        .get_result(conn)?;
    if before.s.byline != d.s.byline || before.s.tag_ids != d.s.tag_ids {
        let published = current
            .published_at
            .filter(|_| current.status() == Status::Published);
        relations(conn, current.id, d, false, published)?;
    }
    let used = d.media_used();
    if used != before.media_used() {
        media::queries::set_used(conn, current.id, &used)?;
    }
    if changed
        .iter()
        .any(|f| matches!(*f, "title" | "summary" | "body_html"))
    {
        search::store(
            conn,
            current.id,
            &d.s.title,
            &d.s.summary,
            &text::plain_text(&d.s.body_html),
        )?;
    }
    Ok(a)
}

/// Moves the article `current` to `to` as its next version, written `now`.
pub fn set_status(
    conn: &mut PgConnection,
    current: &Article,
    to: Status,
    (publish_at, published_at): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    now: DateTime<Utc>,
) -> QueryResult<Article> {
    // The tags carry the publication time while the article is public (related stories).
    let public = published_at.filter(|_| to == Status::Published);
    diesel::update(article_tags::table.filter(article_tags::article_id.eq(current.id)))
        .set(article_tags::published_at.eq(public))
        .execute(conn)?;
    diesel::update(articles::table.find(current.id))
        .set((
            articles::status.eq(to.as_str()),
            articles::publish_at.eq(publish_at),
            articles::published_at.eq(published_at),
            articles::version.eq(current.version + 1),
            articles::updated_at.eq(now),
        ))
        .returning(Article::as_returning())
        .get_result(conn)
}

/// The article `id` now answers to `new`: that slug is live again if it was an old one of
/// this article, and `old` redirects to it once the article has been public.
pub fn move_slug(
    conn: &mut PgConnection,
    id: Uuid,
    old: &str,
    new: &str,
    was_public: bool,
) -> QueryResult<()> {
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(new)))
        .execute(conn)?;
    if was_public {
        diesel::insert_into(article_slug_redirects::table)
            .values((
                article_slug_redirects::slug.eq(old),
                article_slug_redirects::article_id.eq(id),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(())
}

/// Stores the byline and tags of `d`, replacing the article's (`fresh`: it has none yet); the
/// tags carry `published` (the article's publication time while it is public).
fn relations(
    conn: &mut PgConnection,
    id: Uuid,
    d: &Draft,
    fresh: bool,
    published: Option<DateTime<Utc>>,
) -> QueryResult<()> {
    if !fresh {
        diesel::delete(article_bylines::table.filter(article_bylines::article_id.eq(id)))
            .execute(conn)?;
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id)))
            .execute(conn)?;
    }
    // `INSERT … SELECT unnest(…)`: one SQL text whatever the number of rows, prepared once
    // (a multi-row VALUES list is a new statement for every length).
    let positions = |n: usize| -> Vec<i16> {
        (0..n)
            .map(|i| i16::try_from(i).unwrap_or(i16::MAX))
            .collect()
    };
    if !d.s.byline.is_empty() {
        let people = d.s.people();
        let roles: Vec<String> = d.s.byline.iter().map(|b| b.role.clone()).collect();
        diesel::insert_into(article_bylines::table)
            .values(diesel::select((
                id.into_sql::<SqlUuid>(),
                unnest(positions(people.len())),
                unnest(people),
                unnest(roles),
            )))
            .into_columns((
                article_bylines::article_id,
                article_bylines::position,
                article_bylines::correspondent_id,
                article_bylines::role,
            ))
            .execute(conn)?;
    }
    if !d.s.tag_ids.is_empty() {
        diesel::insert_into(article_tags::table)
            .values(diesel::select((
                id.into_sql::<SqlUuid>(),
                unnest(d.s.tag_ids.clone()),
                unnest(positions(d.s.tag_ids.len())),
                published.into_sql::<Nullable<Timestamptz>>(),
            )))
            .into_columns((
                article_tags::article_id,
                article_tags::tag_id,
                article_tags::position,
                article_tags::published_at,
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// What a revision records besides the article: who, what, why, which fields.
pub struct Revision<'a> {
    pub editor: Option<Uuid>,
    pub action: &'a str,
    pub note: Option<&'a str>,
    pub changed: &'a [&'a str],
}

/// Stores the revision numbered `a.version` and the matching audit entry; returns the article
/// with the byline and tags it loaded for the revision.
pub fn record(
    conn: &mut PgConnection,
    names: &Names,
    a: &Article,
    r: Revision<'_>,
) -> Result<Written, AppError> {
    let (bylines, tags) = queries::bylines_and_tags(conn, names, &[a.id])?;
    let snapshot = serde_json::to_value(snapshot_of(a, &bylines, &tags))?;
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(a.id),
            article_revisions::number.eq(a.version),
            article_revisions::editor_id.eq(r.editor),
            article_revisions::created_at.eq(a.updated_at),
            article_revisions::action.eq(r.action),
            article_revisions::note.eq(r.note),
            article_revisions::changed.eq(r
                .changed
                .iter()
                .map(|c| Some(c.to_string()))
                .collect::<Vec<_>>()),
            article_revisions::snapshot.eq(snapshot),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        audit::Entry {
            editor: r.editor,
            action: r.action,
            entity: "article",
            entity_id: Some(a.id),
            article_id: Some(a.id),
            detail: serde_json::json!({
                "version": a.version,
                "changed": r.changed,
                "note": r.note,
            }),
        },
    )?;
    Ok(Written {
        article: a.clone(),
        bylines,
        tags,
        neighbours: None,
    })
}

/// Deletes the article `a` (its byline, tags and revisions go with it) and records who did.
pub fn delete(conn: &mut PgConnection, a: &Article, by: Uuid) -> QueryResult<()> {
    diesel::delete(articles::table.find(a.id)).execute(conn)?;
    audit::record(
        conn,
        audit::Entry {
            editor: Some(by),
            action: "delete",
            entity: "article",
            entity_id: Some(a.id),
            article_id: None,
            detail: serde_json::json!({ "slug": a.slug, "title": a.title }),
        },
    )
}
