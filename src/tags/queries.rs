//! Tag queries: plain functions on a connection, no HTTP.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Tag, TagChangeset};
use crate::ident::IdOrSlug;
use crate::schema::tags;

pub fn find(conn: &mut PgConnection, key: &IdOrSlug) -> QueryResult<Option<Tag>> {
    let q = tags::table.select(Tag::as_select()).into_boxed();
    let q = match key {
        IdOrSlug::Id(id) => q.filter(tags::id.eq(*id)),
        IdOrSlug::Slug(slug) => q.filter(tags::slug.eq(slug.clone())),
    };
    q.first(conn).optional()
}

pub fn slug_taken(conn: &mut PgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tags::table.filter(tags::slug.eq(slug)))).get_result(conn)
}

/// Tags by name, after the keyset `(name, id)`.
pub fn list(
    conn: &mut PgConnection,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Tag>> {
    let mut q = tags::table.select(Tag::as_select()).into_boxed();
    if let Some((name, id)) = after {
        q = q.filter(
            tags::name
                .gt(name.clone())
                .or(tags::name.eq(name).and(tags::id.gt(id))),
        );
    }
    q.order((tags::name.asc(), tags::id.asc()))
        .limit(limit + 1)
        .load(conn)
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    tags::table.count().get_result(conn)
}

pub fn insert(conn: &mut PgConnection, tag: &Tag) -> QueryResult<Tag> {
    diesel::insert_into(tags::table)
        .values(tag)
        .returning(Tag::as_returning())
        .get_result(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &TagChangeset) -> QueryResult<Tag> {
    diesel::update(tags::table.find(id))
        .set(changes)
        .returning(Tag::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(tags::table.find(id)).execute(conn)
}
