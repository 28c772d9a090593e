//! The stored revisions of an article: every write left one (who, when, what changed, the
//! editable fields at that version).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::articles::views::ArticleSnapshot;
use crate::error::AppError;
use crate::schema::{article_revisions, editors};

/// A revision with its editor's name.
pub type RevisionRow = (
    i32,
    Option<Uuid>,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<String>,
    Vec<Option<String>>,
    serde_json::Value,
);

/// Revisions of `article`, newest first: the one numbered `number`, or those before `before`.
pub fn revisions(
    conn: &mut PgConnection,
    article: Uuid,
    number: Option<i32>,
    before: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<RevisionRow>> {
    let mut q = article_revisions::table
        .left_join(editors::table)
        .filter(article_revisions::article_id.eq(article))
        .select((
            article_revisions::number,
            article_revisions::editor_id,
            editors::display_name.nullable(),
            article_revisions::created_at,
            article_revisions::action,
            article_revisions::note,
            article_revisions::changed,
            article_revisions::snapshot,
        ))
        .order(article_revisions::number.desc())
        .limit(limit)
        .into_boxed();
    if let Some(n) = number {
        q = q.filter(article_revisions::number.eq(n));
    }
    if let Some(b) = before {
        q = q.filter(article_revisions::number.lt(b));
    }
    q.load(conn)
}

/// The editable fields stored with revision `number` of `article`.
pub fn revision_snapshot(
    conn: &mut PgConnection,
    article: Uuid,
    number: i32,
) -> Result<Option<ArticleSnapshot>, AppError> {
    let stored: Option<serde_json::Value> = article_revisions::table
        .find((article, number))
        .select(article_revisions::snapshot)
        .first(conn)
        .optional()?;
    Ok(stored.map(serde_json::from_value).transpose()?)
}
