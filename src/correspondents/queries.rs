//! Correspondent queries: plain functions on a connection, no HTTP. No public filter or sort touches a private column.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Correspondent, CorrespondentChangeset};
use crate::ident::IdOrSlug;
use crate::schema::correspondents;

pub fn find(conn: &mut PgConnection, key: &IdOrSlug) -> QueryResult<Option<Correspondent>> {
    let q = correspondents::table
        .select(Correspondent::as_select())
        .into_boxed();
    let q = match key {
        IdOrSlug::Id(id) => q.filter(correspondents::id.eq(*id)),
        IdOrSlug::Slug(slug) => q.filter(correspondents::slug.eq(slug.clone())),
    };
    q.first(conn).optional()
}

pub fn slug_taken(conn: &mut PgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        correspondents::table.filter(correspondents::slug.eq(slug)),
    ))
    .get_result(conn)
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// By name, after the keyset `(name, id)`; `q` matches a substring of the name (public field).
pub fn list(
    conn: &mut PgConnection,
    q: Option<&str>,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Correspondent>> {
    let mut query = correspondents::table
        .select(Correspondent::as_select())
        .into_boxed();
    if let Some(q) = q {
        query = query.filter(correspondents::name.ilike(format!("%{}%", escape_like(q))));
    }
    if let Some((name, id)) = after {
        query = query.filter(
            correspondents::name
                .gt(name.clone())
                .or(correspondents::name.eq(name).and(correspondents::id.gt(id))),
        );
    }
    query
        .order((correspondents::name.asc(), correspondents::id.asc()))
        .limit(limit + 1)
        .load(conn)
}

pub fn count(conn: &mut PgConnection, q: Option<&str>) -> QueryResult<i64> {
    let mut query = correspondents::table.into_boxed();
    if let Some(q) = q {
        query = query.filter(correspondents::name.ilike(format!("%{}%", escape_like(q))));
    }
    query.count().get_result(conn)
}

pub fn insert(conn: &mut PgConnection, c: &Correspondent) -> QueryResult<Correspondent> {
    diesel::insert_into(correspondents::table)
        .values(c)
        .returning(Correspondent::as_returning())
        .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &CorrespondentChangeset,
) -> QueryResult<Correspondent> {
    diesel::update(correspondents::table.find(id))
        .set(changes)
        .returning(Correspondent::as_returning())
        .get_result(conn)
}

pub fn in_bylines(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    use crate::schema::article_bylines;
    diesel::select(diesel::dsl::exists(
        article_bylines::table.filter(article_bylines::correspondent_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(correspondents::table.find(id)).execute(conn)
}
