//! The audit log: who did what, written in the same transaction as the change it records, and
//! read by admins at `GET /audit`.

pub mod handlers;

use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::schema::audit_log;

/// One audit entry.
pub struct Entry<'a> {
    pub editor: Option<Uuid>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub article_id: Option<Uuid>,
    pub detail: Value,
}

pub fn record(conn: &mut PgConnection, e: Entry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(Uuid::now_v7()),
            audit_log::editor_id.eq(e.editor),
            audit_log::action.eq(e.action),
            audit_log::entity.eq(e.entity),
            audit_log::entity_id.eq(e.entity_id),
            audit_log::article_id.eq(e.article_id),
            audit_log::detail.eq(e.detail),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Shorthand for an entry about a non-article entity.
pub fn entity(
    conn: &mut PgConnection,
    editor: Uuid,
    action: &str,
    entity: &str,
    id: Uuid,
) -> QueryResult<()> {
    record(
        conn,
        Entry {
            editor: Some(editor),
            action,
            entity,
            entity_id: Some(id),
            article_id: None,
            detail: Value::Object(Default::default()),
        },
    )
}
