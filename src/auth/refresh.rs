//! Refresh tokens: random, stored only as SHA-256, rotated on every use. A login starts a family;
//! presenting a token that was already used revokes the whole family.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::schema::refresh_tokens;

pub const REFRESH_TTL_DAYS: i64 = 30;

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Issues a new token in `family` (a fresh family on login) and returns it.
pub fn issue(conn: &mut PgConnection, editor: Uuid, family: Uuid) -> QueryResult<String> {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::now_v7()),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::editor_id.eq(editor),
            refresh_tokens::token_hash.eq(digest(&token)),
            refresh_tokens::expires_at.eq(Utc::now() + Duration::days(REFRESH_TTL_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

type TokenRow = (
    Uuid,
    Uuid,
    Uuid,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// Consumes `token`: returns its editor and a new token in the same family, or `None` for a
/// token that is unknown, expired or revoked. A token already used revokes its whole family
/// (someone replayed it) and gives `None`; the caller commits that revocation.
pub fn rotate(conn: &mut PgConnection, token: &str) -> QueryResult<Option<(Uuid, String)>> {
    let row: Option<TokenRow> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select((
            refresh_tokens::id,
            refresh_tokens::family_id,
            refresh_tokens::editor_id,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            refresh_tokens::revoked_at,
        ))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((id, family, editor, expires_at, used_at, revoked_at)) = row else {
        return Ok(None);
    };
    if used_at.is_some() {
        tracing::warn!(%family, "refresh token re-used: revoking its family");
        revoke_family(conn, family)?;
        return Ok(None);
    }
    if revoked_at.is_some() || expires_at <= Utc::now() {
        return Ok(None);
    }
    diesel::update(refresh_tokens::table.find(id))
        .set(refresh_tokens::used_at.eq(Utc::now()))
        .execute(conn)?;
    let next = issue(conn, editor, family)?;
    Ok(Some((editor, next)))
}

pub fn revoke_family(conn: &mut PgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.filter(refresh_tokens::family_id.eq(family)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
}

/// Logout: revokes the family of `token` (unknown tokens are ignored).
pub fn revoke(conn: &mut PgConnection, token: &str) -> QueryResult<()> {
    let family: Option<Uuid> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()?;
    if let Some(f) = family {
        revoke_family(conn, f)?;
    }
    Ok(())
}

/// Ends every session of an editor (password change, admin reset, deactivation, logout
/// everywhere): its refresh tokens are revoked and its access tokens' generation is bumped, so
/// those already issued are refused at once.
pub fn end_sessions(conn: &mut PgConnection, editor: Uuid) -> QueryResult<usize> {
    use crate::schema::editors;
    diesel::update(editors::table.find(editor))
        .set(editors::token_generation.eq(editors::token_generation + 1))
        .execute(conn)?;
    diesel::update(refresh_tokens::table.filter(refresh_tokens::editor_id.eq(editor)))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)
}

/// The editor a refresh token belongs to (whatever its state).
pub fn owner(conn: &mut PgConnection, token: &str) -> QueryResult<Option<Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .select(refresh_tokens::editor_id)
        .first(conn)
        .optional()
}
