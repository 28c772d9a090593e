//! Integration token statements.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::editors::Editor;
use crate::schema::{editors, integration_tokens};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = integration_tokens)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct TokenRow {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub editor_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Creates the token and its service account (an editor row nobody logs in as).
pub fn insert(
    conn: &mut PgConnection,
    name: &str,
    role: &str,
    hash: &str,
    created_by: Uuid,
    expires_at: Option<DateTime<Utc>>,
) -> QueryResult<TokenRow> {
    let (id, account) = (Uuid::now_v7(), Uuid::now_v7());
    diesel::insert_into(editors::table)
        .values((
            editors::id.eq(account),
            editors::email.eq(format!("token-{id}@tokens.newsdesk.invalid")),
            editors::display_name.eq(name),
            editors::role.eq(role),
            // Not an argon2 hash: no password opens it.
            editors::password_hash.eq("!"),
            editors::service.eq(true),
        ))
        .execute(conn)?;
    diesel::insert_into(integration_tokens::table)
        .values((
            integration_tokens::id.eq(id),
            integration_tokens::name.eq(name),
            integration_tokens::role.eq(role),
            integration_tokens::token_hash.eq(hash),
            integration_tokens::editor_id.eq(account),
            integration_tokens::created_by.eq(created_by),
            integration_tokens::expires_at.eq(expires_at),
        ))
        .returning(TokenRow::as_returning())
        .get_result(conn)
}

/// The live tokens, oldest first, after `after`, at most `limit + 1`.
pub fn list(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<TokenRow>> {
    let mut q = integration_tokens::table
        .filter(integration_tokens::deleted_at.is_null())
        .order(integration_tokens::id)
        .select(TokenRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(integration_tokens::id.gt(a));
    }
    q.load(conn)
}

/// Deletes token `id` (its row is kept, marked, for the audit log's names) and deactivates its
/// account; `false` when there is no such live token.
pub fn delete(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    let account: Option<Uuid> = diesel::update(
        integration_tokens::table
            .find(id)
            .filter(integration_tokens::deleted_at.is_null()),
    )
    .set(integration_tokens::deleted_at.eq(Utc::now()))
    .returning(integration_tokens::editor_id)
    .get_result(conn)
    .optional()?;
    let Some(account) = account else {
        return Ok(false);
    };
    diesel::update(editors::table.find(account))
        .set(editors::active.eq(false))
        .execute(conn)?;
    Ok(true)
}

/// The account a live, unexpired token acts as (with the token's id and name); its
/// `last_used_at` is moved on at most once a minute.
pub fn bearer(conn: &mut PgConnection, hash: &str) -> QueryResult<Option<(Editor, Uuid, String)>> {
    let found: Option<(Editor, Uuid, String, Option<DateTime<Utc>>)> = integration_tokens::table
        .inner_join(editors::table.on(editors::id.eq(integration_tokens::editor_id)))
        .filter(integration_tokens::token_hash.eq(hash))
        .filter(integration_tokens::deleted_at.is_null())
        .filter(
            integration_tokens::expires_at
                .is_null()
                .or(integration_tokens::expires_at.gt(Utc::now())),
        )
        .select((
            Editor::as_select(),
            integration_tokens::id,
            integration_tokens::name,
            integration_tokens::last_used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((editor, id, name, last_used)) = found else {
        return Ok(None);
    };
    let stale = last_used.is_none_or(|t| Utc::now() - t > chrono::Duration::minutes(1));
    if stale {
        diesel::update(integration_tokens::table.find(id))
            .set(integration_tokens::last_used_at.eq(Utc::now()))
            .execute(conn)?;
    }
    Ok(Some((editor, id, name)))
}

/// The names of the tokens acting as `accounts` (for the audit log).
pub fn of_accounts(
    conn: &mut PgConnection,
    accounts: &[Uuid],
) -> QueryResult<Vec<(Uuid, Uuid, String)>> {
    integration_tokens::table
        .filter(integration_tokens::editor_id.eq_any(accounts))
        .select((
            integration_tokens::editor_id,
            integration_tokens::id,
            integration_tokens::name,
        ))
        .load(conn)
}
