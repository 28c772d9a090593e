//! Media statements (no HTTP here).

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Media, MediaChangeset};
use crate::articles::model::Article;
use crate::schema::{article_media, articles, media};

pub fn insert(conn: &mut PgConnection, m: &Media) -> QueryResult<Media> {
    diesel::insert_into(media::table)
        .values(m)
        .returning(Media::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Media>> {
    media::table
        .find(id)
        .select(Media::as_select())
        .first(conn)
        .optional()
}

/// The media whose stored original or upload has this hash.
pub fn by_hash(conn: &mut PgConnection, sha256: &str) -> QueryResult<Option<Media>> {
    media::table
        .filter(media::sha256.eq(sha256).or(media::source_sha256.eq(sha256)))
        .select(Media::as_select())
        .first(conn)
        .optional()
}

/// Those of `ids` that exist.
pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Media>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    media::table
        .filter(media::id.eq_any(ids))
        .select(Media::as_select())
        .load(conn)
}

/// Newest first (ids are UUIDv7), before `before`, at most `limit + 1`.
pub fn list(conn: &mut PgConnection, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<Media>> {
    let mut q = media::table
        .order(media::id.desc())
        .select(Media::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(media::id.lt(b));
    }
    q.load(conn)
}

/// Locks the row for an update or a delete.
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Media>> {
    media::table
        .find(id)
        .select(Media::as_select())
        .for_update()
        .first(conn)
        .optional()
}

pub fn update(conn: &mut PgConnection, id: Uuid, c: &MediaChangeset) -> QueryResult<Media> {
    diesel::update(media::table.find(id))
        .set(c)
        .returning(Media::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// The articles whose cover `id` is: where its caption and credit show.
pub fn covered(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Article>> {
    articles::table
        .filter(articles::cover_media_id.eq(id))
        .select(Article::as_select())
        .load(conn)
}

/// Records what an article uses (its cover and the images of its body), replacing what it used.
pub fn set_used(conn: &mut PgConnection, article: Uuid, used: &[Uuid]) -> QueryResult<()> {
    diesel::delete(article_media::table.filter(article_media::article_id.eq(article)))
        .execute(conn)?;
    if used.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = used
        .iter()
        .map(|m| {
            (
                article_media::article_id.eq(article),
                article_media::media_id.eq(*m),
            )
        })
        .collect();
    diesel::insert_into(article_media::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}
