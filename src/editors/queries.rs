//! Editor queries.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Editor, EditorChangeset, NewEditor};
use crate::pagination::Cursor;
use crate::schema::editors;

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Editor>> {
    editors::table
        .find(id)
        .select(Editor::as_select())
        .first(conn)
        .optional()
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Emails compare case-insensitively (a unique index on `lower(email)` backs this).
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<Editor>> {
    editors::table
        .filter(lower(editors::email).eq(email.to_lowercase()))
        .select(Editor::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut PgConnection, new: &NewEditor<'_>) -> QueryResult<Editor> {
    diesel::insert_into(editors::table)
        .values(new)
        .returning(Editor::as_returning())
        .get_result(conn)
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &EditorChangeset) -> QueryResult<Editor> {
    diesel::update(editors::table.find(id))
        .set(changes)
        .returning(Editor::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(editors::table.find(id)).execute(conn)
}

/// Editors ordered by creation, keyset after `after`.
pub fn list(
    conn: &mut PgConnection,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<Editor>> {
    // Service accounts (integration tokens) are not staff: `GET /tokens` lists them.
    let mut q = editors::table
        .filter(editors::service.eq(false))
        .select(Editor::as_select())
        .into_boxed();
    if let Some(c) = after {
        if let Some(at) = c.at {
            q = q.filter(
                editors::created_at
                    .gt(at)
                    .or(editors::created_at.eq(at).and(editors::id.gt(c.id))),
            );
        }
    }
    q.order((editors::created_at.asc(), editors::id.asc()))
        .limit(limit + 1)
        .load(conn)
}

pub fn count(conn: &mut PgConnection) -> QueryResult<i64> {
    editors::table
        .filter(editors::service.eq(false))
        .count()
        .get_result(conn)
}

/// Active admins other than `except`: the last admin may not demote or remove itself.
pub fn other_active_admins(conn: &mut PgConnection, except: Uuid) -> QueryResult<i64> {
    editors::table
        .filter(editors::role.eq("admin"))
        .filter(editors::active.eq(true))
        .filter(editors::id.ne(except))
        .count()
        .get_result(conn)
}

/// Display names of `ids`, for article views.
pub fn names(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    editors::table
        .filter(editors::id.eq_any(ids))
        .select((editors::id, editors::display_name))
        .load(conn)
}
