//! Webhook statements.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Webhook, WebhookChangeset};
use crate::schema::webhooks;

pub fn insert(conn: &mut PgConnection, w: &Webhook) -> QueryResult<Webhook> {
    diesel::insert_into(webhooks::table)
        .values(w)
        .returning(Webhook::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Webhook>> {
    webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
        .optional()
}

/// The active webhooks (what a write's events go to).
pub fn active(conn: &mut PgConnection) -> QueryResult<Vec<Webhook>> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .order(webhooks::id)
        .select(Webhook::as_select())
        .load(conn)
}

/// Every webhook, oldest first, after `after`, at most `limit + 1`.
pub fn list(conn: &mut PgConnection, after: Option<Uuid>, limit: i64) -> QueryResult<Vec<Webhook>> {
    let mut q = webhooks::table
        .order(webhooks::id)
        .select(Webhook::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(webhooks::id.gt(a));
    }
    q.load(conn)
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    c: &WebhookChangeset,
) -> QueryResult<Option<Webhook>> {
    diesel::update(webhooks::table.find(id))
        .set(c)
        .returning(Webhook::as_returning())
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(webhooks::table.find(id)).execute(conn)
}
