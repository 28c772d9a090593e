//! Audit queries: entries written beside the change they record, and the filtered, keyset-paged
//! log.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use crate::pagination::Cursor;
use crate::schema::{audit_log, editors};

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

/// An entry with its editor's name.
pub type Row = (
    Uuid,
    DateTime<Utc>,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    serde_json::Value,
);

/// The filters of `GET /audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub editor: Option<Uuid>,
    pub article: Option<Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// One page of the log, newest first (`limit + 1` rows: the caller pages).
pub fn list(
    conn: &mut PgConnection,
    f: &AuditFilter,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<Row>> {
    let mut query = audit_log::table
        .left_join(editors::table)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::editor_id,
            editors::display_name.nullable(),
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::article_id,
            audit_log::detail,
        ))
        .into_boxed();
    if let Some(e) = f.editor {
        query = query.filter(audit_log::editor_id.eq(e));
    }
    if let Some(a) = f.article {
        query = query.filter(audit_log::article_id.eq(a));
    }
    if let Some(t) = f.since {
        query = query.filter(audit_log::at.ge(t));
    }
    if let Some(t) = f.until {
        query = query.filter(audit_log::at.lt(t));
    }
    if let Some(c) = after {
        query = query.filter(
            sql::<Bool>("(audit_log.at, audit_log.id) < (")
                .bind::<Timestamptz, _>(c.at.unwrap_or_else(Utc::now))
                .sql(", ")
                .bind::<SqlUuid, _>(c.id)
                .sql(")"),
        );
    }
    query
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit + 1)
        .load(conn)
}
