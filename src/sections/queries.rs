//! Section queries: plain functions on a connection, no HTTP.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{NewSection, Section, SectionChangeset};
use crate::ident::IdOrSlug;
use crate::schema::{articles, sections};

pub fn find(conn: &mut PgConnection, key: &IdOrSlug) -> QueryResult<Option<Section>> {
    let q = sections::table.select(Section::as_select()).into_boxed();
    let q = match key {
        IdOrSlug::Id(id) => q.filter(sections::id.eq(*id)),
        IdOrSlug::Slug(slug) => q.filter(sections::slug.eq(slug.clone())),
    };
    q.first(conn).optional()
}

pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Section>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    sections::table
        .filter(sections::id.eq_any(ids))
        .select(Section::as_select())
        .load(conn)
}

/// Sections in display order (`position`, then name), after the keyset `(position, name, id)`.
pub fn list(
    conn: &mut PgConnection,
    after: Option<(i32, String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Section>> {
    let mut q = sections::table.select(Section::as_select()).into_boxed();
    if let Some((pos, name, id)) = after {
        q = q.filter(
            sections::position
                .gt(pos)
                .or(sections::position.eq(pos).and(
                    sections::name
                        .gt(name.clone())
                        .or(sections::name.eq(name).and(sections::id.gt(id))),
                )),
        );
    }
    q.order((
        sections::position.asc(),
        sections::name.asc(),
        sections::id.asc(),
    ))
    .limit(limit + 1)
    .load(conn)
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    sections::table.count().get_result(conn)
}

/// `root` and every section below it.
pub fn subtree_ids(conn: &mut PgConnection, root: Uuid) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM sections WHERE id = $1 \
         UNION SELECT s.id FROM sections s JOIN tree t ON s.parent_id = t.id) SELECT id FROM tree",
    )
    .bind::<diesel::sql_types::Uuid, _>(root)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

pub fn insert(conn: &mut PgConnection, new: &NewSection) -> QueryResult<Section> {
    diesel::insert_into(sections::table)
        .values(new)
        .returning(Section::as_returning())
        .get_result(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &SectionChangeset,
) -> QueryResult<Section> {
    diesel::update(sections::table.find(id))
        .set(changes)
        .returning(Section::as_returning())
        .get_result(conn)
}

pub fn in_use(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    let articles: i64 = articles::table
        .filter(articles::section_id.eq(id))
        .count()
        .get_result(conn)?;
    let children: i64 = sections::table
        .filter(sections::parent_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(articles > 0 || children > 0)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(sections::table.find(id)).execute(conn)
}
